import Foundation

/// When, and after how long, a failed gateway request may be sent again: exponential
/// backoff with full jitter, for at most `maxAttempts` attempts in all.
///
/// The ceiling for attempt `n` (1-based, the attempt that just failed) is
/// `min(cap, base * factor^(n-1))` (1, 2, 4, 8, … 60 s with the defaults), and the delay is
/// uniformly random in `[0, ceiling]` ("full jitter"), so that many clients hit by the same
/// outage do not come back in step.
///
/// What is retried, and why:
/// - `.rateLimited`: yes. A `Retry-After` from the gateway is the minimum wait (the jittered
///   backoff is used when it is longer). A `Retry-After` above `maxRetryAfter` is not waited
///   out: the result is nil and the target fails as rate limited, rather than the operation
///   hanging silently for minutes.
/// - `.server` with a status of 500 or more: yes, the gateway failed and may recover.
/// - `.transport`: **only when the request certainly never reached the gateway**: the
///   connection was refused, or the host name did not resolve. A timeout, a connection that
///   dropped after the request was sent, a TLS failure or any other transport failure has an
///   *unknown effect*: the gateway may already have removed, added, promoted or demoted the
///   participant. Sending it again blindly could act twice, or act on a group that has since
///   changed, so `delay` returns nil and the caller must read the group again and decide from
///   what it shows (the target may already be in the wanted state).
/// - Never: `.unauthorized`, `.forbidden`, `.notFound`, `.notConnected`, `.validation`,
///   `.undecodable`, `.noSuchRoute`, `.configuration`, and `.server` below 500. Repeating
///   them cannot succeed without a change by a person.
public struct RetryPolicy: Sendable {
    /// The ceiling of the first retry's delay, in seconds.
    public var base: Double
    /// How much the ceiling grows per attempt.
    public var factor: Double
    /// The largest ceiling, in seconds.
    public var cap: Double
    /// Attempts in all, the first one included (3 = the first try and two retries).
    public var maxAttempts: Int
    /// The longest `Retry-After` that is waited out; longer ones are not retried.
    public var maxRetryAfter: Double
    /// A number in `[0, 1]`; the jitter's source. Tests inject a fixed or seeded one.
    public var random: @Sendable () -> Double

    public init(base: Double = 1, factor: Double = 2, cap: Double = 60, maxAttempts: Int = 3,
                maxRetryAfter: Double? = nil,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.base = max(0, base)
        self.factor = max(1, factor)
        self.cap = max(0, cap)
        self.maxAttempts = max(1, maxAttempts)
        self.maxRetryAfter = maxRetryAfter ?? max(0, cap)
        self.random = random
    }

    /// The defaults: 1 s, doubling, capped at 60 s, three attempts.
    public static let standard = RetryPolicy()

    /// The upper bound of the jittered delay after attempt `attempt` failed (1-based).
    public func ceiling(attempt: Int) -> Double {
        let exponent = Double(max(1, attempt) - 1)
        let grown = base * pow(factor, exponent)
        return grown.isFinite ? min(cap, grown) : cap
    }

    /// Seconds to wait before sending again, after attempt number `attempt` (1-based: 1 is
    /// the first try) failed with `error`; nil when it must not be sent again, because the
    /// error is not retryable (see the type's documentation; a timeout is never retried),
    /// `attempt` was the last one allowed, or the gateway's `Retry-After` is longer than
    /// `maxRetryAfter`.
    public func delay(attempt: Int, error: GatewayError) -> Double? {
        guard attempt < maxAttempts, Self.isRetryable(error) else { return nil }
        let unit = random()
        let jitter = (unit.isFinite ? min(1, max(0, unit)) : 0) * ceiling(attempt: attempt)
        if case .rateLimited(let retryAfter?) = error {
            guard retryAfter <= maxRetryAfter else { return nil }
            return max(retryAfter, jitter)
        }
        return jitter
    }

    /// Whether sending the same request again can help and cannot do harm.
    public static func isRetryable(_ error: GatewayError) -> Bool {
        switch error {
        case .rateLimited: true
        case .server(let status, _): status >= 500
        case .transport(let message): certainlyNotSent(message)
        case .unauthorized, .forbidden, .notFound, .notConnected, .validation,
             .undecodable, .noSuchRoute, .configuration, .storage, .notPossible, .tooLarge: false
        }
    }

    /// The transport failures (as `HTTPTransport` words them) where the request never
    /// left this machine or never reached the gateway: nothing can have happened.
    static let unsentTransportReasons: Set<String> = ["connection refused", "host not found"]

    /// Whether a `.transport` reason says the request certainly did not reach the gateway.
    /// Anything not recognised counts as "may have reached it".
    public static func certainlyNotSent(_ transportReason: String) -> Bool {
        unsentTransportReasons.contains(transportReason.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }
}
