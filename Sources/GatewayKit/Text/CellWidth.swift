import Foundation

/// Terminal cell widths, measured per grapheme: CJK and emoji take two cells, combining marks
/// none. Used to align tables and panes so columns never shift.
///
/// It lives here, beside the one sanitiser (`TerminalText`), rather than with the console's
/// terminal code, because three places measure text for a terminal and must agree: the
/// command line's tables and cut names, `TerminalText.clip`, and the console's `Screen`.
/// It knows nothing of curses; how a glyph is then written so that ncurses agrees is
/// ConsoleTerminal's `GlyphPlan`.
public enum CellWidth {
    /// Cells one grapheme (a `Character`) takes.
    public static func of(_ ch: Character) -> Int {
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count == 1 { return scalar(first) }
        // A sequence with an emoji presentation selector, a ZWJ, a skin tone or a flag is one wide glyph.
        if scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D || (0x1F3FB...0x1F3FF).contains($0.value) }) { return 2 }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }
        return max(scalar(first), 0) == 0 ? scalars.map(scalar).max() ?? 0 : scalar(first)
    }

    /// Cells a string takes.
    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

    static func scalar(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if v < 0x300 { return 1 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0x1160...0x11FF).contains(v) { return 0 }
        if u.properties.isEmojiPresentation { return 2 }
        return isWide(v) ? 2 : 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Cuts `s` to at most `width` cells, ending in `…` when cut.
    public static func truncate(_ s: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(s) <= width { return s }
        var out = ""
        var used = 0
        for ch in s {
            let w = of(ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// `s` cut or padded with spaces to exactly `width` cells.
    public static func fit(_ s: String, to width: Int, alignRight: Bool = false) -> String {
        let t = truncate(s, to: width)
        let pad = String(repeating: " ", count: max(0, width - of(t)))
        return alignRight ? pad + t : t + pad
    }

    /// Text safe for one line of a terminal: `TerminalText.clean` (secrets masked; controls,
    /// bidirectional and invisible characters replaced with `�`).
    public static func sanitize(_ s: String) -> String { TerminalText.clean(s) }
}
