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
}

/// How the world behaves: rate limits, page sizes, faults, Wasend's path forms, the clock.
public struct WorldOptions: Sendable {
    /// Mutating requests a session may make per minute (token refill); 0 = unlimited.
    public var ratePerMinute: Int
    /// Bucket capacity: mutating requests allowed in a burst.
    public var burst: Int
    public var groupsPageSize: Int
    public var membersPageSize: Int
    public var faults: Faults
    public var wasendPathForms: WasendPathForms
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
