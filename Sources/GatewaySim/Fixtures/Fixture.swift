import WamodModel

/// The worlds the emulator ships with.
public enum Fixture: String, Sendable, CaseIterable {
    /// Small, fully specified content for tests: see `TinyFixture`.
    case tiny
    /// What operators rehearse against: 5 sessions (one offline), a few dozen groups.
    case demo
    /// 50 sessions × 200 groups; each session has one 1,024-member group. Members are built on
    /// first use, so the world itself builds quickly.
    case large
}

extension World {
    /// A world filled with `fixture`, deterministic from `seed` (tiny ignores the seed).
    public static func fixture(_ fixture: Fixture, seed: UInt64 = 1, options: WorldOptions = WorldOptions()) -> World {
        let world = World(options: options, seed: seed)
        world.state.withLock { s in
            switch fixture {
            case .tiny: TinyFixture.build(into: &s)
            case .demo: DemoFixture.build(into: &s, seed: seed)
            case .large: LargeFixture.build(into: &s, seed: seed)
            }
            for id in s.sessionOrder { s.advertise(s.options.ratePerMinute, session: id) }
        }
        return world
    }

    /// Handy groups of a session: one where we are a plain admin, one where we are only a
    /// member, one we created, and the largest.
    public func handyGroups(session: String) -> HandyGroups {
        let groups = self.groups(session: session) ?? []
        return HandyGroups(
            adminGroup: groups.first { $0.ourRole == .admin },
            memberGroup: groups.first { $0.ourRole == .member },
            createdGroup: groups.first { $0.ourRole == .superadmin },
            largestGroup: groups.max { $0.size < $1.size })
    }
}

public struct HandyGroups: Sendable, Hashable {
    public var adminGroup: SimGroup?
    public var memberGroup: SimGroup?
    public var createdGroup: SimGroup?
    public var largestGroup: SimGroup?
}

/// Adds sessions and groups to a world's state while a fixture is built.
extension WorldState {
    mutating func addSession(id: String, label: String, account: Person, connected: Bool,
                             perMinute: Int = 20, perHour: Int = 600, createdAt: Int64,
                             recordId: String, userId: String) {
        let s = SessionState(id: id, label: label, account: account, connected: connected,
                             advertisedPerMinute: perMinute, advertisedPerHour: perHour,
                             lastConnectedAt: createdAt + 86_400_000 * 30, createdAt: createdAt,
                             recordId: recordId, userId: userId)
        sessions[id] = s
        sessionOrder.append(id)
        directory[account.lid] = account
    }

    /// Adds a group with explicit members, in order (the first superadmin is the creator).
    mutating func addGroup(session: String, id: String, rowId: Int, subject: String, description: String,
                           createdAt: Int64, members: [(Person, Role)]) {
        let creator = members.first { $0.1 == .superadmin }?.0 ?? members[0].0
        let list = members.enumerated().map { i, m in
            Member(person: m.0, role: m.1, rowId: rowId * 4096 + i, firstSeenAt: createdAt + Int64(i) * 60_000)
        }
        for m in list { directory[m.person.lid] = m.person }
        insert(GroupState(id: id, rowId: rowId, subject: subject, description: description, createdAt: createdAt,
                          creator: creator, members: list, lazy: nil), session: session)
    }

    /// Adds a group whose members are generated on first use.
    mutating func addLazyGroup(session: String, id: String, rowId: Int, subject: String, description: String,
                               createdAt: Int64, creator: Person, lazy: LazyMembers) {
        insert(GroupState(id: id, rowId: rowId, subject: subject, description: description, createdAt: createdAt,
                          creator: creator, members: nil, lazy: lazy), session: session)
    }

    private mutating func insert(_ g: GroupState, session: String) {
        guard sessions[session] != nil else { return }
        sessions[session]?.groups[g.id] = g
        sessions[session]?.groupOrder.append(g.id)
    }
}
