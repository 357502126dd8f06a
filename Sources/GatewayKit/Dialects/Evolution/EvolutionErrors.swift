import Foundation

/// How `evolution` says that something failed.
extension EvolutionDecode {
    /// `response.message`: a string, or a list of strings (Evolution's context, then WhatsApp's words).
    static func messages(_ v: JSONValue) -> [String] {
        let m = v["response"]?["message"] ?? v["message"]
        if let list = m?.array { return list.flatMap { $0.array?.compactMap(\.text) ?? [$0.text].compactMap { $0 } } }
        return [m?.text].compactMap { $0 }
    }

    /// Whether a body is Evolution's own answer, not a route the server does not have.
    static func isAPIError(_ v: JSONValue) -> Bool {
        guard v["response"] != nil || v["status"] != nil else { return false }
        return !(messages(v).first?.hasPrefix("Cannot ") ?? false)
    }

    /// Whether a failed answer carries WhatsApp's words (`Error: forbidden`, `Error: item-not-found`).
    static func isWhatsAppRefusal(_ r: HTTPResponseData) -> Bool {
        guard let v = JSONValue.parse(r.body) else { return false }
        return messages(v).contains { $0.hasPrefix("Error: ") }
    }

    /// Maps a failed answer to an error: `{"status":400,"error":"Bad Request","response":{"message":[…]}}`
    /// with WhatsApp's words (`forbidden`, `item-not-found`, `Connection Closed`, `rate-overlimit`),
    /// 401, 404 for an unknown instance, 429. With the request's `spec`, a route miss is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        let v: JSONValue
        do { v = try DialectSupport.failedBody(r, spec, apiShape: isAPIError).get() } catch { return error }
        let words = messages(v)
        let text = words.isEmpty ? v["error"]?.text : words.joined(separator: ": ")
        let lower = words.joined(separator: " ").lowercased()
        if lower.contains("connection closed") || lower.contains("not connected") || lower.contains("connection lost") {
            return .notConnected(text)
        }
        if lower.contains("rate-overlimit") { return .rateLimited(retryAfter: r.retryAfter) }
        if lower.contains("error: forbidden") || lower.contains("not-authorized") { return .forbidden(text) }
        if lower.contains("item-not-found") { return .notFound(text ?? "the group or participant") }
        return DialectSupport.byStatus(r.status, text, notFound: "instance, group or participant")
    }
}
