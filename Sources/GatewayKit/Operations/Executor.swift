import Foundation

/// What an operation is doing now, for progress lines and inline row states.
public enum OperationEvent: Sendable {
    /// A request for this target is about to be sent.
    case sending(JID)
    /// This target ended.
    case finished(TargetResult)
    /// The next request waits this many seconds (pacing, or a retry's backoff).
    case waiting(seconds: Double, reason: String)
}

/// Runs a planned operation one target per request, in order, so each row gets its own
/// result and a stop (cancellation, or a failure no later target can escape) leaves the
/// rest marked "not attempted" rather than sent blindly.
public struct Executor: Sendable {
    public let gateway: any Gateway
    /// Spaces mutating requests; nil sends them back to back.
    public let pacer: Pacer?
    /// Retries what can safely be retried; nil never retries.
    public let retry: RetryPolicy?
    public let clock: any OperationClock

    public init(gateway: any Gateway, pacer: Pacer? = nil, retry: RetryPolicy? = nil,
                clock: any OperationClock = SystemOperationClock()) {
        self.gateway = gateway; self.pacer = pacer; self.retry = retry; self.clock = clock
    }

    /// Applies `action` to each target of a group. The group is read first: a target already
    /// in the wanted state (someone else acted on it since the preview) is recorded `already`
    /// and not sent.
    public func run(_ action: MemberAction, session: String, group: JID, targets: [JID],
                    onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let verify: (JID) async -> Bool? = { t in await self.holds(action, t, session: session, group: group) }
        var now: [Participant]?
        do throws(GatewayError) { now = try await gateway.participants(session: session, group: group) } catch { now = nil }
        let before: (JID) -> TargetResult? = { t in
            guard let now, Self.wanted(action, t, in: now) else { return nil }
            return TargetResult(target: t, outcome: .alreadySo(Self.alreadyWords(action) + " when its turn came (read just before sending; not sent)"))
        }
        return await each(targets, onEvent: onEvent, before: before, verify: verify, confirmRefusal: action != .add) { t in
            do throws(GatewayError) {
                return try await gateway.apply(action, session: session, group: group, target: t)
            } catch {
                return TargetResult(target: t, outcome: .failed(error))
            }
        }
    }

    /// Runs one chunk of a plan (consecutive steps of one group, or of one session for the
    /// kinds whose targets are groups): the one place that picks the request for a kind.
    public func run(_ kind: OperationKind, session: String, group: JID, steps: [OperationStep],
                    onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let targets = steps.map(\.target)
        if let action = kind.memberAction {
            return await run(action, session: session, group: group, targets: targets, onEvent: onEvent)
        }
        switch kind {
        case .leave:
            return await leave(session: session, groups: targets, onEvent: onEvent)
        default:
            return targets.map { TargetResult(target: $0, outcome: .failed(.notPossible("\(kind.verb) is not written yet"))) }
        }
    }

    /// Leaves each group in turn.
    public func leave(session: String, groups: [JID], onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let verify: (JID) async -> Bool? = { g in await self.hasLeft(session: session, group: g) }
        return await each(groups, onEvent: onEvent, verify: verify) { g in
            do throws(GatewayError) { return try await gateway.leave(session: session, group: g) } catch {
                return TargetResult(target: g, outcome: .failed(error))
            }
        }
    }

    /// Whether the wanted state holds for `target`, from a fresh read of the group; nil when
    /// the group cannot be read.
    func holds(_ action: MemberAction, _ target: JID, session: String, group: JID) async -> Bool? {
        let people: [Participant]
        do throws(GatewayError) { people = try await gateway.participants(session: session, group: group) } catch { return nil }
        return Self.wanted(action, target, in: people)
    }

    /// Whether the wanted state of `action` holds for `target` among `people`.
    static func wanted(_ action: MemberAction, _ target: JID, in people: [Participant]) -> Bool {
        let p = people.first(matching: target)
        switch action {
        case .remove: return p == nil
        case .add: return p != nil
        case .promote: return p.map { $0.role.isAdmin } ?? false
        case .demote: return p.map { !$0.role.isAdmin } ?? false
        }
    }

    static func alreadyWords(_ action: MemberAction) -> String {
        switch action {
        case .remove: "already not in the group"
        case .add: "already a member"
        case .promote: "already an admin"
        case .demote: "already not an admin"
        }
    }

    /// Whether the session's account is out of `group`, from a fresh read; nil when unknown.
    func hasLeft(session: String, group: JID) async -> Bool? {
        let me: Session?
        do throws(GatewayError) { me = try await gateway.sessions().first { $0.id == session } } catch { return nil }
        guard let me, me.account != nil || me.accountLID != nil else { return nil }
        do throws(GatewayError) {
            return try await gateway.participants(session: session, group: group).role(of: me) == nil
        } catch {
            if case .notFound = error { return true }
            return nil
        }
    }

    /// A failure after which the request may have been carried out: no answer (other than a
    /// refused connection), an answer that cannot be read, or a 5xx (a proxy's 502 may come
    /// after the gateway acted). Settled by reading the group again, never by sending blindly.
    public static func effectUnknown(_ e: GatewayError) -> Bool {
        switch e {
        case .transport(let why): !RetryPolicy.certainlyNotSent(why)
        case .undecodable, .tooLarge: true
        case .server(let status, _): status >= 500
        default: false
        }
    }

    private func each(_ targets: [JID], onEvent: @Sendable (OperationEvent) -> Void,
                      before: (JID) -> TargetResult? = { _ in nil },
                      verify: ((JID) async -> Bool?)? = nil, confirmRefusal: Bool = false,
                      _ one: (JID) async -> TargetResult) async -> [TargetResult] {
        var results: [TargetResult] = []
        var stop: (reason: String, resumable: Bool)?
        for t in targets {
            if stop == nil, Task.isCancelled { stop = ("cancelled", false) }
            if let stop {
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: \(stop.reason)"), resumable: stop.resumable)
                results.append(r)
                onEvent(.finished(r))
                continue
            }
            if let r = before(t) {
                results.append(r)
                onEvent(.finished(r))
                continue
            }
            guard let r = await attempt(t, onEvent: onEvent, verify: verify, confirmRefusal: confirmRefusal, one) else {
                stop = ("cancelled", false)
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: cancelled"))
                results.append(r)
                onEvent(.finished(r))
                continue
            }
            if case .failed(let e) = r.outcome, e.stopsOperation { stop = (e.message, e.isTransient) }
            results.append(r)
            onEvent(.finished(r))
        }
        return results
    }

    /// One target: paced, sent, and sent again only where that is safe: after a failure that
    /// certainly left nothing done (a 429, a refused connection), or after a failure of
    /// unknown effect once a fresh read of the group shows the change is not there. A refusal
    /// is checked against the group too: a target already in the wanted state is `already`.
    /// Nil when cancelled before its request was sent.
    private func attempt(_ t: JID, onEvent: @Sendable (OperationEvent) -> Void, verify: ((JID) async -> Bool?)?,
                         confirmRefusal: Bool, _ one: (JID) async -> TargetResult) async -> TargetResult? {
        var n = 1
        while true {
            if let pacer {
                let wait = pacer.nextAvailableIn()
                if wait > 0 { onEvent(.waiting(seconds: wait, reason: "pacing")) }
                do { try await pacer.reserve() } catch { return n == 1 ? nil : TargetResult(target: t, outcome: .notAttempted("not sent: cancelled")) }
            }
            onEvent(.sending(t))
            var r = await one(t)
            if case .refused = r.outcome, confirmRefusal, let verify, await verify(t) == true {
                return TargetResult(target: t, outcome: .alreadySo("already so: found on reading the group again after the gateway refused (\(r.outcome.reason ?? "refused"))"),
                                    httpStatus: r.httpStatus, latencyMs: r.latencyMs)
            }
            guard case .failed(let e) = r.outcome else { return r }
            r.resumable = e.isTransient
            // The request may have been carried out: the group is read again, and the request
            // is sent again only if it shows the change did not happen.
            if Self.effectUnknown(e), let verify {
                onEvent(.waiting(seconds: 0, reason: "\(e.message); reading the group again before deciding"))
                switch await verify(t) {
                case true?:
                    return TargetResult(target: t, outcome: .done, httpStatus: r.httpStatus, latencyMs: r.latencyMs)
                case false?:
                    guard let retry, n < retry.maxAttempts else { return r }
                    var delay = retry.ceiling(attempt: n) * min(1, max(0, retry.random()))
                    if case .rateLimited(let after?) = e { delay = max(delay, after) }
                    onEvent(.waiting(seconds: delay, reason: "retry: the group shows it was not done"))
                    do { try await clock.sleep(seconds: delay) } catch { return r }
                    n += 1
                    continue
                case nil:
                    return r
                }
            }
            guard let retry, let delay = retry.delay(attempt: n, error: e) else { return r }
            onEvent(.waiting(seconds: delay, reason: "retry after \(e.message)"))
            do { try await clock.sleep(seconds: delay) } catch { return r }
            n += 1
        }
    }
}
