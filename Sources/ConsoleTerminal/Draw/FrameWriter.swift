import Console

/// The bytes that take the terminal from one `Screen` to the next, made by the console
/// itself rather than by ncurses' `doupdate`.
///
/// ncurses compares the whole of its own copy of every changed line again and, before each
/// cursor move, formats four or five candidate moves through terminfo to pick the shortest:
/// for Tab (the borders of two panes change on every row, about 130 moves) that was 40% of
/// the key's CPU. The console already knows exactly which cells changed
/// (`ScreenDiff.forEachChange`, the same walk that gives curses its runs), so
/// it writes them directly: one absolute move per run of changed cells (none where the
/// previous run's text left the cursor), an attribute change where the style changes (the
/// bytes ncurses itself would send, asked once per pair of styles), the cells' UTF-8, and
/// back to normal attributes at the end. A list that scrolled is scrolled by the terminal
/// (a scrolling region and line feeds or reverse index) when at least three whole rows moved,
/// as ncurses' own scroll optimisation does.
///
/// Pure over `Codes`, so it is tested without a terminal (`FrameWriterTests` replays the
/// bytes into a model of the screen). UI thread only.
final class FrameWriter {
    /// What the terminal understands, as functions that append its bytes.
    struct Codes {
        /// Moves the cursor to row `y`, column `x` (zero-based).
        var moveTo: (_ y: Int, _ x: Int, _ out: inout [UInt8]) -> Void
        /// Sets the scrolling region to rows `top`...`bottom` (nil: the terminal has none).
        var scrollRegion: ((_ top: Int, _ bottom: Int, _ out: inout [UInt8]) -> Void)?
        /// Scrolls the region up one row from its bottom row (terminfo `ind`).
        var scrollUp: [UInt8]?
        /// Scrolls the region down one row from its top row (terminfo `ri`).
        var scrollDown: [UInt8]?
        /// From attributes `from` (nil: normal, as after `reset`) to those of `to`.
        var style: (_ from: Style?, _ to: Style, _ out: inout [UInt8]) -> Void
        /// Normal attributes (terminfo `sgr0`).
        var reset: [UInt8]
        /// How wide the terminal draws a scalar (the C library's `wcwidth`, as ncurses measures).
        var wcwidth: (Unicode.Scalar) -> Int
    }

    /// A scroll of the rows `top`...`bottom` by `by` rows (positive: the content moves up).
    struct Scroll: Equatable {
        var top: Int
        var bottom: Int
        var by: Int
    }

    /// Fewest whole rows that must have moved for the terminal to be asked to scroll.
    static let minimumRowsMoved = 3

    let codes: Codes
    private var out: [UInt8] = []

    init(codes: Codes) {
        self.codes = codes
        out.reserveCapacity(16 << 10)
    }

    /// The bytes from `old` to `new` (same size). Empty when nothing changed. With
    /// `resetFirst` (the first frame after one curses drew) the attributes are set to normal
    /// before anything is written, whatever curses left them as.
    func frame(from old: Screen, to new: Screen, resetFirst: Bool = false) -> [UInt8] {
        precondition(old.width == new.width && old.height == new.height, "a frame of another size is a full repaint")
        out.removeAll(keepingCapacity: true)
        let w = new.width, h = new.height
        var before = old.cells
        var style: Style?
        var cursor: (y: Int, x: Int)?
        // A scroll resets the attributes itself.
        var resetSent = false

        if let scroll = Self.scroll(from: old.cells, to: new.cells, width: w, height: h), let region = codes.scrollRegion,
           let step = scroll.by > 0 ? codes.scrollUp : codes.scrollDown {
            // Blank rows come in with the current background: normal attributes first.
            out += codes.reset
            resetSent = true
            region(scroll.top, scroll.bottom, &out)
            codes.moveTo(scroll.by > 0 ? scroll.bottom : scroll.top, 0, &out)
            for _ in 0..<abs(scroll.by) { out += step }
            region(0, h - 1, &out)
            Self.apply(scroll, to: &before, width: w)
        }

        new.cells.withUnsafeBufferPointer { now in
            before.withUnsafeBufferPointer { was in
                ScreenDiff.forEachChange(now: now, before: was, width: w, height: h, full: false) { y, x, cell, width in
                    if cursor == nil || cursor! != (y, x) { codes.moveTo(y, x, &out) }
                    if resetFirst && !resetSent {
                        out += codes.reset
                        resetSent = true
                    }
                    if style != cell.style {
                        codes.style(style, cell.style, &out)
                        style = cell.style
                    }
                    glyph(cell, width: width)
                    cursor = (y, x + width)
                }
            }
        }
        if style != nil { out += codes.reset }
        return out
    }

    /// Appends one glyph: printable ASCII as itself, anything else as `GlyphPlan` plans it,
    /// so the terminal's columns agree with the screen's (`wcwidth`, as for ncurses).
    private func glyph(_ cell: Cell, width: Int) {
        let code = cell.code
        if code >= 0x20 && code < 0x7F && width == 1 {
            out.append(UInt8(code))
            return
        }
        if cell.isContinuation {
            // A continuation with no wide glyph before it: a space keeps the column right.
            out.append(0x20)
            return
        }
        if code < 0x110000, code >= 0xA0, let scalar = Unicode.Scalar(code), codes.wcwidth(scalar) == width {
            appendUTF8(scalar)
            return
        }
        for planned in GlyphPlan.cells(for: cell.text, width: width, unicode: true, wcwidth: codes.wcwidth) {
            for scalar in planned { appendUTF8(scalar) }
        }
    }

    private func appendUTF8(_ scalar: Unicode.Scalar) {
        UTF8.encode(scalar) { out.append($0) }
    }

    /// Appends `n` (at least 0) in decimal ASCII.
    static func appendDecimal(_ n: Int, _ out: inout [UInt8]) {
        if n >= 10 { appendDecimal(n / 10, &out) }
        out.append(UInt8(0x30 + max(0, n) % 10))
    }

    // MARK: Scrolling

    /// The largest block of at least `minimumRowsMoved` whole rows that moved together by the
    /// same number of rows (and that were not already in place), if any.
    static func scroll(from old: [Cell], to new: [Cell], width w: Int, height h: Int) -> Scroll? {
        guard w > 0, h >= minimumRowsMoved + 1, old.count == w * h, new.count == w * h else { return nil }
        // Most frames change a row or two: those are passed over before any hashing.
        var changed = 0
        for y in 0..<h where !rowEqual(new, y, old, y, w) {
            changed += 1
            if changed >= minimumRowsMoved { break }
        }
        guard changed >= minimumRowsMoved else { return nil }
        let oldHash = rowHashes(old, w, h), newHash = rowHashes(new, w, h)
        var best: (start: Int, length: Int, by: Int)?
        for k in 1..<h {
            for by in [k, -k] {
                // Rows y of the new screen that are row y + by of the old one, and changed.
                var y = 0
                while y < h {
                    var length = 0
                    while y + length < h, (0..<h).contains(y + length + by), newHash[y + length] == oldHash[y + length + by],
                          newHash[y + length] != oldHash[y + length] {
                        length += 1
                    }
                    if length >= minimumRowsMoved, length > (best?.length ?? 0) { best = (y, length, by) }
                    y += max(1, length)
                }
            }
        }
        guard let b = best else { return nil }
        // Hashes only point the way: the rows must be equal cell for cell.
        for y in b.start..<(b.start + b.length) where !rowEqual(new, y, old, y + b.by, w) { return nil }
        return b.by > 0
            ? Scroll(top: b.start, bottom: b.start + b.length - 1 + b.by, by: b.by)
            : Scroll(top: b.start + b.by, bottom: b.start + b.length - 1, by: b.by)
    }

    /// What the terminal shows after `scroll`: the region's rows moved, the rows scrolled in
    /// unknown (a cell no screen holds, so every one of them is written).
    static func apply(_ scroll: Scroll, to cells: inout [Cell], width w: Int) {
        let unknown = Cell(code: UInt32.max, .normal)
        let k = abs(scroll.by)
        if scroll.by > 0 {
            for y in scroll.top...scroll.bottom {
                for x in 0..<w { cells[y * w + x] = y + k <= scroll.bottom ? cells[(y + k) * w + x] : unknown }
            }
        } else {
            for y in stride(from: scroll.bottom, through: scroll.top, by: -1) {
                for x in 0..<w { cells[y * w + x] = y - k >= scroll.top ? cells[(y - k) * w + x] : unknown }
            }
        }
    }

    private static func rowHashes(_ cells: [Cell], _ w: Int, _ h: Int) -> [UInt64] {
        cells.withUnsafeBufferPointer { c in
            (0..<h).map { y in
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for i in (y * w)..<(y * w + w) {
                    hash = (hash ^ UInt64(c[i].code)) &* 0x100_0000_01b3
                    hash = (hash ^ UInt64(c[i].style.rawValue)) &* 0x100_0000_01b3
                }
                return hash
            }
        }
    }

    private static func rowEqual(_ a: [Cell], _ ya: Int, _ b: [Cell], _ yb: Int, _ w: Int) -> Bool {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in ScreenDiff.rowEqual(pa, ya, pb, yb, w) } }
    }
}
