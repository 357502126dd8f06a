import Foundation
import WamodModel

/// Why a Wawp request failed, rendered as Wawp answers it.
enum WawpFailure: Error {
    case validation(String)
    case forbidden(String)
    case notFound(String)
    case refusal(WorldRefusal)

    static func wrap<T>(_ body: () throws(WorldRefusal) -> T) throws(WawpFailure) -> T {
        do throws(WorldRefusal) { return try body() } catch { throw .refusal(error) }
    }

    var response: SimResponse {
        switch self {
        case .validation(let m): WawpRender.error(400, m)
        case .forbidden(let m): WawpRender.error(403, m)
        case .notFound(let m): WawpRender.error(404, m)
        case .refusal(let refusal):
            switch refusal {
            case .sessionNotFound: WawpRender.error(404, "Instance not found")
            case .notConnected(let status):
                WawpRender.error(422, "Session status is not as expected: \(status) (expected WORKING)")
            case .rateLimited(let seconds): WawpRender.tooManyRequests(retryAfter: seconds)
            case .groupNotFound: WawpRender.error(404, "Group not found")
            case .notMember: WawpRender.error(404, "The instance is not a participant of this group")
            case .notAdmin: WawpRender.error(403, "The instance is not an admin of this group")
            case .ownerCannotLeave: WawpRender.error(403, "The group creator cannot leave")
            }
        }
    }
}

/// Wawp's own shapes (gateways.md §6): the error body and the session; reads otherwise use
/// WAHA's (`WAHARender`).
enum WawpRender {
    static func title(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Internal Server Error"
        }
    }

    /// `{"status":…,"message":"…","error":"…"}`.
    static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> SimResponse {
        .json(status, ["status": .int(status), "message": .string(message), "error": .string(title(status))], headers: headers)
    }

    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        error(429, "Too many requests: retry in \(retryAfter) s", headers: [("Retry-After", String(retryAfter))])
    }

    /// An unknown route: the method and path only, never the query (it carries the secrets).
    static func routeMiss(_ request: SimRequest) -> SimResponse {
        let path = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        return error(404, "Cannot \(request.method) \(path)")
    }

    /// WAHA's session object, named as Wawp names its engines (`wawp-…`), not by the instance id.
    static func session(_ s: SessionState) -> JSON {
        let me: JSON = s.connected
            ? ["id": .optional(s.account.phone.map { "\($0)@c.us" }), "pushName": .string(s.account.name)]
            : nil
        return [
            "name": .string("wawp-\(s.label)"),
            "status": .string(s.connected ? "WORKING" : s.offlineStatus),
            "config": ["webhooks": [:], "proxy": nil],
            "me": me,
        ]
    }
}
