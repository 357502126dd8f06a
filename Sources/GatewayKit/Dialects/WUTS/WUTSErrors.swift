import Foundation

/// How `wuts` says that something failed.
extension WUTSDecode {
    /// Whether a body is WUTS's own error envelope (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool { v["success"]?.bool == false }

    /// Maps a failed answer to an error, by `error_code` first, then by status. With the
    /// request's `spec`, a web server's 404 for the route itself is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        let v: JSONValue
        do { v = try DialectSupport.failedBody(r, spec, apiShape: isAPIError).get() } catch { return error }
        let text = (v["error"]?.text ?? v["message"]?.text).map { $0.replacingOccurrences(of: "\n", with: " ") }
        switch v["error_code"]?.text?.uppercased() {
        case "UNAUTHORIZED", "INVALID_TOKEN": return .unauthorized(text)
        case "FORBIDDEN", "NOT_ADMIN", "NOT_GROUP_ADMIN": return .forbidden(text)
        case "DEVICE_NOT_READY", "DEVICE_NOT_CONNECTED", "NOT_CONNECTED", "DEVICE_DISCONNECTED": return .notConnected(text)
        case "RATE_LIMITED", "RATE_LIMIT_EXCEEDED": return .rateLimited(retryAfter: r.retryAfter)
        case "VALIDATION_ERROR", "BAD_REQUEST", "INVALID_JID": return .validation(text ?? "invalid request")
        case "NOT_FOUND", "GROUP_NOT_FOUND", "DEVICE_NOT_FOUND", "NOT_IN_GROUP":
            return .notFound(text ?? "device, group or participant")
        default: break
        }
        return DialectSupport.byStatus(r.status, text, notFound: "device, group or participant")
    }
}
