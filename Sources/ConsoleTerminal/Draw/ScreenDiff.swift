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
        var runs: [DrawRun] = []
        var current: DrawRun?
        var end = -1 // the column after the current run's last glyph
        new.cells.withUnsafeBufferPointer { now in
            (old?.cells ?? []).withUnsafeBufferPointer { before in
                forEachChange(now: now, before: before, width: new.width, height: new.height, full: full) { y, x, cell, width in
                    let glyph = DrawRun.Glyph(x: x, text: cell.isContinuation ? " " : cell.text, width: width)
                    if current != nil, current!.y == y, current!.style == cell.style, end == x {
                        current!.glyphs.append(glyph)
                    } else {
                        if let run = current { runs.append(run) }
                        current = DrawRun(y: y, x: x, style: cell.style, glyphs: [glyph])
                    }
                    end = x + width
                }
            }
        }
        if let run = current { runs.append(run) }
        return runs
    }

    /// Every glyph of `now` that differs from `before` (all of them when `full`; `before` is
    /// then not read), row by row, left to right: its row, column, cell and width (2 for a
    /// wide grapheme, changed when either of its cells is). What a frame writes, for the runs
    /// curses is given and for the console's own writer alike. Read in place: a row the key
    /// did not touch (most of them) is passed over with one comparison per cell, no copies.
    static func forEachChange(now: UnsafeBufferPointer<Cell>, before: UnsafeBufferPointer<Cell>, width w: Int, height h: Int, full: Bool,
                              _ body: (_ y: Int, _ x: Int, _ cell: Cell, _ width: Int) -> Void) {
        for y in 0..<h {
            let row = y * w
            if !full, rowEqual(now, y, before, y, w) { continue }
            var x = 0
            while x < w {
                let cell = now[row + x]
                let wide = !cell.isContinuation && x + 1 < w && now[row + x + 1].isContinuation
                let width = wide ? 2 : 1
                if full || before[row + x] != cell || (wide && before[row + x + 1] != now[row + x + 1]) { body(y, x, cell, width) }
                x += width
            }
        }
    }

    /// Whether row `ya` of `a` and row `yb` of `b` (both `w` wide) hold the same cells.
    static func rowEqual(_ a: UnsafeBufferPointer<Cell>, _ ya: Int, _ b: UnsafeBufferPointer<Cell>, _ yb: Int, _ w: Int) -> Bool {
        let ra = ya * w, rb = yb * w
        for x in 0..<w where a[ra + x] != b[rb + x] { return false }
        return true
    }
}
