import Foundation

/// One normalised form for matching what an operator types against a subject or a name:
/// the console and the command line both find groups and check typed confirmations with it.
///
/// The key is the cleaned text (`TerminalText.clean`), in Unicode NFC, with variation
/// selectors (U+FE00–FE0F, U+E0100–E01EF) and zero-width joiners removed, compared without
/// regard to case. So "Família Souza ❤" (as a terminal without emoji presentation shows it, or
/// as it is typed) matches "Família Souza ❤️", and a decomposed "Familia" with a combining
/// acute matches the composed one. Accents still count ("Familia" is another name), and
/// display never uses the key: names are drawn as they are.
public enum SubjectMatch {
    /// The form two texts are compared in.
    public static func key(_ s: String) -> String {
        let cleaned = TerminalText.clean(s).precomposedStringWithCanonicalMapping
        var out = String.UnicodeScalarView()
        for u in cleaned.unicodeScalars where !ignored(u) { out.append(u) }
        return String(out).trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func ignored(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0xFE00...0xFE0F, 0xE0100...0xE01EF, 0x200D: true
        default: false
        }
    }

    /// Whether `a` and `b` name the same thing once normalised.
    public static func same(_ a: String, _ b: String) -> Bool { key(a) == key(b) }

    /// `s` as a terminal that cannot join emoji sequences shows it, and as the console draws
    /// such a grapheme when ncurses cannot hold it whole: each grapheme made of several
    /// pictures (a ZWJ sequence, a flag, a skin tone) reduced to its first scalar. "Comunidade
    /// Dev 👩‍💻" becomes "Comunidade Dev 👩". Used only so that typing what is on screen confirms.
    public static func simplified(_ s: String) -> String {
        var out = ""
        for ch in s {
            let scalars = ch.unicodeScalars
            if scalars.count > 1, let first = scalars.first, joinsPictures(ch) {
                out.unicodeScalars.append(first)
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func joinsPictures(_ ch: Character) -> Bool {
        ch.unicodeScalars.contains { u in
            u.value == 0x200D || (0x1F3FB...0x1F3FF).contains(u.value) || (0x1F1E6...0x1F1FF).contains(u.value)
        }
    }

    /// Whether `typed` confirms an action on `name`: the name itself, the name as the screen
    /// showed it (`shown`, which may be cut and end in `…`; or its simplified form), or, when
    /// `count` is given, the count. Blank never confirms.
    public static func confirms(_ typed: String, name: String, shown: [String] = [], count: Int? = nil) -> Bool {
        let t = typed.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return false }
        if let count, t == String(count) { return true }
        let k = key(t)
        guard !k.isEmpty else { return false }
        let forms = [name, simplified(name)] + shown + shown.map(simplified)
        return forms.contains { !key($0).isEmpty && key($0) == k }
    }

    /// The members of `items` whose text matches `text` once normalised: several means the
    /// caller must ask for an id (and list them).
    public static func matching<T>(_ text: String, in items: [T], by name: (T) -> String) -> [T] {
        let k = key(text)
        guard !k.isEmpty else { return [] }
        let exact = items.filter { key(name($0)) == k }
        if !exact.isEmpty { return exact }
        // What a terminal without joined emoji showed ("Comunidade Dev 👩").
        return items.filter { key(simplified(name($0))) == k }
    }
}
