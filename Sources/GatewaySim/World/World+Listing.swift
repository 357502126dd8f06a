import GatewayKit

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

    /// The next injected fault, counting it down. Called once per request.
    func nextFault(mutating: Bool = false) -> FaultDecision {
        state.withLock { s in
            var f = s.options.faults
            defer { s.options.faults = f }
            var action = FaultDecision.Action.none
            if mutating && f.lostAnswerNext > 0 {
                f.lostAnswerNext -= 1; action = .lostAnswer
            } else if f.dropNext > 0 {
                f.dropNext -= 1; action = .drop
            } else if f.htmlNext > 0 {
                f.htmlNext -= 1; action = .html
            } else if f.serverErrorNext > 0 {
                f.serverErrorNext -= 1; action = .serverError(f.serverErrorStatus)
            } else if f.rateLimitNext > 0 {
                f.rateLimitNext -= 1; action = .rateLimited(max(1, f.rateLimitRetryAfter))
            } else if f.serverErrorRate > 0, s.faultRandom.unit() < f.serverErrorRate {
                action = .serverError(f.serverErrorStatus)
            }
            return FaultDecision(latencyMs: max(0, f.latencyMs), action: action)
        }
    }
}

struct FaultDecision: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        case none, drop, html, lostAnswer
        case serverError(Int)
        case rateLimited(Int)
    }
    var latencyMs: Int
    var action: Action
}
