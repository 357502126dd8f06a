import Foundation

/// How `wawp` says that something failed.
extension WawpDecode {
    /// Whether a body is Wawp's own error (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool { v["status"] != nil || v["error"] != nil }

    /// The answer's words: `message` (a string or a list), else `error`.
    static func message(_ v: JSONValue) -> String? { WAHAShapes.message(v) }

    /// Maps a failed answer to an error: `{"status":…,"message":"…","error":"…"}`; 401 bad
    /// credentials, 403 not an admin, 404 unknown instance, group or participant, 422 the
    /// instance not `WORKING`, 429. With the request's `spec`, a route miss is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        let v: JSONValue
        do { v = try DialectSupport.failedBody(r, spec, apiShape: isAPIError).get() } catch { return error }
        // The gateway's words could echo the request's query: keep secrets out of them.
        let text = message(v).map(Redaction.scrub)
        let lower = (text ?? "").lowercased()
        if r.status == 422 || r.status == 409,
           lower.contains("status") || lower.contains("working") || lower.contains("not connected") {
            return .notConnected(text)
        }
        return DialectSupport.byStatus(r.status, text, notFound: "instance, group or participant")
    }
}
