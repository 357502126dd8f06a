import Foundation
import Synchronization

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
    public func run(_ action: MemberAction, session: String, group: JID, targets: [JID], notice: Notice? = nil,
                    labels: OperationLabels? = nil, onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let verify: (JID) async -> Bool? = { t in await self.holds(action, t, session: session, group: group) }
        var now: [Participant]?
        do throws(GatewayError) { now = try await gateway.participants(session: session, group: group) } catch { now = nil }
        let before: (JID) -> TargetResult? = { t in
            guard let now, Self.wanted(action, t, in: now) else { return nil }
            return TargetResult(target: t, outcome: .alreadySo(Self.alreadyWords(action) + " when its turn came (read just before sending; not sent)"))
        }
        // A removal's exit notice goes first, once per person (never again, whatever its
        // answer: a text sent twice cannot be taken back), paced like the removal. A failed
        // notice does not stop the removal unless the notice is required.
        let notice = action == .remove && gateway.capabilities.sendsText ? notice : nil
        let noticed = Remembered<String>()
        let annotate: (TargetResult) -> TargetResult = { r in
            var r = r
            if r.notice == nil, let n = noticed.get(r.target) { r.notice = n }
            return r
        }
        return await each(targets, onEvent: onEvent, before: before, verify: verify, confirmRefusal: action != .add, annotate: annotate) { t in
            if let notice, noticed.get(t) == nil {
                let word = await say(notice, to: t, session: session, group: group, labels: labels)
                noticed.set(t, word.text)
                if notice.required, !word.sent {
                    return TargetResult(target: t, outcome: .notAttempted("not sent: the notice could not be sent and is required"))
                }
            }
            do throws(GatewayError) {
                return try await gateway.apply(action, session: session, group: group, target: t)
            } catch {
                return TargetResult(target: t, outcome: .failed(error))
            }
        }
    }

    /// Sends one exit notice, paced; what became of it, in the audit's words.
    func say(_ notice: Notice, to t: JID, session: String, group: JID, labels: OperationLabels?) async -> (text: String, sent: Bool) {
        let text = notice.text(name: labels?.targets[t.string], group: labels?.groups[group.string])
        if let pacer { try? await pacer.reserve() }
        var said: TargetResult
        do throws(GatewayError) { said = try await gateway.sendText(session: session, to: notice.toGroup ? group : t, text: text) } catch {
            said = TargetResult(target: t, outcome: .failed(error))
        }
        switch said.outcome {
        case .done, .alreadySo: return (notice.toGroup ? "sent to the group" : "sent", true)
        case .failed(let e) where Self.effectUnknown(e): return ("unknown (\(e.message)); not sent again", false)
        default: return ("not sent: \(said.outcome.reason ?? "refused")", false)
        }
    }

    /// Runs one chunk of a plan (consecutive steps of one group, or of one session for the
    /// kinds whose targets are groups): the one place that picks the request for a kind.
    public func run(_ kind: OperationKind, session: String, group: JID, steps: [OperationStep], notice: Notice? = nil,
                    labels: OperationLabels? = nil, onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let targets = steps.map(\.target)
        if let action = kind.memberAction {
            return await run(action, session: session, group: group, targets: targets, notice: notice, labels: labels, onEvent: onEvent)
        }
        switch kind {
        case .leave:
            return await leave(session: session, groups: targets, onEvent: onEvent)
        case .inviteReset:
            return await resetInvites(session: session, groups: targets, onEvent: onEvent)
        case .lock, .unlock, .settings:
            return await changeSettings(session: session, steps: steps, onEvent: onEvent)
        case .approve, .reject:
            return await answerRequests(approve: kind == .approve, session: session, group: group, requesters: targets, onEvent: onEvent)
        case .remove, .add, .promote, .demote:
            return []  // handled above
        }
    }

    /// Resets each group's invite link. The link is read just before: a reset of unknown
    /// effect is settled by reading it again (a different code means it went through).
    public func resetInvites(session: String, groups: [JID], onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let old = Remembered<InviteLink>()
        let before: (JID) async -> TargetResult? = { g in
            do throws(GatewayError) { old.set(g, try await gateway.inviteLink(session: session, group: g)) } catch {}
            return nil
        }
        let verify: (JID) async -> Bool? = { g in
            guard let was = old.get(g) else { return nil }
            do throws(GatewayError) { return try await gateway.inviteLink(session: session, group: g) != was } catch { return nil }
        }
        // The audit says the old link is dead and that nothing brings it back.
        let annotate: (TargetResult) -> TargetResult = { r in
            guard case .done = r.outcome else { return r }
            var r = r
            let was = old.get(r.target).map { " (\($0.masked))" } ?? ""
            r.note = "the old link\(was) no longer works; a reset cannot be undone"
            return r
        }
        return await each(groups, onEvent: onEvent, before: before, verify: verify, annotate: annotate, targetsGroups: true) { g in
            do throws(GatewayError) { return try await gateway.resetInviteLink(session: session, group: g) } catch {
                return TargetResult(target: g, outcome: .failed(error))
            }
        }
    }

    /// Sets each step's settings in its group. The settings are read just before (recorded
    /// as `before`, what an undo puts back); a group already so is not sent; a change of
    /// unknown effect, or one the gateway refused, is settled by reading the settings again.
    public func changeSettings(session: String, steps: [OperationStep], onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        var change: [JID: GroupSettings] = [:]
        for st in steps { change[st.target] = st.settings ?? GroupSettings() }
        let was = Remembered<GroupSettings>()
        let canRead = !gateway.capabilities.readsSettings.isEmpty
        let before: (JID) async -> TargetResult? = { g in
            guard canRead else { return nil }
            let wanted = change[g] ?? GroupSettings()
            do throws(GatewayError) {
                let now = try await gateway.settings(session: session, group: g)
                var prior = GroupSettings()
                for (s, _) in wanted.known { prior[s] = now[s] }
                was.set(g, prior)
                if now.satisfies(wanted) {
                    var r = TargetResult(target: g, outcome: .alreadySo("already so when its turn came (read just before sending; not sent)"))
                    r.before = prior
                    return r
                }
            } catch {}
            return nil
        }
        let verify: (JID) async -> Bool? = { g in
            guard canRead else { return nil }
            do throws(GatewayError) { return try await gateway.settings(session: session, group: g).satisfies(change[g] ?? GroupSettings()) } catch { return nil }
        }
        let annotate: (TargetResult) -> TargetResult = { r in
            var r = r
            if r.before == nil { r.before = was.get(r.target) }
            return r
        }
        return await each(steps.map(\.target), onEvent: onEvent, before: before, verify: verify, confirmRefusal: true, annotate: annotate,
                          targetsGroups: true) { g in
            do throws(GatewayError) {
                return try await gateway.setSettings(change[g] ?? GroupSettings(), session: session, group: g)
            } catch {
                return TargetResult(target: g, outcome: .failed(error))
            }
        }
    }

    /// Approves or rejects each pending request of a group. The requests are read just
    /// before: one no longer pending is not sent (already a member, or gone).
    public func answerRequests(approve: Bool, session: String, group: JID, requesters: [JID],
                               onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        func pending() async -> [JoinRequest]? {
            do throws(GatewayError) { return try await gateway.joinRequests(session: session, group: group) } catch { return nil }
        }
        func member(_ t: JID) async -> Bool? {
            do throws(GatewayError) { return try await gateway.participants(session: session, group: group).first(matching: t) != nil } catch { return nil }
        }
        let now = await pending()
        let before: (JID) async -> TargetResult? = { t in
            guard let now, !now.contains(where: { $0.requester == t || $0.phone == t }) else { return nil }
            if await member(t) == true {
                return TargetResult(target: t, outcome: approve ? .alreadySo("already a member when its turn came (not sent)")
                                                                : .refused("already a member: a request no longer pending cannot be rejected (remove instead)"))
            }
            return TargetResult(target: t, outcome: approve ? .refused("no longer pending (withdrawn, or answered by another admin)")
                                                            : .alreadySo("no longer pending when its turn came (not sent)"))
        }
        let verify: (JID) async -> Bool? = { t in
            guard let list = await pending() else { return nil }
            let stillPending = list.contains { $0.requester == t || $0.phone == t }
            if stillPending { return false }
            return approve ? await member(t) : true
        }
        return await each(requesters, onEvent: onEvent, before: before, verify: verify, confirmRefusal: true) { t in
            do throws(GatewayError) {
                return try await gateway.answerJoinRequest(approve: approve, session: session, group: group, requester: t)
            } catch {
                return TargetResult(target: t, outcome: .failed(error))
            }
        }
    }

    /// Leaves each group in turn.
    public func leave(session: String, groups: [JID], onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        let verify: (JID) async -> Bool? = { g in await self.hasLeft(session: session, group: g) }
        // A way back: where the account is admin, the invite link is read first and kept with
        // the leave's result (seed 004 says a leave cannot be undone; with the link it can,
        // by rejoining). A read that fails (not admin, no such route) is no reason not to leave.
        let link = Remembered<InviteLink>()
        let before: (JID) async -> TargetResult? = { g in
            if gateway.capabilities.inviteLinks, link.get(g) == nil {
                do throws(GatewayError) { link.set(g, try await gateway.inviteLink(session: session, group: g)) } catch {}
            }
            return nil
        }
        let annotate: (TargetResult) -> TargetResult = { r in
            var r = r
            if r.outcome.isSuccess { r.inviteLink = link.get(r.target)?.url }
            return r
        }
        return await each(groups, onEvent: onEvent, before: before, verify: verify, annotate: annotate, targetsGroups: true) { g in
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
                      before: (JID) async -> TargetResult? = { _ in nil },
                      verify: ((JID) async -> Bool?)? = nil, confirmRefusal: Bool = false,
                      // What a kind adds to each result (the settings before, a leave's way
                      // back), added before it is reported: the runner records it from the event.
                      annotate: (TargetResult) -> TargetResult = { $0 },
                      // Each target is a group of its own (a lock, a reset, a leave): a refusal
                      // as not an admin is that group's, and the next group is still sent.
                      targetsGroups: Bool = false,
                      _ one: (JID) async -> TargetResult) async -> [TargetResult] {
        var results: [TargetResult] = []
        var stop: (reason: String, resumable: Bool)?
        for t in targets {
            if stop == nil, Task.isCancelled { stop = ("cancelled", false) }
            if let stop {
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: \(stop.reason)"), resumable: stop.resumable)
                results.append(annotate(r))
                onEvent(.finished(annotate(r)))
                continue
            }
            if let r = await before(t) {
                results.append(annotate(r))
                onEvent(.finished(annotate(r)))
                continue
            }
            guard let r = await attempt(t, onEvent: onEvent, verify: verify, confirmRefusal: confirmRefusal, one) else {
                stop = ("cancelled", false)
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: cancelled"))
                results.append(annotate(r))
                onEvent(.finished(annotate(r)))
                continue
            }
            if case .failed(let e) = r.outcome, e.stopsOperation {
                if case .forbidden = e, targetsGroups {} else { stop = (e.message, e.isTransient) }
            }
            results.append(annotate(r))
            onEvent(.finished(annotate(r)))
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

/// What an executor read just before sending, per target, for deciding afterwards.
final class Remembered<Value: Sendable>: Sendable {
    private let values = Mutex<[JID: Value]>([:])
    func set(_ key: JID, _ v: Value) { values.withLock { $0[key] = v } }
    func get(_ key: JID) -> Value? { values.withLock { $0[key] } }
}
