import CNCursesW
import Console

/// Paints `Screen`s into curses: keeps the previous one, writes only the runs that changed
/// into stdscr, then one `wnoutrefresh` + `doupdate` (which sends curses' own minimal diff).
/// UI thread only.
final class Blitter {
    private var previous: Screen?
    private let palette: Palette
    private let unicode: Bool
    private var scratch: [wchar_t] = Array(repeating: 0, count: GlyphPlan.maxScalarsPerCell + 1)

    init(palette: Palette, unicode: Bool) {
        self.palette = palette
        self.unicode = unicode
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
        if full {
            werase(win)
            clearok(wamod_curscr(), true)
        }
        for run in ScreenDiff.runs(from: previous, to: screen) where run.y < rows {
            let look = palette.look(run.style)
            for glyph in run.glyphs where glyph.x + glyph.width <= cols {
                write(glyph, y: run.y, attrs: look.attrs, pair: look.pair, win: win)
            }
        }
        previous = screen
        wnoutrefresh(win)
        doupdate()
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
