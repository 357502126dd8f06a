import Foundation
import Synchronization

/// One pacer per session, made on first use and kept, so back-to-back operations (and an
/// operation spanning several sessions) stay within each account's limit.
public final class PacerPool: Sendable {
    private let pacers = Mutex<[String: Pacer]>([:])
    private let make: @Sendable (String) -> Pacer

    /// `make` builds a session's pacer the first time it is needed.
    public init(make: @escaping @Sendable (String) -> Pacer) { self.make = make }

    /// The same rate for every session.
    public convenience init(ratePerMinute: Int, clock: any OperationClock = SystemOperationClock()) {
        self.init { _ in Pacer(ratePerMinute: ratePerMinute, clock: clock) }
    }

    /// A session's pacer, made by `make` if it has none yet.
    public func pacer(for session: String, make made: () -> Pacer) -> Pacer {
        pacers.withLock { p in
            if let existing = p[session] { return existing }
            let new = made()
            p[session] = new
            return new
        }
    }

    public func pacer(for session: String) -> Pacer {
        pacers.withLock { p in
            if let existing = p[session] { return existing }
            let new = make(session)
            p[session] = new
            return new
        }
    }
}

/// What a running operation reports: the plan step an event is about, and the event.
public struct StepEvent: Sendable {
    public var step: Int
    public var event: OperationEvent
    public init(step: Int, event: OperationEvent) { self.step = step; self.event = event }
}

/// Runs an operation's plan: recorded in the audit log and the journal before the first
/// request (nothing is sent if either cannot be written), one request per step, paced per
/// session, retried where safe, each result written to the audit log and then the journal
/// before it is reported. The journal is removed when every step has a result; a crash
/// leaves it for `wamod resume`.
public struct OperationRunner: Sendable {
    public let gateway: any Gateway
    public let pacers: PacerPool?
    public let retry: RetryPolicy?
    public let audit: AuditLog?
    public let journal: Journal?
    public let context: AuditContext
    public let clock: any OperationClock
    /// Where a result that could not be recorded is reported (standard error by default;
    /// the console puts it in its log).
    public let warn: @Sendable (String) -> Void

    public init(gateway: any Gateway, pacers: PacerPool?, retry: RetryPolicy? = .standard, audit: AuditLog?, journal: Journal?,
                context: AuditContext, clock: any OperationClock = SystemOperationClock(),
                warn: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data("wamod: warning: \(TerminalText.clean($0))\n".utf8)) }) {
        self.gateway = gateway; self.pacers = pacers; self.retry = retry; self.audit = audit; self.journal = journal
        self.context = context; self.clock = clock; self.warn = warn
    }

    /// Records a new operation's start. Throws when it cannot be recorded; then nothing may be sent.
    public func begin(_ plan: OperationPlan) throws(GatewayError) -> JournalEntry? {
        let entry = try journal?.begin(plan)
        do throws(GatewayError) { try audit?.append(plan.startRecord(context: context)) } catch {
            entry?.finish()
            throw error
        }
        return entry
    }

    /// Finishes an interrupted operation once `Resume.recheck` has read its groups again: a
    /// `resume` record (throws, and nothing is sent, when it cannot be written), the results
    /// found on re-reading (recorded and reported as finished, not sent), then the steps
    /// still to send. Blocked steps are left in the journal.
    public func resume(_ p: PendingOperation, check: Resume.Check, entry: JournalEntry?,
                       onEvent: @escaping @Sendable (StepEvent) -> Void = { _ in }) async throws(GatewayError) -> [Int: TargetResult] {
        try audit?.append(.resume(id: p.plan.id, context: context, targets: check.send.map { p.plan.steps[$0].target.string }))
        for (i, r) in check.settled.sorted(by: { $0.key < $1.key }) {
            record(p.plan, i, r, entry: entry)
            onEvent(StepEvent(step: i, event: .finished(r)))
        }
        return await run(p.plan, steps: check.send, entry: entry, onEvent: onEvent)
    }

    /// Runs `steps` (indices into the plan; all of them by default), in order. When every
    /// step of the plan has a result the journal is removed; otherwise (the task was
    /// cancelled) the journal is removed too: the rest are recorded "not attempted".
    public func run(_ plan: OperationPlan, steps only: [Int]? = nil, entry: JournalEntry?,
                    onEvent: @escaping @Sendable (StepEvent) -> Void = { _ in }) async -> [Int: TargetResult] {
        let indices = only ?? Array(plan.steps.indices)
        var results: [Int: TargetResult] = [:]
        // Sessions (or, for "not an admin", groups) where a failure stops what follows, and
        // whether the steps left are resumable (the session may reconnect; a refused token
        // or a missing route needs a person first, but the steps stay all the same).
        var stoppedSessions: [String: (why: String, resumable: Bool)] = [:]
        var stoppedGroups: [OperationGroupKey: (why: String, resumable: Bool)] = [:]
        var start = 0
        while start < indices.count {
            // A chunk: consecutive steps of one group (for leave, of one session).
            let first = plan.steps[indices[start]]
            var end = start + 1
            while end < indices.count {
                let s = plan.steps[indices[end]]
                guard s.session == first.session, plan.action.targetsGroups || s.group == first.group else { break }
                end += 1
            }
            let chunk = Array(indices[start..<end])
            start = end
            let key = OperationGroupKey(session: first.session, group: first.group)
            if let stop = stoppedSessions[first.session] ?? stoppedGroups[key] {
                for i in chunk {
                    let r = TargetResult(target: plan.steps[i].target, outcome: .notAttempted("not sent: \(stop.why)"), resumable: stop.resumable)
                    record(plan, i, r, entry: entry)
                    results[i] = r
                    onEvent(StepEvent(step: i, event: .finished(r)))
                }
                continue
            }
            // Another operator's running operation on the same targets goes first: this one
            // waits for it, then reads the group, so nobody sends the same change twice.
            if let entry, let journal {
                await journal.waitForOthers(on: key, targets: Set(chunk.map { plan.steps[$0].target }), mine: plan, entry: entry,
                                            clock: clock) { e in onEvent(StepEvent(step: chunk[0], event: e)) }
            }
            let executor = Executor(gateway: gateway, pacer: pacers?.pacer(for: first.session), retry: retry, clock: clock)
            // Each target appears once per chunk, so its events map back to its step.
            var stepOf: [JID: Int] = [:]
            for i in chunk { stepOf[plan.steps[i].target] = i }
            let forward: @Sendable (OperationEvent) -> Void = { [stepOf] e in
                switch e {
                case .sending(let t): onEvent(StepEvent(step: stepOf[t] ?? chunk[0], event: e))
                case .finished(let r):
                    let i = stepOf[r.target] ?? chunk[0]
                    self.record(plan, i, r, entry: entry)
                    onEvent(StepEvent(step: i, event: e))
                case .waiting: onEvent(StepEvent(step: chunk[0], event: e))
                }
            }
            let chunkResults: [TargetResult]
            chunkResults = await executor.run(plan.action, session: first.session, group: first.group,
                                              steps: chunk.map { plan.steps[$0] }, notice: plan.notice, labels: plan.labels, onEvent: forward)
            for (i, r) in zip(chunk, chunkResults) {
                results[i] = r
                if case .failed(let e) = r.outcome, e.stopsOperation {
                    if case .forbidden = e { stoppedGroups[key] = (e.message, e.isTransient) } else { stoppedSessions[first.session] = (e.message, e.isTransient) }
                }
            }
        }
        if let entry {
            if let pending = journal?.peekHeld(entry), !pending.remaining.isEmpty { entry.release() } else { entry.finish() }
        }
        return results
    }

    /// Audit first, then the journal: a result in the audit file is never lost from the
    /// journal's point of view (on resume, a step without a journal line is re-read first).
    private func record(_ plan: OperationPlan, _ step: Int, _ r: TargetResult, entry: JournalEntry?) {
        do throws(GatewayError) { try audit?.append(plan.resultRecord(step: step, r)) } catch {
            warn(error.message)
        }
        do throws(GatewayError) { try entry?.record(step: step, outcome: r.resumable ? JournalLine.deferred : r.outcome.kind) } catch { warn(error.message) }
    }
}

extension Journal {
    /// The steps recorded so far in a journal this process holds.
    func peekHeld(_ entry: JournalEntry) -> PendingOperation? {
        let fd = open(entry.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return Self.parse(Self.readAll(fd))
    }
}
