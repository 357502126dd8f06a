import WamodModel

/// Generates a group's members deterministically from a seed.
enum MemberGenerator {
    /// A stable, 15-digit `@lid` for a phone number (people added by number get one).
    static func lid(forPhone phone: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in phone.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return String(100_000_000_000_000 + hash % 899_999_999_999_999)
    }

    static func randomPerson(_ g: inout SplitMix64, countryCode: String, hiddenChance: Double = 0.04) -> Person {
        let phone = countryCode + g.digits(max(8, 12 - countryCode.count))
        let lid = g.digits(15)
        return Person(phone: g.chance(hiddenChance) ? nil : phone, lid: lid, name: Names.person(&g))
    }

    /// The creator first, then the session's account (unless it is the creator), then others
    /// (a few of them admins), then the spec's guests: the group still has `size` members.
    static func members(_ spec: LazyMembers, creator: Person, account: Person, groupRowId: Int, createdAt: Int64) -> [Member] {
        var g = SplitMix64(seed: spec.seed)
        var out: [Member] = []
        out.reserveCapacity(spec.size)
        func add(_ p: Person, _ role: Role) {
            let seen = createdAt + Int64(out.count) * 60_000
            out.append(Member(person: p, role: role, rowId: groupRowId * 4096 + out.count, firstSeenAt: seen))
        }
        let weCreated = spec.ourRole == .superadmin
        add(weCreated ? account : creator, .superadmin)
        if !weCreated { add(account, spec.ourRole) }
        let adminCount = spec.size > 8 ? g.int(in: 1...3) : g.int(in: 0...1)
        var seenLids: Set<String> = Set(out.map(\.person.lid))
        let guests = spec.guests.filter { seenLids.insert($0.person.lid).inserted }
        let generated = max(out.count, spec.size - guests.count)
        while out.count < generated {
            let p = randomPerson(&g, countryCode: spec.countryCode)
            guard seenLids.insert(p.lid).inserted else { continue }
            add(p, out.count < 2 + adminCount ? .admin : .member)
        }
        for guest in guests { add(guest.person, guest.role) }
        return out
    }
}
