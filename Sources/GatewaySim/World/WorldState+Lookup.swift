import WamodModel

/// Why the world refused a whole request (before any target was considered).
public enum WorldRefusal: Error, Sendable, Equatable {
    case sessionNotFound
    case groupNotFound
    /// The session is not connected; `status` is its WAHA-style status word.
    case notConnected(status: String)
    /// The session's rate limit is exhausted: wait this many whole seconds.
    case rateLimited(retryAfter: Int)
    /// The session's account is not an admin of the group.
    case notAdmin
    /// Leave: the session's account is not a member of the group.
    case notMember
    /// Leave: the dialect does not let the group's owner (creator) leave.
    case ownerCannotLeave
}

extension SessionState {
    func isOwnAccount(_ p: Person) -> Bool { p.lid == account.lid || (p.phone != nil && p.phone == account.phone) }

    func isOwnAccount(_ jid: JID) -> Bool { account.matches(jid) }

    /// Our role in `g`, nil when we are not a member.
    func ourRole(in g: GroupState) -> Role? {
        if let members = g.members { return members.first { isOwnAccount($0.person) }?.role }
        return g.lazy?.ourRole
    }

    func isMember(of g: GroupState) -> Bool { ourRole(in: g) != nil }

    var visibleGroups: [GroupState] {
        groupOrder.compactMap { groups[$0] }.filter { isMember(of: $0) }
    }

    func snapshot(of g: GroupState) -> SimGroup {
        SimGroup(jid: g.jid, subject: g.subject, description: g.description, creator: g.creator.jid,
                 size: g.size, ourRole: ourRole(in: g) ?? .member, createdAt: g.createdAt,
                 settings: g.settings, isCommunity: g.isCommunity, pendingRequests: g.pending.count)
    }
}

extension WorldState {
    func session(_ id: String) throws(WorldRefusal) -> SessionState {
        guard let s = sessions[id] else { throw .sessionNotFound }
        return s
    }

    /// Builds a lazy group's members on first use.
    mutating func materialize(session: String, group: String) {
        guard var g = sessions[session]?.groups[group], g.members == nil, let lazy = g.lazy,
              let account = sessions[session]?.account else { return }
        g.members = MemberGenerator.members(lazy, creator: g.creator, account: account, groupRowId: g.rowId,
                                            createdAt: g.createdAt)
        g.lazy = nil
        sessions[session]?.groups[group] = g
    }

    /// The group, materialized, when the session is a member of it.
    mutating func visibleGroup(session id: String, group: JID) throws(WorldRefusal) -> GroupState {
        let s = try session(id)
        guard let g = s.groups[group.user], s.isMember(of: g) else { throw .groupNotFound }
        materialize(session: id, group: group.user)
        return sessions[id]?.groups[group.user] ?? g
    }

    /// What the session advertises (v1's `ratePerMin`) follows the limit it enforces; an
    /// unlimited world keeps the fixture's figures.
    mutating func advertise(_ perMinute: Int, session id: String) {
        guard perMinute > 0 else { return }
        sessions[id]?.advertisedPerMinute = perMinute
        sessions[id]?.advertisedPerHour = perMinute * 60
    }

    /// The session's rate limit for mutations: (per minute, burst).
    func rate(for s: SessionState) -> (perMinute: Int, burst: Int) {
        s.rateOverride ?? (options.ratePerMinute, options.burst)
    }
}
