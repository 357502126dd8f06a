import Foundation

/// A request as the dialect routes see it: method, percent-decoded path segments, query, the
/// headers (the Authorization header apart), and the body. Free of Hummingbird, so routes stay
/// plain functions.
struct SimRequest: Sendable {
    var method: String
    /// The path and query exactly as received (NestJS's "Cannot POST /x" repeats it).
    var target: String
    /// Path segments, each percent-decoded (`%40` → `@`); nil when an escape is malformed.
    var segments: [String]?
    var query: [String: String]
    var authorization: String?
    /// Every header, by lower-cased name (the dialects' own key headers: `X-Api-Key`, `apikey`).
    var headers: [String: String]
    var body: [UInt8]

    init(method: String, target: String, authorization: String?, headers: [String: String] = [:], body: [UInt8]) {
        self.method = method
        self.target = target
        self.authorization = authorization
        var lower: [String: String] = [:]
        for (k, v) in headers { lower[k.lowercased()] = v }
        self.headers = lower
        self.body = body
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? "/"
        var raw = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if raw.first == "" { raw.removeFirst() }
        if raw.last == "" { raw.removeLast() }
        let decoded = raw.map { $0.removingPercentEncoding }
        segments = decoded.contains { $0 == nil } ? nil : decoded.compactMap { $0 }
        var q: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
                q[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
            }
        }
        query = q
    }

    /// A header's value, by any case of its name.
    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as a JSON object; nil when it is empty or not one.
    func jsonObject() -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The body's `participants`: nil when missing or not an array of strings.
    func participantStrings() -> [String]? {
        guard !body.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let list = object["participants"] as? [Any]
        else { return nil }
        let strings = list.compactMap { $0 as? String }
        return strings.count == list.count ? strings : nil
    }
}

/// An answer: status, headers, body.
struct SimResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    static func json(_ status: Int, _ value: JSON, headers: [(String, String)] = []) -> SimResponse {
        SimResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
                    body: Array(value.text.utf8))
    }

    static func noContent() -> SimResponse { SimResponse(status: 204, headers: [], body: []) }

    /// What a misconfigured reverse proxy sends: an HTML error page.
    static func proxyHTML() -> SimResponse {
        SimResponse(status: 502, headers: [("Content-Type", "text/html")],
                    body: Array("<html><body>502 Bad Gateway</body></html>".utf8))
    }

    var retryAfter: String? { headers.first { $0.0.lowercased() == "retry-after" }?.1 }
}

enum Auth {
    /// Whether `header` is `Bearer <token>`, compared in constant time (for a given length).
    static func bearer(_ header: String?, matches token: String) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
        let wanted = Array(token.utf8)
        var diff = UInt8(given.count == wanted.count ? 0 : 1)
        for i in 0..<max(given.count, wanted.count) {
            let a = i < given.count ? given[i] : 0
            let b = i < wanted.count ? wanted[i] : 0
            diff |= a ^ b
        }
        return diff == 0 && !wanted.isEmpty
    }
}

/// Cursor pagination (v1): an opaque cursor naming an offset.
enum Cursor {
    static func make(_ offset: Int) -> String {
        Data("o:\(offset)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// The offset a cursor names: 0 for none or "", nil for a cursor this server did not make.
    static func offset(_ cursor: String?) -> Int? {
        guard let cursor, !cursor.isEmpty else { return 0 }
        let padded = cursor + String(repeating: "=", count: (4 - cursor.count % 4) % 4)
        guard let data = Data(base64Encoded: padded), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("o:"), let n = Int(text.dropFirst(2)), n >= 0 else { return nil }
        return n
    }
}
