/// How to write one glyph so that ncurses' idea of its width (the C library's `wcwidth`)
/// agrees with the `Screen`'s, and columns never shift.
///
/// ncurses stores one spacing character plus up to four combining (zero-width) ones per cell.
/// A ZWJ emoji family, a flag or a skin-toned emoji is one 2-cell glyph for the `Screen` (and
/// for tmux), but several spacing characters for ncurses; writing it whole would move every
/// later column. Such glyphs are simplified until both sides agree.
public enum GlyphPlan {
    /// One terminal cell's contents: a spacing scalar and its combining scalars.
    public typealias CellScalars = [Unicode.Scalar]

    /// Most scalars ncurses keeps in one cell (CCHARW_MAX).
    public static let maxScalarsPerCell = 5

    /// The cells to write for `text`, which the screen says is `width` (1 or 2) cells wide.
    /// Each element is written at the next column; a wide element covers two columns.
    /// The widths of the returned cells, measured with `wcwidth`, always add up to `width`.
    ///
    /// - Parameters:
    ///   - wcwidth: the width ncurses will use (the C library's `wcwidth`; -1 when unprintable).
    ///   - unicode: false in a non-UTF-8 locale: the replacement is `?` instead of U+FFFD.
    public static func cells(for text: String, width: Int, unicode: Bool, wcwidth: (Unicode.Scalar) -> Int) -> [CellScalars] {
        let replacement: Unicode.Scalar = unicode && wcwidth("\u{FFFD}") == 1 ? "\u{FFFD}" : "?"
        let fallback: [CellScalars] = width == 2 ? [[replacement], [" "]] : [[replacement]]
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first else { return width == 2 ? [[" "], [" "]] : [[" "]] }
        let firstWidth = wcwidth(first)
        guard firstWidth >= 1 else { return fallback }

        // The whole grapheme fits one ncurses cell: a spacing scalar plus combining ones.
        let rest = scalars.dropFirst()
        let restIsCombining = rest.allSatisfy { wcwidth($0) == 0 }
        if firstWidth == width, restIsCombining, scalars.count <= maxScalarsPerCell {
            return [scalars]
        }
        // A flag: two regional indicators, one cell each for ncurses, two cells for the
        // screen. Written as two cells they keep the columns and the terminal draws the flag
        // (🇲🇽, not 🇲 and a space).
        if width == 2, scalars.count == 2, scalars.allSatisfy({ (0x1F1E6...0x1F1FF).contains($0.value) && wcwidth($0) == 1 }) {
            return [[scalars[0]], [scalars[1]]]
        }
        // Otherwise keep the base character when it has the right width on its own
        // (👍🏽 → 👍, a ZWJ family → its first member), else the replacement.
        if firstWidth == width { return [[first]] }
        if firstWidth == 1, width == 2 { return [[first], [" "]] }
        return fallback
    }
}
