import Foundation
import GatewayKit

/// How fast the sync may read: well under what gateways and WhatsApp tolerate. WhatsApp
/// answers bursts of group-metadata reads with `rate-overlimit`; the defaults read each
/// session's groups one at a time, at most `perSessionPerMinute` a minute.
public struct ReadBudget: Sendable, Hashable {
    /// Reads (a group list or one group's participants) per session per minute.
    public var perSessionPerMinute: Int
    /// Sessions read at the same time.
    public var sessionsAtOnce: Int
    /// A group whose size and subject did not change is read again only after this long.
    public var maxAge: TimeInterval

    public static let `default` = ReadBudget(perSessionPerMinute: 30, sessionsAtOnce: 8, maxAge: 6 * 3600)

    public init(perSessionPerMinute: Int, sessionsAtOnce: Int, maxAge: TimeInterval) {
        self.perSessionPerMinute = perSessionPerMinute; self.sessionsAtOnce = sessionsAtOnce; self.maxAge = maxAge
    }

    /// Seconds between two reads of one session.
    public var interval: Double { 60.0 / Double(max(1, perSessionPerMinute)) }
}

/// What a sync has done so far, for an operator watching it.
public enum SyncProgress: Sendable {
    case sessions(total: Int)
    /// A session's groups listed (`total`), `read` of them read and `skipped` unchanged.
    case session(id: String, label: String, read: Int, skipped: Int, total: Int)
    case group(session: String, group: JID, diff: ParticipantDiff)
    case failed(String)
}

public struct SyncReport: Sendable {
    public var sessions = 0
    public var groupsListed = 0
    public var groupsRead = 0
    /// Unchanged since their last read (size and subject the same, within the budget's max age).
    public var groupsSkipped = 0
    /// Already read in the round a killed sync left unfinished.
    public var groupsResumed = 0
    public var failures: [String] = []
    /// Joins the reads found (not the baseline of a first read).
    public var joined: [IndexHit] = []
    /// Stopped (cancelled) before every group was read.
    public var stopped = false
    public var resumed = false

    public init() {}
}

/// Fills the index from the gateway, paced by a read budget on an `OperationClock`.
public final class FleetSync: Sendable {
    public let store: FleetStore
    public let gateway: any Gateway
    public let budget: ReadBudget

    public init(store: FleetStore, gateway: any Gateway, budget: ReadBudget = .default,
                clock: any OperationClock = SystemOperationClock(), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store; self.gateway = gateway; self.budget = budget
        fatalError("FleetSync: not built yet")
    }

    /// One round over every session (or the one given): lists groups, reads those changed or
    /// never read, resumes a round a killed sync left. Cancelling stops it (what was read is kept).
    public func run(session: String? = nil, force: Bool = false, progress: (@Sendable (SyncProgress) -> Void)? = nil) async -> SyncReport { fatalError() }

    /// Reads one group live into the index (a group opened in the console, a preflight), not
    /// counted against the budget's pacing but paced by it.
    @discardableResult
    public func read(session: String, group: JID) async throws(GatewayError) -> (people: [Participant], diff: ParticipantDiff) { fatalError() }
}
