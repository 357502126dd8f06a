import Foundation

/// Everything that can go wrong talking to a gateway, mapped from each dialect's own error shapes.
/// Each case's `message` says what happened and what to do next; none carries a secret.
public enum GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token was refused (401).
    case unauthorized(String?)
    /// The session's account may not do this (403): usually not an admin of the group.
    case forbidden(String?)
    /// A session, group or participant is unknown to the gateway (404).
    case notFound(String)
    /// The session is not connected to WhatsApp (v1's 501, WAHA's 422, …).
    case notConnected(String?)
    /// Too many requests (429); seconds to wait when the gateway said.
    case rateLimited(retryAfter: Double?)
    /// The gateway refused the request's content (400, 422).
    case validation(String)
    /// The gateway failed (5xx) or answered with a status this dialect does not document.
    case server(status: Int, message: String?)
    /// No answer: connection refused, dropped, timed out, TLS failure.
    case transport(String)
    /// An answer that is not what the dialect sends (HTML from a proxy, truncated JSON).
    case undecodable(status: Int, excerpt: String)
    /// The route does not exist on this gateway (a 404 from the web server, not the API).
    case noSuchRoute(method: String, path: String)
    /// wamod's own configuration is wrong (profile, token source, URL).
    case configuration(String)
    /// The local record cannot be kept: the audit log or the journal cannot be opened,
    /// locked, written or read (a full disk, a read-only file system, wrong permissions).
    /// Nothing is sent without its record.
    case storage(String)
    /// What was asked cannot be done, by the rules rather than by a failure: an operation
    /// with no undo, an undo of a dry run, an id the audit log does not have.
    case notPossible(String)
    /// The answer was larger than the limit (`limit` bytes): it was cut off and not read.
    case tooLarge(limit: Int)

    /// What happened and what to do next, with every secret the process holds masked (a
    /// gateway's words may repeat the token).
    public var message: String { Secrets.mask(rawMessage) }

    private var rawMessage: String {
        switch self {
        case .unauthorized(let m):
            "unauthorized\(m.map { ": \($0)" } ?? ""): check the profile's token (wamod never prints it) and that it is valid on this gateway"
        case .forbidden(let m):
            "forbidden\(m.map { ": \($0)" } ?? ""): the session's account is probably not an admin of this group; ask an admin to promote it"
        case .notFound(let what):
            "not found: \(what); read it again and check the id"
        case .notConnected(let m):
            "session is not connected\(m.map { " (\($0))" } ?? ""): reconnect it in the gateway, then retry"
        case .rateLimited(let after):
            if let after { "rate limited: the gateway asks to wait \(Self.seconds(after)) before the next request" } else { "rate limited: slow down and retry later" }
        case .validation(let m):
            "the gateway refused the request: \(m)"
        case .server(let status, let m):
            "gateway error \(status)\(m.map { ": \($0)" } ?? ""); retry, and check the gateway's logs if it persists"
        case .transport(let m):
            "gateway unreachable: \(m); check the URL, the network and that the gateway is running"
        case .undecodable(let status, let excerpt):
            "the gateway's answer (status \(status)) is not what this dialect sends: \(excerpt.isEmpty ? "empty body" : "\"\(excerpt)\""); check the URL and the dialect"
        case .noSuchRoute(let method, let path):
            "the gateway has no route \(method) \(path); check the dialect and base URL"
        case .configuration(let m), .storage(let m), .notPossible(let m):
            m
        case .tooLarge(let limit):
            "the gateway's answer is larger than the \(limit >> 20) MB limit (max_answer_mb in the profile): it was cut off and not read; check the gateway, or raise the limit if such answers are expected"
        }
    }

    public var description: String { message }

    /// Whether the rest of the operation should stop: no later target can succeed either
    /// (the token was refused, the session went offline, the session is not an admin, the
    /// route does not exist, the gateway refuses connections). One target's 5xx, timeout,
    /// dropped connection or broken answer stops nothing: its neighbours may well succeed.
    public var stopsOperation: Bool {
        switch self {
        case .unauthorized, .forbidden, .notConnected, .noSuchRoute, .configuration, .storage, .notPossible: true
        case .transport(let why): RetryPolicy.certainlyNotSent(why)
        case .notFound, .rateLimited, .validation, .server, .undecodable, .tooLarge: false
        }
    }

    /// Whether a target that ended with this error may succeed later without a change to the
    /// request: the session reconnects, the gateway recovers, the limit resets, the session is
    /// made admin again, the token is fixed. Such targets stay in the journal for `wamod resume`.
    public var isTransient: Bool {
        switch self {
        case .unauthorized, .forbidden, .notConnected, .rateLimited, .server, .transport, .undecodable, .tooLarge, .storage: true
        case .notFound, .validation, .noSuchRoute, .configuration, .notPossible: false
        }
    }

    /// Whether the gateway could not be used at all (the command line's exit code 3):
    /// unreachable (refused, unresolved, TLS), the token refused, or no such route.
    public var isUnreachableOrUnauthorized: Bool {
        switch self {
        case .unauthorized, .noSuchRoute: true
        case .transport(let why): RetryPolicy.certainlyNotSent(why) || why.hasPrefix("TLS")
        default: false
        }
    }

    /// Whether the gateway answered, but not usably: an answer cut short or not in the
    /// dialect's shape, no answer in time, the connection dropped, or a 5xx that stayed
    /// after reading again (the command line's exit code 4).
    public var isBrokenAnswer: Bool {
        switch self {
        case .undecodable, .tooLarge: true
        case .server(let status, _): status >= 500
        case .transport: !isUnreachableOrUnauthorized
        default: false
        }
    }

    static func seconds(_ s: Double) -> String {
        guard s.isFinite, abs(s) < 1e9 else { return "a long time" }
        return s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }

    /// A short, single-line excerpt of a body for error messages.
    public static func excerpt(_ data: Data, limit: Int = 120) -> String {
        let text = String(decoding: data.prefix(limit * 4), as: UTF8.self)
        let flat = Redaction.scrub(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}
