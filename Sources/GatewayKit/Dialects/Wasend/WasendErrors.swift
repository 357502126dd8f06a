import Foundation

/// How `wasend` says that something failed.
extension WasendDecode {
    /// Whether a body is Wasend's own error envelope (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool { v["success"]?.bool == false }

    /// Maps a failed answer to an error: `{"success":false,"error":"…","message":"…"}`.
    public static func error(_ r: HTTPResponseData) -> GatewayError {
        let v = JSONValue.parse(r.body)
        let text = v?["message"]?.text ?? v?["error"]?.text
        if r.status == 429 { return .rateLimited(retryAfter: r.retryAfter) }
        guard v != nil else {
            return DialectSupport.unparsed(r)
        }
        let lower = (text ?? "").lowercased()
        if lower.contains("not working") || lower.contains("not connected") || lower.contains("session status") {
            return .notConnected(text)
        }
        return DialectSupport.byStatus(r.status, text, notFound: "session, group or participant")
    }
}
