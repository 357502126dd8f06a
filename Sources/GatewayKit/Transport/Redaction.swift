import Foundation

/// Keeps secrets out of logs, errors and the screen.
public enum Redaction {
    public static let mask = Secrets.shown

    static let secretNames: Set<String> = [
        "token", "access_token", "access-token", "apikey", "api_key", "api-key", "key",
        "instance_id", "password", "secret", "authorization", "x-api-key",
    ]

    /// Whether a query parameter or header with this name carries a secret.
    public static func isSecretName(_ name: String) -> Bool {
        secretNames.contains(name.lowercased())
    }

    /// Masks `name=value` pairs and JSON `"name": "value"` members whose name is secret, and
    /// bearer tokens, in free text (an excerpt of a gateway's answer, an error message).
    public static func scrub(_ text: String) -> String {
        var out = text
        for name in secretNames {
            // "name":"value" and "name": "value", as a gateway may echo a request's body.
            var from = out.startIndex
            while let r = out.range(of: "\"" + name + "\"", options: [.caseInsensitive], range: from..<out.endIndex) {
                var i = r.upperBound
                while i < out.endIndex, out[i] == " " { i = out.index(after: i) }
                guard i < out.endIndex, out[i] == ":" else { from = r.upperBound; continue }
                i = out.index(after: i)
                while i < out.endIndex, out[i] == " " { i = out.index(after: i) }
                guard i < out.endIndex, out[i] == "\"" else { from = r.upperBound; continue }
                let valueStart = out.index(after: i)
                let valueEnd = out[valueStart...].firstIndex(of: "\"") ?? out.endIndex
                out.replaceSubrange(valueStart..<valueEnd, with: mask)
                from = out.index(valueStart, offsetBy: mask.count, limitedBy: out.endIndex) ?? out.endIndex
            }
            var search = out.startIndex
            while let r = out.range(of: name + "=", options: [.caseInsensitive], range: search..<out.endIndex) {
                let valueStart = r.upperBound
                let valueEnd = out[valueStart...].firstIndex { "&# \n\"'".contains($0) } ?? out.endIndex
                out.replaceSubrange(valueStart..<valueEnd, with: mask)
                search = out.index(valueStart, offsetBy: mask.count, limitedBy: out.endIndex) ?? out.endIndex
            }
        }
        if let r = out.range(of: "Bearer ", options: .caseInsensitive) {
            let end = out[r.upperBound...].firstIndex { " \n\"'".contains($0) } ?? out.endIndex
            out.replaceSubrange(r.upperBound..<end, with: mask)
        }
        return out
    }
}
