import WamodModel

/// What WhatsApp's rules made of one target of a mutation. Each dialect renders these in its
/// own shape (a 204, a per-row reason, a 403 or 422).
public enum RuleOutcome: String, Sendable, Hashable, CaseIterable {
    /// Done: removed, added, promoted or demoted.
    case ok
    /// Nothing to do: already a member (add), already an admin (promote), already a plain
    /// member (demote).
    case alreadySo
    /// The target is not in the group (remove, promote, demote).
    case notMember
    /// The target is the group's creator: cannot be removed or demoted.
    case isCreator
    /// The target is the session's own account: removing it is leaving (use leave).
    case isSelf
    /// Add: the number is not on WhatsApp (or the `@lid` is unknown).
    case notOnWhatsApp
    /// Add: the person's privacy settings refuse being added.
    case privacyRestricted
    /// Add: the group has reached WhatsApp's size limit.
    case groupFull
}

/// One target's outcome. `member` is the group member the target named (after an add, the new one).
public struct TargetRule: Sendable, Hashable {
    public var target: JID
    public var outcome: RuleOutcome
    public var member: SimMember?
}

extension World {
    /// Applies `action` to `targets` in `group` as `session`, with WhatsApp's rules, in order:
    /// unknown session (404) → not connected → rate limit → unknown group → not an admin →
    /// one outcome per target. Counts as one mutating request for the rate limit. A plain
    /// member may add while the group's member-add mode lets every member add.
    public func apply(_ action: MemberAction, session: String, group: JID, targets: [JID]) throws(WorldRefusal) -> [TargetRule] {
        let now = clock.now()
        let result = state.withLock { s -> Result<[TargetRule], WorldRefusal> in
            do throws(WorldRefusal) {
                try s.admitMutation(session: session, now: now)
                defer { s.finishMutation(session: session) }
                let g = try s.visibleGroup(session: session, group: group)
                let me = try s.session(session)
                guard let ourRole = me.ourRole(in: g), ourRole.isAdmin || (action == .add && !g.adminsAdd) else { throw .notAdmin }
                var rules: [TargetRule] = []
                for target in targets { rules.append(s.applyOne(action, target: target, session: me, group: group.user)) }
                return .success(rules)
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The session's account leaves `group`. `ownerMayLeave` false makes the creator's leave a
    /// refusal (Wasend's rule). Counts as one mutating request for the rate limit.
    public func leave(session: String, group: JID, ownerMayLeave: Bool = true) throws(WorldRefusal) {
        let now = clock.now()
        let result = state.withLock { s -> Result<Void, WorldRefusal> in
            do throws(WorldRefusal) {
                try s.admitMutation(session: session, now: now)
                defer { s.finishMutation(session: session) }
                let me = try s.session(session)
                guard let g = me.groups[group.user] else { throw .groupNotFound }
                guard let role = me.ourRole(in: g) else { throw .notMember }
                if role == .superadmin && !ownerMayLeave { throw .ownerCannotLeave }
                s.materialize(session: session, group: group.user)
                s.sessions[session]?.groups[group.user]?.members?.removeAll { me.isOwnAccount($0.person) }
                s.recordChange(session: session, group: group.user, action: "leave", person: me.account)
                return .success(())
            } catch { return .failure(error) }
        }
        try result.get()
    }
}

extension WorldState {
    /// Session known, connected, and within its rate limit; counts the request.
    mutating func admitMutation(session id: String, now: Double) throws(WorldRefusal) {
        var s = try session(id)
        guard s.connected else { throw .notConnected(status: s.offlineStatus) }
        let r = rate(for: s)
        if let wait = s.bucket.take(now: now, perMinute: r.perMinute, burst: r.burst) {
            s.rateLimitedCount += 1
            sessions[id] = s
            throw .rateLimited(retryAfter: wait)
        }
        s.mutationsServed += 1
        sessions[id] = s
    }

    /// Counts down the "disconnect after K mutations" fault.
    mutating func finishMutation(session id: String) {
        guard let k = options.faults.disconnectAfterMutations[id] else { return }
        if k <= 1 {
            options.faults.disconnectAfterMutations[id] = nil
            sessions[id]?.connected = false
        } else {
            options.faults.disconnectAfterMutations[id] = k - 1
        }
    }

    mutating func applyOne(_ action: MemberAction, target: JID, session me: SessionState, group: String) -> TargetRule {
        guard var g = sessions[me.id]?.groups[group], var members = g.members else {
            return TargetRule(target: target, outcome: .notMember, member: nil)
        }
        let index = members.firstIndex { $0.person.matches(target) }
        let found = index.map { members[$0].snapshot }
        var outcome: RuleOutcome
        switch action {
        case .remove:
            if me.isOwnAccount(target) { outcome = .isSelf }
            else if let index {
                if members[index].role == .superadmin { outcome = .isCreator }
                else {
                    directory[members[index].person.lid] = members[index].person
                    recordChange(session: me.id, group: group, action: action.rawValue, person: members[index].person)
                    members.remove(at: index)
                    outcome = .ok
                }
            } else { outcome = .notMember }
        case .promote:
            if let index {
                if members[index].role.isAdmin { outcome = .alreadySo }
                else {
                    members[index].role = .admin
                    outcome = .ok
                    recordChange(session: me.id, group: group, action: action.rawValue, person: members[index].person)
                }
            } else { outcome = .notMember }
        case .demote:
            if let index {
                switch members[index].role {
                case .superadmin: outcome = .isCreator
                case .member: outcome = .alreadySo
                case .admin:
                    members[index].role = .member
                    outcome = .ok
                    recordChange(session: me.id, group: group, action: action.rawValue, person: members[index].person)
                }
            } else { outcome = .notMember }
        case .add:
            if index != nil || me.isOwnAccount(target) { outcome = .alreadySo }
            else if let person = lookUpForAdd(target) {
                if let phone = person.phone, privacyRestricted.contains(phone) { outcome = .privacyRestricted }
                else if members.count >= maxGroupSize { outcome = .groupFull }
                else {
                    nextAddedRowId += 1
                    let m = Member(person: person, role: .member, rowId: nextAddedRowId, firstSeenAt: g.createdAt + 86_400_000)
                    members.append(m)
                    outcome = .ok
                    recordChange(session: me.id, group: group, action: action.rawValue, person: person)
                    g.members = members
                    sessions[me.id]?.groups[group] = g
                    return TargetRule(target: target, outcome: outcome, member: m.snapshot)
                }
            } else { outcome = .notOnWhatsApp }
        }
        g.members = members
        sessions[me.id]?.groups[group] = g
        return TargetRule(target: target, outcome: outcome, member: found)
    }

    /// The account a target of "add" names, nil when it is not on WhatsApp.
    func lookUpForAdd(_ target: JID) -> Person? {
        switch target.kind {
        case .lid:
            return directory[target.user]
        case .user:
            if notOnWhatsApp.contains(target.user) { return nil }
            if let known = directory.values.first(where: { $0.phone == target.user }) { return known }
            return Person(phone: target.user, lid: MemberGenerator.lid(forPhone: target.user), name: "")
        case .group:
            return nil
        }
    }
}
