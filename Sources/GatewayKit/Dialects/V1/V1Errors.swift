import Foundation

/// How `v1` says that something failed.
extension V1Decode {
    /// Maps a failed answer to an error: `{"error":{"code","message"}}`.
    public static func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec? = nil) -> GatewayError {
        let v = JSONValue.parse(r.body)
        let code = v?["error"]?["code"]?.string
        let message = v?["error"]?["message"]?.text
        if r.status == 429 || code == "rate_limited" { return .rateLimited(retryAfter: r.retryAfter) }
        // `members:approve` answers 501 to everyone, whatever the session's state: not "offline".
        if r.status == 501, let spec, spec.path.hasSuffix("/members:approve") { return .notPossible(V1Codec.joinRequestsUnbuilt) }
        guard v != nil, code != nil else {
            if r.status == 404, let spec { return .noSuchRoute(method: spec.method, path: spec.redactedTarget) }
            if v != nil, r.status >= 500 { return .server(status: r.status, message: message) }
            return DialectSupport.unparsed(r)
        }
        switch (code ?? "", r.status) {
        case ("unauthorized", _), (_, 401): return .unauthorized(message)
        case ("forbidden", _), (_, 403): return .forbidden(message)
        case ("not_found", _), (_, 404): return .notFound(message ?? "session, group or member")
        case ("not_implemented", _), (_, 501): return .notConnected(message)
        case ("validation_error", _), (_, 400), (_, 422): return .validation(message ?? "invalid request")
        default: return .server(status: r.status, message: message)
        }
    }
}
