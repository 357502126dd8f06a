import Foundation
import Synchronization

/// Where the world reads the time (seconds, any origin): the rate limiter's clock.
public struct SimClock: Sendable {
    public var now: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double) { self.now = now }

    /// The process's monotonic clock.
    public static var system: SimClock {
        SimClock { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    }

    /// A clock that moves only when told to, for tests.
    public static func manual(_ time: ManualTime) -> SimClock { SimClock { time.now } }
}

/// A settable time source for `SimClock.manual`.
public final class ManualTime: Sendable {
    private let value: Mutex<Double>
    public init(_ start: Double = 1000) { value = Mutex(start) }
    public var now: Double { value.withLock { $0 } }
    public func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}

/// Which of Wasend's two path forms the emulator serves (see gateways.md §3).
public enum WasendPathForms: String, Sendable, CaseIterable {
    /// Both the documented and the SDK paths (default).
    case both
    /// Only the documented paths: `DELETE …/participants`, `…/participants/promote|demote`.
    case documented
    /// Only the SDK paths: `POST …/participants/remove`, `…/admin/promote|demote`.
    case sdk
}

/// Which forms of Wawp's identity read the emulator serves (gateways.md §10).
public enum WawpSessionInfoForms: String, Sendable, CaseIterable {
    /// `POST` and `GET /v2/session/info` (default: gateways.md has the emulator accept both).
    case both
    /// Only `POST`, as Wawp's current page documents it (https://api.wawp.net/en/docs/v2/session/info).
    case documented
    /// Only `GET`, as an older page shows it (https://docs.wawp.net/get-session-info-19594178e0):
    /// a gateway of that time, to rehearse the client's fallback.
    case older

    func serves(_ method: String) -> Bool {
        switch self {
        case .both: method == "POST" || method == "GET"
        case .documented: method == "POST"
        case .older: method == "GET"
        }
    }
}

/// Faults the operator switches on to rehearse failures. Counters ("next N requests") count
/// down as requests arrive, over every server sharing the world.
public struct Faults: Sendable, Equatable {
    /// Added to every answer, in milliseconds.
    public var latencyMs: Int
    /// The next N requests answer `serverErrorStatus`.
    public var serverErrorNext: Int
    /// Fraction of requests (0...1) answering `serverErrorStatus`, drawn from the world's seed.
    public var serverErrorRate: Double
    public var serverErrorStatus: Int
    /// The next N requests answer a proxy's HTML 502 page.
    public var htmlNext: Int
    /// The next N requests get their connection closed without an answer.
    public var dropNext: Int
    /// The next N mutating requests are carried out, then their connection is closed before
    /// the answer: the change happened, and the client cannot know it.
    public var lostAnswerNext = 0
    /// The next N requests answer 429 with `Retry-After: rateLimitRetryAfter` (a 429 storm).
    public var rateLimitNext: Int
    public var rateLimitRetryAfter: Int
    /// Session id → the session disconnects after this many more mutations.
    public var disconnectAfterMutations: [String: Int]
    /// The next N mutating requests are carried out, then answered 200 with a body cut short
    /// (a well-formed HTTP answer whose JSON is broken: Content-Length matches the cut body).
    public var truncatedNext = 0
    /// The next N mutating requests are NOT carried out, and answered 200 with a body cut short.
    public var truncatedUnappliedNext = 0

    // Shares (0...1) of requests, each drawn from the world's seeded fault dice per request.
    // One draw per request decides among them (`serverErrorRate` first, then 429, drop,
    // truncated, HTML, stall), so each share is exact while they add up to at most 1; past
    // that, the later ones get what is left.

    /// The connection is closed without an answer, right after the request head arrived.
    public var dropRate = 0.0
    /// A proxy's HTML 502 page.
    public var htmlRate = 0.0
    /// The dialect's own 429 with `Retry-After: rateLimitRetryAfter`.
    public var rateLimitRate = 0.0
    /// 200 with a body cut short; for a mutation, carried out or not (half each, from the dice).
    public var truncatedRate = 0.0
    /// The answer is held for `stallMs` (a mutation's change is made at once; only the answer is late).
    public var stallRate = 0.0
    public var stallMs = 30_000
    /// Whether the rates above (and `serverErrorRate`) apply to every request or only to
    /// mutating ones.
    public var ratesOnMutationsOnly = false

    public init(latencyMs: Int = 0, serverErrorNext: Int = 0, serverErrorRate: Double = 0,
                serverErrorStatus: Int = 500, htmlNext: Int = 0, dropNext: Int = 0,
                rateLimitNext: Int = 0, rateLimitRetryAfter: Int = 2,
                disconnectAfterMutations: [String: Int] = [:]) {
        self.latencyMs = latencyMs; self.serverErrorNext = serverErrorNext
        self.serverErrorRate = serverErrorRate; self.serverErrorStatus = serverErrorStatus
        self.htmlNext = htmlNext; self.dropNext = dropNext
        self.rateLimitNext = rateLimitNext; self.rateLimitRetryAfter = rateLimitRetryAfter
        self.disconnectAfterMutations = disconnectAfterMutations
    }

    public static let none = Faults()

    /// Whether any share above is set (the dice are thrown only then).
    var anyRate: Bool {
        serverErrorRate > 0 || rateLimitRate > 0 || dropRate > 0 || truncatedRate > 0 || htmlRate > 0 || stallRate > 0
    }
}

/// The fault shares by the names operators give them (`wamod sim --fault-rates`, the emulator's
/// admin view): `5xx`, `429`, `reset`, `truncate`, `html`, `stall`.
public enum FaultRate: String, Sendable, CaseIterable {
    case serverError = "5xx"
    case rateLimited = "429"
    case reset
    case truncate
    case html
    case stall

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public var keyPath: WritableKeyPath<Faults, Double> {
        switch self {
        case .serverError: \.serverErrorRate
        case .rateLimited: \.rateLimitRate
        case .reset: \.dropRate
        case .truncate: \.truncatedRate
        case .html: \.htmlRate
        case .stall: \.stallRate
        }
    }

    /// Parses `5xx=0.1,429=0.05,…`: each name at most once, each share from 0 to 1.
    public static func parse(_ list: String) throws(FaultRateError) -> [FaultRate: Double] {
        var out: [FaultRate: Double] = [:]
        for item in list.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pair[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard pair.count == 2 else { throw .malformed(String(item).trimmingCharacters(in: .whitespaces)) }
            guard let rate = FaultRate(rawValue: name) else { throw .unknownName(name) }
            guard out[rate] == nil else { throw .repeated(name) }
            let text = pair[1].trimmingCharacters(in: .whitespaces)
            guard let share = Double(text), share.isFinite, (0...1).contains(share) else { throw .badShare(name, text) }
            out[rate] = share
        }
        return out
    }

    /// Every share set to `rates` (those not named become 0).
    public static func replaceAll(in faults: inout Faults, with rates: [FaultRate: Double]) {
        for rate in allCases { faults[keyPath: rate.keyPath] = rates[rate] ?? 0 }
    }
}

public enum FaultRateError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownName(String)
    case repeated(String)
    case badShare(String, String)

    public var description: String {
        switch self {
        case .malformed(let item): "'\(item)' is not name=share"
        case .unknownName(let name): "unknown fault '\(name)' (known: \(FaultRate.names))"
        case .repeated(let name): "the fault '\(name)' is named twice"
        case .badShare(let name, let text): "the share of '\(name)' is a number from 0 to 1, not '\(text)'"
        }
    }
}

/// How the world behaves: rate limits, page sizes, faults, Wasend's path forms, Wawp's identity
/// read, the clock.
public struct WorldOptions: Sendable {
    /// Mutating requests a session may make per minute (token refill); 0 = unlimited.
    public var ratePerMinute: Int
    /// Bucket capacity: mutating requests allowed in a burst.
    public var burst: Int
    public var groupsPageSize: Int
    public var membersPageSize: Int
    public var faults: Faults
    public var wasendPathForms: WasendPathForms
    /// Which methods Wawp's `/v2/session/info` answers (the others are a route miss).
    public var wawpSessionInfo: WawpSessionInfoForms = .both
    public var clock: SimClock

    public init(ratePerMinute: Int = 60, burst: Int = 10, groupsPageSize: Int = 50,
                membersPageSize: Int = 200, faults: Faults = .none,
                wasendPathForms: WasendPathForms = .both, clock: SimClock = .system) {
        self.ratePerMinute = ratePerMinute; self.burst = burst
        self.groupsPageSize = max(1, groupsPageSize); self.membersPageSize = max(1, membersPageSize)
        self.faults = faults; self.wasendPathForms = wasendPathForms; self.clock = clock
    }

    /// No rate limit: handy for tests that are not about pacing.
    public static var unlimited: WorldOptions { WorldOptions(ratePerMinute: 0) }
}
