import Foundation
import Synchronization

/// The one sanitiser for text that reaches a terminal (the command line's standard output and
/// error, its prompts, and the console's screen). Text from a gateway (subjects, names,
/// labels, error messages) is typed by strangers: it may hold escape sequences that set the
/// terminal's title, write its clipboard or make it answer into a prompt, bidirectional and
/// invisible controls that spoof a number, or the token echoed back.
///
/// Replaced with U+FFFD: C0 controls (all of them, or all but newline and tab where the caller
/// joins lines itself), DEL, C1 controls; the bidirectional controls U+200E/200F, U+061C,
/// U+202A–202E, U+2066–2069; the line and paragraph separators U+2028/2029; and the invisible
/// characters U+200B, U+200C, U+2060–2064, U+FEFF, U+00AD, U+180E. A zero-width joiner
/// (U+200D) is kept only between two emoji, where it joins them into one picture (👩‍💻); anywhere
/// else (between digits, say) it is replaced too. Every secret the process holds
/// (`Secrets.register`) is masked first.
public enum TerminalText {
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// Whether `u` may not reach a terminal as it is (the zero-width joiner is decided by its
    /// neighbours, in `clean`).
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x00AD, 0x061C, 0x180E, 0x200B, 0x200C, 0x200E, 0x200F, 0x2028, 0x2029: true
        case 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    static func isEmojiPart(_ u: Unicode.Scalar?) -> Bool {
        guard let u, u.value > 0x7F else { return false }
        return u.properties.isEmoji || u.value == 0xFE0F || (0x1F3FB...0x1F3FF).contains(u.value)
    }

    /// `s` safe to write to a terminal: secrets masked, unsafe characters replaced. With
    /// `keepingNewlines`, `\n` and `\t` stay (for text whose lines the caller made).
    public static func clean(_ s: String, keepingNewlines: Bool = false) -> String {
        let masked = Secrets.mask(s)
        // Printable ASCII needs nothing more.
        if masked.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || (keepingNewlines && ($0 == 0x0A || $0 == 0x09)) }) { return masked }
        let scalars = Array(masked.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, u) in scalars.enumerated() {
            if keepingNewlines && (u == "\n" || u == "\t") { out.append(u); continue }
            if u.value == 0x200D {
                out.append(isEmojiPart(i > 0 ? scalars[i - 1] : nil) && isEmojiPart(i + 1 < scalars.count ? scalars[i + 1] : nil) ? u : replacement)
                continue
            }
            out.append(isUnsafe(u) ? replacement : u)
        }
        return String(out)
    }

    /// `s` cleaned and cut to at most `width` cells, ending in `…` when cut: for a name or a
    /// subject quoted in a line (a 10,000-character subject is not printed whole).
    public static func clip(_ s: String, _ width: Int = 60) -> String {
        CellWidth.truncate(clean(s), to: width)
    }

    /// JSON text with every unsafe character escaped as `\uXXXX` (JSON encoders leave C1
    /// controls, DEL and the bidirectional controls raw), and secrets masked. Valid JSON in,
    /// valid JSON out: outside strings JSON has none of these characters.
    public static func escapeJSON(_ json: String) -> String {
        let masked = Secrets.mask(json)
        // Newlines, carriage returns and tabs outside strings are the layout (inside strings
        // encoders escape them); every other unsafe character can only be inside a string.
        func layout(_ v: UInt32) -> Bool { v == 0x0A || v == 0x0D || v == 0x09 }
        if masked.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || layout(UInt32($0)) }) { return masked }
        var out = ""
        out.reserveCapacity(masked.utf8.count)
        for u in masked.unicodeScalars {
            if (isUnsafe(u) && !layout(u.value)) || u.value == 0x200D {
                out += String(format: "\\u%04X", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
