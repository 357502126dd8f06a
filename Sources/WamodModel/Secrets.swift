import Foundation
import Synchronization

/// The secrets this process holds (tokens, Wawp's two parts), so that a gateway that echoes
/// one back (in an error body, a label, a name) never gets it shown, logged or recorded. Each
/// is masked as it is, percent-encoded and base64-encoded.
public enum Secrets {
    /// What stands where a secret was.
    public static let shown = "***"

    /// A form of a secret, with its UTF-8 bytes kept for the byte search.
    private struct Form: Sendable {
        let text: String
        let bytes: [UInt8]
    }

    private static let known = Mutex<[Form]>([])
    private static let changes = Atomic<Int>(0)

    /// Changes whenever the list does: what remembers text already masked (the console's
    /// text layouts) starts again.
    public static var generation: Int { changes.load(ordering: .acquiring) }

    /// Remembers a secret (and its encoded forms). Secrets shorter than 6 characters are
    /// not masked in free text (every "1234" on screen would go), only where they are named.
    public static func register(_ secret: String) {
        let s = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard s.count >= 6 else { return }
        var forms = [s, Data(s.utf8).base64EncodedString()]
        if let pct = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics), pct != s { forms.append(pct) }
        if let pct = s.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed), pct != s { forms.append(pct) }
        let b64 = Data(s.utf8).base64EncodedString()
        forms.append(b64.replacingOccurrences(of: "=", with: ""))
        known.withLock { list in
            for f in forms where f.count >= 6 && !list.contains(where: { $0.text == f }) { list.append(Form(text: f, bytes: Array(f.utf8))) }
            // Longest first, so a form is never half-masked by a shorter one inside it.
            list.sort { $0.text.count > $1.text.count }
        }
        changes.add(1, ordering: .releasing)
    }

    /// The length of the longest form known, in characters.
    public static var longest: Int { known.withLock { $0.first?.text.count ?? 0 } }

    /// Forgets every secret (tests).
    public static func forgetAll() {
        known.withLock { $0.removeAll() }
        changes.add(1, ordering: .releasing)
    }

    /// `text` with every known secret replaced by `Secrets.shown`.
    public static func mask(_ text: String) -> String {
        let list = known.withLock { $0 }
        guard !list.isEmpty else { return text }
        // Most text the console draws (a name, a number, a column) is shorter than any form of
        // a token: it cannot hold one, and is not searched (the search was most of a frame's
        // cost of drawing text).
        let size = text.utf8.count
        guard list.contains(where: { $0.bytes.count <= size }) else { return text }
        var out = text
        for form in list where form.bytes.count <= out.utf8.count {
            if let replaced = replacingBytes(form.bytes, in: out) { out = replaced }
        }
        return out
    }

    /// `text` with every occurrence of `needle` (a secret's UTF-8) replaced by `shown`, or nil
    /// if there is none. Matched as bytes (`ByteSearch`), not through Foundation's canonical
    /// search, which cost most of a frame's masking; a secret followed by a combining mark is
    /// still masked.
    private static func replacingBytes(_ needle: [UInt8], in text: String) -> String? {
        // Native strings are contiguous UTF-8: searched in place, not copied.
        if let found = text.utf8.withContiguousStorageIfAvailable({ replacingBytes(needle, in: $0) }) { return found }
        return Array(text.utf8).withUnsafeBufferPointer { replacingBytes(needle, in: $0) }
    }

    private static func replacingBytes(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>) -> String? {
        needle.withUnsafeBufferPointer { n -> String? in
            guard !n.isEmpty else { return nil }
            var out: [UInt8] = []
            var copied = 0
            while let i = ByteSearch.firstOffset(of: n, in: hay, from: copied) {
                if out.isEmpty { out.reserveCapacity(hay.count) }
                out.append(contentsOf: hay[copied..<i])
                out.append(contentsOf: Secrets.shown.utf8)
                copied = i + n.count
            }
            guard copied > 0 else { return nil }
            out.append(contentsOf: hay[copied...])
            return String(decoding: out, as: UTF8.self)
        }
    }
}
