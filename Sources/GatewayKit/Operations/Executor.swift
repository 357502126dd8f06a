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

    /// Applies `action` to each target of a group.
    public func run(_ action: MemberAction, session: String, group: JID, targets: [JID],
                    onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let verify: (JID) async -> Bool? = { t in await self.holds(action, t, session: session, group: group) }
        return await each(targets, onEvent: onEvent, verify: verify) { t in
            do throws(GatewayError) {
                return try await gateway.apply(action, session: session, group: group, targets: [t]).first
                    ?? TargetResult(target: t, outcome: .failed(.server(status: 0, message: "the gateway answered for no target")))
            } catch {
                return TargetResult(target: t, outcome: .failed(error))
            }
        }
    }

    /// Leaves each group in turn.
    public func leave(session: String, groups: [JID], onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        await each(groups, onEvent: onEvent) { g in
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
        let p = people.first(matching: target)
        switch action {
        case .remove: return p == nil
        case .add: return p != nil
        case .promote: return p.map { $0.role.isAdmin } ?? false
        case .demote: return p.map { !$0.role.isAdmin } ?? false
        }
    }

    private func each(_ targets: [JID], onEvent: @Sendable (OperationEvent) -> Void,
                      verify: ((JID) async -> Bool?)? = nil,
                      _ one: (JID) async -> TargetResult) async -> [TargetResult] {
        var results: [TargetResult] = []
        var stop: String?
        for t in targets {
            if stop == nil, Task.isCancelled { stop = "cancelled" }
            if let stop {
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: \(stop)"))
                results.append(r)
                onEvent(.finished(r))
                continue
            }
            guard let r = await attempt(t, onEvent: onEvent, verify: verify, one) else {
                stop = "cancelled"
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: cancelled"))
                results.append(r)
                onEvent(.finished(r))
                continue
            }
            if case .failed(let e) = r.outcome, e.stopsOperation { stop = e.message }
            results.append(r)
            onEvent(.finished(r))
        }
        return results
    }

    /// One target: paced, sent, and retried while the policy says it is safe.
    /// Nil when cancelled before its request was sent.
    private func attempt(_ t: JID, onEvent: @Sendable (OperationEvent) -> Void, verify: ((JID) async -> Bool?)?,
                         _ one: (JID) async -> TargetResult) async -> TargetResult? {
        var n = 1
        while true {
            if let pacer {
                let wait = pacer.nextAvailableIn()
                if wait > 0 { onEvent(.waiting(seconds: wait, reason: "pacing")) }
                do { try await pacer.reserve() } catch { return n == 1 ? nil : TargetResult(target: t, outcome: .notAttempted("not sent: cancelled")) }
            }
            onEvent(.sending(t))
            let r = await one(t)
            guard case .failed(let e) = r.outcome, let retry else { return r }
            // The answer was lost after the request may have arrived: the group is read again,
            // and the request is sent again only if it shows the change did not happen.
            if case .transport(let why) = e, !RetryPolicy.certainlyNotSent(why), let verify, n < retry.maxAttempts {
                onEvent(.waiting(seconds: 0, reason: "no answer (\(why)); reading the group again before deciding"))
                switch await verify(t) {
                case true?:
                    return TargetResult(target: t, outcome: .done, httpStatus: nil, latencyMs: r.latencyMs)
                case false?:
                    let delay = retry.ceiling(attempt: n) * min(1, max(0, retry.random()))
                    onEvent(.waiting(seconds: delay, reason: "retry: the group shows it was not done"))
                    do { try await clock.sleep(seconds: delay) } catch { return r }
                    n += 1
                    continue
                case nil:
                    return r
                }
            }
            guard let delay = retry.delay(attempt: n, error: e) else { return r }
            onEvent(.waiting(seconds: delay, reason: "retry after \(e.message)"))
            do { try await clock.sleep(seconds: delay) } catch { return r }
            n += 1
        }
    }
}
