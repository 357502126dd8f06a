import Foundation

/// How `waha` says that something failed.
extension WAHADecode {
    /// Whether a body is one of WAHA's own answers (as opposed to a web server's 404 page).
    static func isAPIError(_ v: JSONValue) -> Bool {
        v["exception"] != nil || v["expected"] != nil || v["statusCode"] != nil
    }

    /// Whether a failed answer is WhatsApp refusing (500 with `exception`), not WAHA itself.
    static func isWhatsAppRefusal(_ r: HTTPResponseData) -> Bool {
        JSONValue.parse(r.body)?["exception"]?.object != nil
    }

    /// Maps a failed answer to an error: 401 `{"message":"Unauthorized"}`, 404 unknown session,
    /// 422 session not `WORKING`, 400 validation, 429, and 500 with WhatsApp's `exception.message`.
    /// With the request's `spec`, a web server's 404 for the route itself is `noSuchRoute`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        let v: JSONValue
        do { v = try DialectSupport.failedBody(r, spec, apiShape: isAPIError).get() } catch { return error }
        let text = WAHAShapes.message(v)
        if let exception = v["exception"], exception.object != nil {
            let m = exception["message"]?.text ?? text
            let code = exception["data"]?.int ?? exception["output"]?["statusCode"]?.int
            switch (m?.lowercased(), code) {
            case ("not-authorized", _), ("forbidden", _), (_, 401), (_, 403):
                return .forbidden("WhatsApp: \(m ?? "forbidden")")
            case ("item-not-found", _), (_, 404):
                return .notFound("the group or participant (WhatsApp: \(m ?? "item-not-found"))")
            case ("rate-overlimit", _), (_, 429):
                return .rateLimited(retryAfter: r.retryAfter)
            case ("bad-request", _), (_, 400):
                return .validation("WhatsApp: \(m ?? "bad-request")")
            default:
                return .server(status: r.status, message: m)
            }
        }
        if r.status == 422, v["expected"] != nil || (text ?? "").lowercased().contains("status is not as expected") {
            let status = v["status"]?.text
            return .notConnected(status.map { "status \($0), expected WORKING" } ?? text)
        }
        return DialectSupport.byStatus(r.status, text, notFound: "session, group or participant")
    }
}
