import WamodModel

/// What the routes read: copies of the state, taken under the lock.
struct GroupListing: Sendable {
    var session: SessionState
    var groups: [GroupState]
    var total: Int
}

enum GroupSort: Sendable {
    case fixture
    case subject(descending: Bool)
}

extension World {
    func sessionStates() -> [SessionState] {
        state.withLock { s in s.sessionOrder.compactMap { s.sessions[$0] } }
    }

    /// A page of the groups the session belongs to. `materialize` builds the page's members.
    func listGroups(session: String, sort: GroupSort = .fixture, offset: Int, limit: Int?,
                    materialize: Bool) throws(WorldRefusal) -> GroupListing {
        let result = state.withLock { s -> Result<GroupListing, WorldRefusal> in
            guard let me = s.sessions[session] else { return .failure(.sessionNotFound) }
            var all = me.visibleGroups
            if case .subject(let descending) = sort {
                all.sort { descending ? $0.subject > $1.subject : $0.subject < $1.subject }
            }
            let start = min(max(offset, 0), all.count)
            // Added to `start` only after capping, so a huge `limit` cannot overflow.
            let end = limit.map { start + min(max($0, 0), all.count - start) } ?? all.count
            var page = Array(all[start..<end])
            if materialize {
                for g in page where g.members == nil { s.materialize(session: session, group: g.id) }
                let now = s.sessions[session] ?? me
                page = page.map { now.groups[$0.id] ?? $0 }
            }
            return .success(GroupListing(session: s.sessions[session] ?? me, groups: page, total: all.count))
        }
        return try result.get()
    }

    /// One group, materialized, with the session that sees it.
    func groupDetail(session: String, group: JID) throws(WorldRefusal) -> (SessionState, GroupState) {
        let result = state.withLock { s -> Result<(SessionState, GroupState), WorldRefusal> in
            do throws(WorldRefusal) {
                let g = try s.visibleGroup(session: session, group: group)
                return .success((try s.session(session), g))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// A session's existence, for routes that must 404 before anything else.
    func sessionState(_ id: String) -> SessionState? { state.withLock { $0.sessions[id] } }

    /// The next injected fault, counting it down. Called once per request. The counters
    /// ("next N") come first, in the order below; then the shares, from one throw of the
    /// world's seeded fault dice (`Faults` says in which order they share it).
    func nextFault(mutating: Bool = false) -> FaultDecision {
        state.withLock { s in
            var f = s.options.faults
            defer { s.options.faults = f }
            var action = FaultDecision.Action.none
            if mutating && f.lostAnswerNext > 0 {
                f.lostAnswerNext -= 1; action = .lostAnswer
            } else if mutating && f.truncatedNext > 0 {
                f.truncatedNext -= 1; action = .truncated(applied: true)
            } else if mutating && f.truncatedUnappliedNext > 0 {
                f.truncatedUnappliedNext -= 1; action = .truncated(applied: false)
            } else if f.dropNext > 0 {
                f.dropNext -= 1; action = .drop
            } else if f.htmlNext > 0 {
                f.htmlNext -= 1; action = .html
            } else if f.serverErrorNext > 0 {
                f.serverErrorNext -= 1; action = .serverError(f.serverErrorStatus)
            } else if f.rateLimitNext > 0 {
                f.rateLimitNext -= 1; action = .rateLimited(max(1, f.rateLimitRetryAfter))
            } else if f.anyRate && (mutating || !f.ratesOnMutationsOnly) {
                action = Self.drawRate(f, mutating: mutating, dice: &s.faultRandom)
            }
            return FaultDecision(latencyMs: max(0, f.latencyMs), action: action)
        }
    }

    /// One throw of the dice, laid over the shares end to end.
    private static func drawRate(_ f: Faults, mutating: Bool, dice: inout SplitMix64) -> FaultDecision.Action {
        let roll = dice.unit()
        var edge = 0.0
        func hit(_ share: Double) -> Bool {
            guard share > 0 else { return false }
            edge += share
            return roll < edge
        }
        if hit(f.serverErrorRate) { return .serverError(f.serverErrorStatus) }
        if hit(f.rateLimitRate) { return .rateLimited(max(1, f.rateLimitRetryAfter)) }
        if hit(f.dropRate) { return .drop }
        if hit(f.truncatedRate) {
            // A read has nothing to carry out: its real answer is cut short.
            return .truncated(applied: mutating ? dice.unit() < 0.5 : true)
        }
        if hit(f.htmlRate) { return .html }
        if hit(f.stallRate) { return .stall(ms: max(0, f.stallMs)) }
        return .none
    }
}

struct FaultDecision: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        case none, drop, html, lostAnswer
        case serverError(Int)
        case rateLimited(Int)
        /// 200 with a body cut short; `applied` says whether the request was carried out.
        case truncated(applied: Bool)
        /// The answer is held this long, then the request is carried out and answered.
        case stall(ms: Int)
    }
    var latencyMs: Int
    var action: Action
}
