import Foundation
import GatewayKit
import Synchronization

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
    /// The failures that are offline sessions (said, but nothing could be read there: not a
    /// failure of the sync itself).
    public var offline: [String] = []
    /// Failures other than offline sessions'.
    public var failed: [String] { failures.filter { !offline.contains($0) } }
    /// Joins the reads found (not the baseline of a first read).
    public var joined: [IndexHit] = []
    /// Sessions whose group list was taken from the index, listed there recently enough
    /// (`run(reuseListingsWithin:)`), rather than asked of the gateway again.
    public var listingsReused = 0
    /// Stopped (cancelled) before every group was read.
    public var stopped = false
    public var resumed = false

    public init() {}

    mutating func merge(_ other: SyncReport) {
        groupsListed += other.groupsListed; groupsRead += other.groupsRead
        groupsSkipped += other.groupsSkipped; groupsResumed += other.groupsResumed
        listingsReused += other.listingsReused
        failures += other.failures; offline += other.offline; joined += other.joined
        stopped = stopped || other.stopped
    }
}

/// Fills the index from the gateway, paced by a read budget on an `OperationClock`.
///
/// Each session is read one request at a time, its group list first, then the groups
/// whose listing changed (size or subject), that were never read, or whose last read is
/// older than the budget's max age; two reads of one session are at least the budget's
/// interval apart, and at most `sessionsAtOnce` sessions are read at once. A session the
/// gateway rate-limits is read at half that speed (and half again at each refusal) for the
/// rest of the round. A round a killed sync left unfinished is taken up again: the groups
/// it read are not read twice.
public final class FleetSync: Sendable {
    public let store: FleetStore
    public let gateway: any Gateway
    public let budget: ReadBudget
    let clock: any OperationClock
    let now: @Sendable () -> Date
    private let pacers: Mutex<[String: ReadPacer]>

    /// `clock` paces the reads (tests give a `VirtualClock`); `now` is the wall time kept in
    /// the index.
    public init(store: FleetStore, gateway: any Gateway, budget: ReadBudget = .default,
                clock: any OperationClock = SystemOperationClock(), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store; self.gateway = gateway; self.budget = budget
        self.clock = clock; self.now = now
        pacers = Mutex([:])
    }

    /// One round over every session (or the one given, by id or label): lists groups, reads
    /// those changed or never read, resumes a round a killed sync left. Cancelling stops it
    /// (what was read is kept, and the next run resumes the round).
    ///
    /// `reuseListingsWithin`: a session whose groups the index listed less than this many
    /// seconds ago is not listed again; its groups are taken from the index (the reads that
    /// follow are decided the same way). A console that starts within one poll interval of
    /// the last listing gives it: the index is then no staler than polling keeps it anyway,
    /// and a restart does not cost every session's listing again (51 requests for 50 sessions).
    public func run(session only: String? = nil, force: Bool = false, reuseListingsWithin: TimeInterval? = nil,
                    progress: (@Sendable (SyncProgress) -> Void)? = nil) async -> SyncReport {
        var report = SyncReport()
        func fail(_ line: String) { report.failures.append(line); progress?(.failed(line)) }

        let startedAt = now()
        var round: SyncRound
        do {
            round = try store.beginRound(at: startedAt)
            // A round left unfinished long ago says nothing about now: the groups it read
            // are due again anyway.
            if round.resumed, startedAt.timeIntervalSince(round.started) > budget.maxAge {
                try store.finishRound(round, at: startedAt)
                round = try store.beginRound(at: startedAt)
            }
        } catch {
            fail("the fleet index: \(error)")
            return report
        }
        report.resumed = round.resumed
        pacers.withLock { for p in $0.values { p.resetBackOff() } }

        let listed: [Session]
        do throws(GatewayError) {
            listed = try await gateway.sessions()
        } catch {
            if Task.isCancelled { report.stopped = true } else { fail("sessions: \(error.message)") }
            return report
        }
        // A gateway that suddenly lists no session at all (a restart, a token that lost its
        // scope) is not taken as every session gone: the index keeps what it knew.
        if listed.isEmpty, ((try? store.sessions()) ?? []).isEmpty == false {
            fail("sessions: the gateway listed none; the index keeps the sessions it knew")
            return report
        }
        do { try store.recordSessions(listed, at: now()) } catch {
            fail("the fleet index: \(error)")
            return report
        }
        var targets = listed
        if let only {
            targets = listed.filter { $0.id == only }
            if targets.isEmpty { targets = listed.filter { $0.label == only } }
            if targets.isEmpty {
                fail("no session '\(Limits.clamp(only, Limits.label))' on this gateway")
                return report
            }
        }
        report.sessions = targets.count
        progress?(.sessions(total: targets.count))

        // When each session's groups were last listed, for those that may be reused.
        var listedAt: [String: Date] = [:]
        if let within = reuseListingsWithin, !force, within > 0 {
            let t = now()
            for known in (try? store.sessions()) ?? [] {
                guard let at = known.groupsListed, t.timeIntervalSince(at) < within, at <= t else { continue }
                listedAt[known.session.id] = at
            }
        }
        let reusable = listedAt
        // Two requests to one session stay one interval apart across processes too: a
        // console started again seconds after the last one waits out what is left of it
        // (a fresh pacer would ask at once).
        if let asked = try? store.lastAsked() {
            let t = now()
            for s in targets {
                guard let at = asked[s.id] else { continue }
                pacer(for: s.id).notSooner(than: at, now: t)
            }
        }

        let current = round
        let parts = await withTaskGroup(of: SyncReport.self) { tasks -> [SyncReport] in
            var next = targets.makeIterator()
            func add() -> Bool {
                guard !Task.isCancelled, let s = next.next() else { return false }
                tasks.addTask { await self.sync(s, round: current, force: force, reuse: reusable[s.id] != nil, progress: progress) }
                return true
            }
            for _ in 0..<max(1, budget.sessionsAtOnce) {
                if !add() { break }
            }
            var parts: [SyncReport] = []
            while let part = await tasks.next() {
                parts.append(part)
                _ = add()
            }
            return parts
        }
        for part in parts { report.merge(part) }
        if parts.count < targets.count || Task.isCancelled { report.stopped = true }
        if !report.stopped {
            do { try store.finishRound(current, at: now()) } catch { fail("the fleet index: \(error)") }
        }
        return report
    }

    /// Reads one group live into the index (a group opened in the console, a preflight),
    /// paced by the same per-session pacer as the sync, so the two never burst a session.
    /// The people read are returned even when the index cannot be written (the diff is then
    /// empty): a live read is what an action is decided on. An answer with nobody in it is
    /// returned but not recorded.
    @discardableResult
    public func read(session: String, group: JID) async throws(GatewayError) -> (people: [Participant], diff: ParticipantDiff) {
        let pacer = pacer(for: session)
        do { try await pacer.reserve() } catch { throw .transport("cancelled") }
        let people: [Participant]
        do throws(GatewayError) {
            people = try await gateway.participants(session: session, group: group)
        } catch {
            if Self.isRateLimited(error) { pacer.backOff(retryAfter: Self.retryAfter(error)) }
            throw error
        }
        // An empty answer is a broken one (the session itself is a member): not recorded.
        guard !people.isEmpty else { return (people, ParticipantDiff()) }
        let diff = (try? store.recordParticipants(session: session, group: group, people, at: now())) ?? ParticipantDiff()
        return (people, diff)
    }

    // MARK: One session

    private func sync(_ s: Session, round: SyncRound, force: Bool, reuse: Bool, progress: (@Sendable (SyncProgress) -> Void)?) async -> SyncReport {
        var r = SyncReport()
        func fail(_ line: String) { r.failures.append(line); progress?(.failed(line)) }
        guard s.connected else {
            let line = "\(s.label): the session is not connected (\(s.status)); its groups were not read"
            r.offline.append(line)
            fail(line)
            return r
        }
        let pacer = pacer(for: s.id)
        var backedOff = false
        func rateLimited(_ error: GatewayError) {
            pacer.backOff(retryAfter: Self.retryAfter(error))
            if !backedOff {
                backedOff = true
                fail("\(s.label): rate limited by the gateway; reading this session at half speed for the rest of the round")
            }
        }

        let known: [(jid: JID, state: FleetStore.GroupState)]
        do { known = try store.groupStates(session: s.id) } catch {
            fail("\(s.label): the fleet index: \(error)")
            return r
        }
        var before: [JID: FleetStore.GroupState] = [:]
        before.reserveCapacity(known.count)
        for k in known { before[k.jid] = k.state }
        // The index's own listing, when it is recent enough (see `run`) and holds groups, in
        // the index's order (by subject).
        let listing: [Group]
        let reused = reuse && !known.isEmpty
        if reused {
            listing = known.map { Group(jid: $0.jid, subject: $0.state.subject, size: $0.state.size, owner: nil, ourRole: nil) }
            r.listingsReused = 1
        } else {
            do { try await pacer.reserve() } catch { r.stopped = true; return r }
            do throws(GatewayError) {
                listing = try await gateway.groups(session: s.id)
            } catch {
                if Task.isCancelled { r.stopped = true; return r }
                if Self.isRateLimited(error) { rateLimited(error) }
                fail("\(s.label): \(error.message)")
                return r
            }
        }
        var seen = Set<JID>()
        let groups = listing.filter { seen.insert($0.jid).inserted }
        if !reused {
            do { try store.recordGroups(session: s.id, groups, at: now()) } catch {
                fail("\(s.label): the fleet index: \(error)")
                return r
            }
        }
        r.groupsListed = groups.count
        var read = 0, skipped = 0
        func tell() { progress?(.session(id: s.id, label: s.label, read: read, skipped: skipped, total: groups.count)) }
        tell()

        var queue = groups[...]
        var retried = Set<JID>()
        while let g = queue.popFirst() {
            if Task.isCancelled { r.stopped = true; break }
            let state = before[g.jid]
            if !retried.contains(g.jid), let last = state?.lastFullRead, last >= round.started {
                if round.resumed { r.groupsResumed += 1 } else { r.groupsSkipped += 1 }
                skipped += 1; tell()
                continue
            }
            if !force, !retried.contains(g.jid), let state, let size = g.size, size == state.members, g.subject == state.subject,
               let last = state.lastFullRead, now().timeIntervalSince(last) < budget.maxAge {
                r.groupsSkipped += 1
                skipped += 1; tell()
                continue
            }
            do { try await pacer.reserve() } catch { r.stopped = true; break }
            let people: [Participant]
            do throws(GatewayError) {
                people = try await gateway.participants(session: s.id, group: g.jid)
            } catch {
                if Task.isCancelled { r.stopped = true; break }
                if Self.isRateLimited(error) {
                    rateLimited(error)
                    // Once more at the end of the session's list, at the slower pace.
                    if retried.insert(g.jid).inserted { queue.append(g); continue }
                }
                // A group of a list taken from the index that the gateway no longer has for
                // this session (left since): not a failure; the next round's listing drops it.
                if reused, case .notFound = error { continue }
                fail("\(s.label) / \(g.subject): \(error.message)")
                continue
            }
            // Every group lists at least this session's own account: an empty answer is a
            // broken one, and recording it would mark everyone as gone.
            guard !people.isEmpty else {
                fail("\(s.label) / \(g.subject): the gateway listed no participants (not even this session's account); not recorded")
                continue
            }
            do {
                let diff = try store.recordParticipants(session: s.id, group: g.jid, people, at: now())
                read += 1
                r.groupsRead += 1
                if !diff.joined.isEmpty { r.joined += try store.hits(session: s.id, group: g.jid, people: diff.joined) }
                progress?(.group(session: s.id, group: g.jid, diff: diff))
                tell()
            } catch {
                fail("\(s.label) / \(g.subject): the fleet index: \(error)")
                break
            }
        }
        return r
    }

    // MARK: Pacing

    func pacer(for session: String) -> ReadPacer {
        pacers.withLock { p in
            if let existing = p[session] { return existing }
            let made = ReadPacer(interval: budget.interval, clock: clock)
            p[session] = made
            return made
        }
    }

    static func isRateLimited(_ error: GatewayError) -> Bool {
        if case .rateLimited = error { return true }
        // WhatsApp's own word, where a dialect passes it on as another failure.
        return error.message.lowercased().contains("rate-overlimit")
    }

    static func retryAfter(_ error: GatewayError) -> Double? {
        if case .rateLimited(let after) = error { return after }
        return nil
    }
}

/// One session's reads: one at a time, each at least `interval × factor` after the one
/// before (measured between their starts, on the clock). Shared by the sync and the live
/// reads of one `FleetSync`; claims its slot under a lock, so concurrent callers are spaced.
final class ReadPacer: Sendable {
    private struct State {
        var next: Double?
        var factor: Double = 1
    }

    static let maxFactor: Double = 16

    let interval: Double
    private let clock: any OperationClock
    private let state = Mutex(State())

    init(interval: Double, clock: any OperationClock) {
        self.interval = max(0, interval)
        self.clock = clock
    }

    /// Waits for this session's next slot. Throws `CancellationError` when cancelled (the
    /// slot is given back if nobody queued behind it).
    func reserve() async throws {
        try Task.checkCancellation()
        let now = clock.now()
        let (wait, claimed) = state.withLock { s -> (Double, Double) in
            let start = max(s.next ?? now, now)
            s.next = start + interval * s.factor
            return (start - now, s.next!)
        }
        guard wait > 0 else { return }
        do {
            try await clock.sleep(seconds: wait)
        } catch {
            state.withLock { s in
                if s.next == claimed { s.next = claimed - interval * s.factor }
            }
            throw error
        }
    }

    /// The gateway refused a read as too many: the interval doubles (up to 16 times the
    /// budget's), the next read waits the new interval (and at least `retryAfter`).
    func backOff(retryAfter: Double?) {
        let now = clock.now()
        state.withLock { s in
            let old = s.factor
            s.factor = min(Self.maxFactor, s.factor * 2)
            // The slot already claimed is stretched to the new interval.
            let start = s.next.map { $0 - interval * old } ?? now
            var next = start + interval * s.factor
            if let after = retryAfter, after.isFinite, after > 0 { next = max(next, now + min(after, 3600)) }
            s.next = next
        }
    }

    /// The session was last asked at wall time `at` (now is `now`), by this process or
    /// another: a pacer that has not claimed a slot yet keeps its first one interval after it.
    func notSooner(than at: Date, now: Date) {
        let since = now.timeIntervalSince(at)
        guard since >= 0, since < interval else { return }
        let first = clock.now() + (interval - since)
        state.withLock { s in
            if s.next == nil { s.next = first }
        }
    }

    /// A new round starts at the budget's pace again.
    func resetBackOff() {
        state.withLock { $0.factor = 1 }
    }

    /// The current multiple of the budget's interval (1 unless backed off).
    var factor: Double { state.withLock { $0.factor } }
}
