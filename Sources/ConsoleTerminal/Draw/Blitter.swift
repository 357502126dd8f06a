#if canImport(Glibc)
import Glibc
#endif
import CNCursesW
import Console

/// Paints `Screen`s: keeps the previous one and sends only what changed.
///
/// A full repaint (the first frame, after a resize or a SIGCONT) goes through curses: every
/// cell into stdscr, `clearok`, one `wnoutrefresh` + `doupdate`, which also puts the
/// terminal's modes back after `endwin`. Every other frame is written by `FrameWriter`
/// straight to the terminal, where it can be (a UTF-8 locale, a terminal with absolute cursor
/// addressing that does not scroll when its last cell is written): curses' copy of the
/// screen is then not kept up to date, so the next frame curses draws is always a full
/// repaint. Elsewhere every frame goes through curses. UI thread only.
final class Blitter {
    private var previous: Screen?
    private let palette: Palette
    private let unicode: Bool
    private var scratch: [wchar_t] = Array(repeating: 0, count: GlyphPlan.maxScalarsPerCell + 1)
    /// The console's own writer and the terminal it writes to, where frames skip curses.
    private var writer: FrameWriter?
    private let ttyFD: Int32
    /// The last frame sent was curses' (a full repaint): the next one starts from normal
    /// attributes whatever curses left.
    private var cursesDrewLast = true
    /// The bytes of each change of attributes, asked of ncurses once per pair of styles.
    private var changes: [[UInt8]?]

    init(palette: Palette, unicode: Bool, ttyFD: Int32 = -1) {
        self.palette = palette
        self.unicode = unicode
        self.ttyFD = ttyFD
        let styles = Style.allCases.count
        changes = Array(repeating: nil, count: (styles + 1) * styles)
        if ttyFD >= 0, unicode, let codes = Self.codes(self) { writer = FrameWriter(codes: codes) }
    }

    /// Whether frames after the first are written by the console's own writer.
    var writesDirectly: Bool { writer != nil }

    /// The terminal's strings for `FrameWriter`, or nil where it cannot be used: no absolute
    /// cursor addressing, or a terminal that scrolls when its bottom-right cell is written
    /// (automatic margins without the deferred wrap of `xenl`; curses works around that).
    private static func codes(_ blitter: Blitter) -> FrameWriter.Codes? {
        func string(_ name: String) -> String? { wamod_tigetstr(name).map { String(cString: $0) } }
        /// A capability of two numbers, formatted by terminfo at each use.
        func formatted(_ cap: String) -> (Int, Int, inout [UInt8]) -> Void {
            { a, b, out in cap.withCString { c in if let s = wamod_tparm2(c, Int32(a), Int32(b)) { out += Array(String(cString: s).utf8) } } }
        }
        guard let cup = string("cup") else { return nil }
        if wamod_tigetflag("am") != 0 && wamod_tigetflag("xenl") == 0 { return nil }
        // The ANSI form every common terminal has (xterm, tmux, screen, the Linux console) is
        // formatted here; any other goes through terminfo.
        let moveTo: (Int, Int, inout [UInt8]) -> Void = cup == "\u{1B}[%i%p1%d;%p2%dH"
            ? { y, x, out in
                out.append(0x1B); out.append(0x5B)
                FrameWriter.appendDecimal(y + 1, &out); out.append(0x3B)
                FrameWriter.appendDecimal(x + 1, &out); out.append(0x48)
            }
            : formatted(cup)
        return FrameWriter.Codes(
            moveTo: moveTo, scrollRegion: string("csr").map(formatted),
            scrollUp: string("ind").map { Array($0.utf8) },
            scrollDown: string("ri").map { Array($0.utf8) },
            style: { [unowned blitter] from, to, out in out += blitter.change(from, to) },
            reset: string("sgr0").map { Array($0.utf8) } ?? [],
            wcwidth: { Int(wamod_wcwidth($0.value)) })
    }

    /// The bytes ncurses sends to go from one style's attributes to another's (from nil:
    /// normal attributes), asked once and kept.
    private func change(_ from: Style?, _ to: Style) -> [UInt8] {
        let styles = Style.allCases.count
        let i = (from.map { Int($0.rawValue) + 1 } ?? 0) * styles + Int(to.rawValue)
        if let known = changes[i] { return known }
        let a = from.map { palette.look($0) } ?? Palette.Look(attrs: wamod_a_normal(), pair: 0)
        let b = palette.look(to)
        var buf = [CChar](repeating: 0, count: 512)
        let n = buf.withUnsafeMutableBufferPointer { wamod_attr_change(a.attrs, a.pair, b.attrs, b.pair, $0.baseAddress, Int32($0.count)) }
        let bytes = n >= 0 ? buf[0..<Int(n)].map { UInt8(bitPattern: $0) } : []
        changes[i] = bytes
        return bytes
    }

    /// The next draw repaints everything and clears the physical screen (after a resize, a
    /// SIGCONT, or anything else that may have scribbled on the terminal).
    func invalidate() {
        previous = nil
    }

    /// Draws `screen`, clipped to the terminal's current size.
    func draw(_ screen: Screen) {
        guard let win = wamod_stdscr() else { return }
        let rows = Int(wamod_getmaxy(win))
        let cols = Int(wamod_getmaxx(win))
        let full = ScreenDiff.needsFullRepaint(from: previous, to: screen)
        if let writer, !full, let previous, screen.width == cols, screen.height == rows {
            let bytes = writer.frame(from: previous, to: screen, resetFirst: cursesDrewLast)
            if Self.send(bytes, to: ttyFD) {
                self.previous = screen
                if !bytes.isEmpty { cursesDrewLast = false }
            } else {
                // The terminal did not take all of it: what it shows is not known any more.
                self.previous = nil
            }
            return
        }
        // Curses' copy of the screen is stale after frames it did not draw: with the writer,
        // every frame curses draws is a full repaint.
        let repaint = full || writer != nil
        if repaint {
            werase(win)
            clearok(wamod_curscr(), true)
        }
        for run in ScreenDiff.runs(from: repaint ? nil : previous, to: screen) where run.y < rows {
            let look = palette.look(run.style)
            for glyph in run.glyphs where glyph.x + glyph.width <= cols {
                write(glyph, y: run.y, attrs: look.attrs, pair: look.pair, win: win)
            }
        }
        previous = screen
        wnoutrefresh(win)
        doupdate()
        cursesDrewLast = true
    }

    /// Writes all of `bytes` to the terminal (waiting while it is busy, as curses does).
    /// Returns false when it could not.
    private static func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var done = 0
        return bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n > 0 { done += n; continue }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno == EAGAIN {
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&p, 1, 1000) > 0 { continue }
                }
                return false
            }
            return true
        }
    }

    private func write(_ glyph: DrawRun.Glyph, y: Int, attrs: attr_t, pair: Int16, win: UnsafeMutablePointer<WINDOW>) {
        // Printable ASCII (most of every frame) is its own cell for ncurses as for the screen.
        if glyph.width == 1, glyph.text.utf8.count == 1, let b = glyph.text.utf8.first, b >= 0x20, b < 0x7F {
            scratch[0] = wchar_t(b)
            scratch[1] = 0
            _ = scratch.withUnsafeBufferPointer { buf in wamod_put_cell(win, Int32(y), Int32(glyph.x), buf.baseAddress, attrs, pair) }
            return
        }
        let cells = GlyphPlan.cells(for: glyph.text, width: glyph.width, unicode: unicode) { Int(wamod_wcwidth($0.value)) }
        var x = glyph.x
        for cell in cells {
            let width = cell.first.map { max(1, Int(wamod_wcwidth($0.value))) } ?? 1
            for (i, scalar) in cell.enumerated() { scratch[i] = wchar_t(bitPattern: scalar.value) }
            scratch[cell.count] = 0
            let ok = scratch.withUnsafeBufferPointer { buf in
                wamod_put_cell(win, Int32(y), Int32(x), buf.baseAddress, attrs, pair)
            }
            if ok == ERR {
                // setcchar refused it: a replacement of the same width keeps columns in place.
                var fallback: [wchar_t] = [0x3F, 0]
                _ = wamod_put_cell(win, Int32(y), Int32(x), &fallback, attrs, pair)
                if width == 2 {
                    fallback = [0x20, 0]
                    _ = wamod_put_cell(win, Int32(y), Int32(x + 1), &fallback, attrs, pair)
                }
            }
            x += width
        }
    }
}
