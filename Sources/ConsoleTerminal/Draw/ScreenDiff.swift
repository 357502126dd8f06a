import Console

/// A run of changed cells on one row, all of one style: what the blitter writes.
public struct DrawRun: Sendable, Hashable {
    public struct Glyph: Sendable, Hashable {
        /// The column this glyph starts at.
        public var x: Int
        /// The grapheme as the `Screen` holds it.
        public var text: String
        /// 1, or 2 for a wide grapheme (the next cell is its continuation and is not written).
        public var width: Int
    }

    public var y: Int
    public var x: Int
    public var style: Style
    public var glyphs: [Glyph]

    /// Cells the run covers.
    public var width: Int { glyphs.reduce(0) { $0 + $1.width } }
    /// The run's text, continuation cells dropped (for tests and logs).
    public var text: String { glyphs.map(\.text).joined() }
}

/// Which cells to write to go from one `Screen` to the next. Pure, so it can be tested
/// without a terminal.
public enum ScreenDiff {
    /// Whether `new` must be painted from scratch: nothing drawn yet, or the size changed.
    public static func needsFullRepaint(from old: Screen?, to new: Screen) -> Bool {
        guard let old else { return true }
        return old.width != new.width || old.height != new.height
    }

    /// The runs to write, row by row, left to right. A wide grapheme is one glyph of width 2
    /// and is rewritten whole when either of its two cells changed; continuation cells are
    /// never written on their own (a stray one, with no wide grapheme before it, is written as
    /// a space so the column is not left stale).
    public static func runs(from old: Screen?, to new: Screen) -> [DrawRun] {
        let full = needsFullRepaint(from: old, to: new)
        let w = new.width
        var runs: [DrawRun] = []
        // Read in place, a row at a time: a row the key did not touch (most of them) is passed
        // over with one comparison per cell and no copies.
        new.cells.withUnsafeBufferPointer { now in
            (old?.cells ?? []).withUnsafeBufferPointer { before in
                for y in 0..<new.height {
                    let row = y * w
                    if !full, (0..<w).allSatisfy({ now[row + $0] == before[row + $0] }) { continue }
                    var current: DrawRun?
                    var end = -1 // the column after the current run's last glyph
                    var x = 0
                    while x < w {
                        let cell = now[row + x]
                        let wide = !cell.isContinuation && x + 1 < w && now[row + x + 1].isContinuation
                        let width = wide ? 2 : 1
                        let changed = full || before[row + x] != cell || (wide && before[row + x + 1] != now[row + x + 1])
                        if changed {
                            let glyph = DrawRun.Glyph(x: x, text: cell.isContinuation ? " " : cell.text, width: width)
                            if current != nil, current!.style == cell.style, end == x {
                                current!.glyphs.append(glyph)
                            } else {
                                if let run = current { runs.append(run) }
                                current = DrawRun(y: y, x: x, style: cell.style, glyphs: [glyph])
                            }
                            end = x + width
                        } else if let run = current {
                            runs.append(run)
                            current = nil
                        }
                        x += width
                    }
                    if let run = current { runs.append(run) }
                }
            }
        }
        return runs
    }
}
