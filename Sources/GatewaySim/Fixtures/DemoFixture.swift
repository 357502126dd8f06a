import WamodModel

/// The `demo` fixture: five sessions with human labels (`old-line` is offline), 41 groups (one a community) from
/// 2 to 120 members, where the session is admin in some, only a member in others, and the
/// creator in a few; about 4% of participants are lid-only. Deterministic from the seed.
///
/// So that finding a person everywhere (`f`, `wamod find`) can be rehearsed, a few people are
/// in several groups of several sessions whatever the seed (`spammer`, `formerEmployee`,
/// `hiddenReseller`), and a few subjects repeat: three "Eventos São Paulo" (two in
/// `support-br`, one in `sales-mx`) and two "Moderators" (`community-il`, `ops-eu`).
///
/// For the incident toolkit (gateways.md §9), a few groups have settings other than WhatsApp's
/// defaults and people waiting among their join requests (`adminSettings`), and `support-br`
/// administers a community, "Comunidade Suporte BR" (`community`), listed beside its groups.
enum DemoFixture {
    struct Plan {
        var label: String
        var countryCode: String
        var connected: Bool
        var groups: [(subject: String, size: Int, role: Role)]
    }

    static let plans: [Plan] = [
        Plan(label: "support-br", countryCode: "55", connected: true, groups: [
            ("Team Alpha", 42, .admin), ("VIP Clientes 🎉", 118, .admin), ("客服 支持群", 7, .member),
            ("Suporte Nível 2", 23, .superadmin), ("Família Souza ❤️", 12, .member),
            ("Alertas de Pedidos", 64, .admin), ("مجموعة الدعم", 31, .admin), ("Comunidade Dev 👩‍💻", 120, .member),
            ("Plantão", 2, .superadmin),
        ]),
        Plan(label: "sales-mx", countryCode: "52", connected: true, groups: [
            ("Ventas Norte", 35, .admin), ("Mañaneros ☕", 9, .member), ("Distribuidores CDMX", 87, .admin),
            ("Promo Fin de Año 🎄", 110, .superadmin), ("Soporte Técnico", 18, .admin), ("Familia Hernández", 6, .member),
            ("Clientes Mayoristas", 54, .admin), ("🌮 Tacos Friday", 15, .member),
        ]),
        Plan(label: "ops-eu", countryCode: "351", connected: true, groups: [
            ("Releases 🚀", 28, .superadmin), ("Logística Lisboa", 44, .admin), ("Équipe de nuit", 13, .member),
            ("Dev-Team München", 21, .admin), ("開発チーム", 8, .admin), ("Warehouse Øst", 5, .member),
            ("Incident bridge 🔥", 3, .superadmin),
        ]),
        Plan(label: "community-il", countryCode: "972", connected: true, groups: [
            ("צוות מכירות", 26, .admin), ("קהילת מפתחים", 97, .member), ("Hebrew & Arabic — עברית وعربي", 40, .admin),
            ("Volunteers 🙌", 61, .superadmin), ("고객 지원", 11, .member), ("Moderators", 4, .admin),
        ]),
        Plan(label: "old-line", countryCode: "1", connected: false, groups: [
            ("Legacy Customers", 73, .admin), ("Old Friends", 14, .member), ("Archive 📦", 2, .superadmin),
            ("Night Shift", 19, .admin), ("Beta Testers", 33, .admin), ("Board", 6, .member),
        ]),
    ]

    /// A spammer, in eleven groups of four sessions: a plain member everywhere, in groups where
    /// the session is an admin, the owner or only a member, and in one of the offline session,
    /// so that a removal from everywhere acts in some and skips others with a reason.
    static let spammer = Person(phone: "5511955501234", lid: "214365870921436", name: "Ofertas Imperdíveis 💰")
    /// Someone who left the company and is still in its groups, an admin in several.
    static let formerEmployee = Person(phone: "5511987650042", lid: "219283746501928", name: "Rafael Antunes")
    /// A privacy-hidden account (an `@lid` and no number) in groups of three sessions.
    static let hiddenReseller = Person(phone: nil, lid: "227711339955880", name: "~Revenda")

    /// Where the shared people are: (person, role, session label, subject).
    static let memberships: [(Person, Role, String, String)] = [
        (spammer, .member, "support-br", "VIP Clientes 🎉"),
        (spammer, .member, "support-br", "Alertas de Pedidos"),
        (spammer, .member, "support-br", "Comunidade Dev 👩‍💻"),
        (spammer, .member, "sales-mx", "Distribuidores CDMX"),
        (spammer, .member, "sales-mx", "Clientes Mayoristas"),
        (spammer, .member, "community-il", "קהילת מפתחים"),
        (spammer, .member, "community-il", "Volunteers 🙌"),
        (spammer, .member, "old-line", "Legacy Customers"),
        (formerEmployee, .admin, "support-br", "Suporte Nível 2"),
        (formerEmployee, .admin, "support-br", "Alertas de Pedidos"),
        (formerEmployee, .member, "sales-mx", "Soporte Técnico"),
        (formerEmployee, .admin, "ops-eu", "Logística Lisboa"),
        (formerEmployee, .member, "ops-eu", "Releases 🚀"),
        (formerEmployee, .member, "ops-eu", "Incident bridge 🔥"),
        (formerEmployee, .admin, "community-il", "Moderators"),
        (hiddenReseller, .member, "support-br", "VIP Clientes 🎉"),
        (hiddenReseller, .member, "sales-mx", "Ventas Norte"),
        (hiddenReseller, .member, "community-il", "צוות מכירות"),
    ]

    /// Groups added after the planned ones (so the planned ones, and every session's id, stay
    /// what the seed made them), with the shared people in them.
    static let extraGroups: [(label: String, subject: String, size: Int, role: Role, guests: [Guest])] = [
        ("support-br", "Eventos São Paulo", 48, .admin,
         [Guest(person: spammer, role: .member), Guest(person: formerEmployee, role: .admin)]),
        ("support-br", "Eventos São Paulo", 15, .member, [Guest(person: spammer, role: .member)]),
        ("sales-mx", "Eventos São Paulo", 22, .admin,
         [Guest(person: spammer, role: .member), Guest(person: hiddenReseller, role: .member)]),
        ("ops-eu", "Moderators", 5, .admin, [Guest(person: formerEmployee, role: .admin)]),
    ]

    /// Groups whose settings differ from WhatsApp's defaults, and how many requests wait in
    /// each: (session label, subject, settings set, pending requests). Where approval is on,
    /// people wait; in "Comunidade Dev 👩‍💻" the session is only a member, so it cannot see them.
    static let adminSettings: [(label: String, subject: String, settings: GroupSettings, pending: Int)] = [
        ("support-br", "VIP Clientes 🎉", GroupSettings(approval: true), 3),
        ("support-br", "Comunidade Dev 👩‍💻", GroupSettings(approval: true), 2),
        ("sales-mx", "Distribuidores CDMX", GroupSettings(announce: true, approval: true), 2),
        ("sales-mx", "Promo Fin de Año 🎄", GroupSettings(adminsAdd: false), 0),
        ("ops-eu", "Releases 🚀", GroupSettings(announce: true), 0),
        ("ops-eu", "Incident bridge 🔥", GroupSettings(announce: true, locked: true), 0),
        ("community-il", "Volunteers 🙌", GroupSettings(locked: true, approval: true), 4),
    ]

    /// The community `support-br` administers: (label, subject, size, our role).
    static let community = (label: "support-br", subject: "Comunidade Suporte BR", size: 57, role: Role.admin)

    static func guests(_ label: String, _ subject: String) -> [Guest] {
        memberships.filter { $0.2 == label && $0.3 == subject }.map { Guest(person: $0.0, role: $0.1) }
    }

    static func build(into s: inout WorldState, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        var rowId = 500
        let base: Int64 = 1_704_067_200_000  // 2024-01-01
        var ids: [String: String] = [:]
        for (index, plan) in plans.enumerated() {
            let id = g.ulid()
            ids[plan.label] = id
            var account = MemberGenerator.randomPerson(&g, countryCode: plan.countryCode, hiddenChance: 0)
            account.name = plan.label
            s.addSession(id: id, label: plan.label, account: account, connected: plan.connected,
                         perMinute: 20, perHour: 600, createdAt: base + Int64(index) * 3_600_000,
                         recordId: g.hex(24), userId: g.hex(24))
            if !plan.connected { s.sessions[id]?.offlineStatus = "STOPPED" }
            var used: Set<String> = []
            for (gi, planned) in plan.groups.enumerated() {
                var groupID = "120363" + g.digits(12)
                while !used.insert(groupID).inserted { groupID = "120363" + g.digits(12) }
                rowId += 1
                let creator = planned.role == .superadmin
                    ? account : MemberGenerator.randomPerson(&g, countryCode: plan.countryCode, hiddenChance: 0.1)
                let created = base - Int64(g.int(in: 1...900)) * 86_400_000
                let description = gi % 3 == 0 ? "" : "Grupo \(planned.subject) · regras no fixado 📌"
                s.addLazyGroup(session: id, id: groupID, rowId: rowId, subject: planned.subject,
                               description: description, createdAt: created, creator: creator,
                               lazy: LazyMembers(seed: g.next(), size: planned.size, ourRole: planned.role,
                                                 countryCode: plan.countryCode, guests: guests(plan.label, planned.subject)))
            }
        }
        // A stream of its own, so that the planned groups above are what they were before.
        var extra = SplitMix64(seed: SplitMix64.mix(seed, 0xE7E7))
        for planned in extraGroups {
            guard let id = ids[planned.label], let plan = plans.first(where: { $0.label == planned.label }),
                  let account = s.sessions[id]?.account else { continue }
            var groupID = "120363" + extra.digits(12)
            while s.sessions.values.contains(where: { $0.groups[groupID] != nil }) { groupID = "120363" + extra.digits(12) }
            rowId += 1
            let creator = planned.role == .superadmin
                ? account : MemberGenerator.randomPerson(&extra, countryCode: plan.countryCode, hiddenChance: 0.1)
            s.addLazyGroup(session: id, id: groupID, rowId: rowId, subject: planned.subject,
                           description: "Grupo \(planned.subject) · regras no fixado 📌",
                           createdAt: base - Int64(extra.int(in: 1...900)) * 86_400_000, creator: creator,
                           lazy: LazyMembers(seed: extra.next(), size: planned.size, ourRole: planned.role,
                                             countryCode: plan.countryCode, guests: planned.guests))
        }
        addCommunity(into: &s, ids: ids, rowId: rowId + 1, stream: &extra, base: base)
        applyAdminSettings(into: &s, ids: ids, seed: seed, base: base)
        for p in [spammer, formerEmployee, hiddenReseller] { s.directory[p.lid] = p }
        s.notOnWhatsApp.insert("15550000000")
    }

    /// The community's parent, after every other group (so theirs stay what the seed made them).
    static func addCommunity(into s: inout WorldState, ids: [String: String], rowId: Int, stream: inout SplitMix64,
                             base: Int64) {
        guard let id = ids[community.label], let plan = plans.first(where: { $0.label == community.label }) else { return }
        var groupID = "120363" + stream.digits(12)
        while s.sessions.values.contains(where: { $0.groups[groupID] != nil }) { groupID = "120363" + stream.digits(12) }
        let creator = MemberGenerator.randomPerson(&stream, countryCode: plan.countryCode, hiddenChance: 0)
        s.addLazyGroup(session: id, id: groupID, rowId: rowId, subject: community.subject,
                       description: "Comunidade oficial do suporte · avisos e grupos ligados 📣",
                       createdAt: base - Int64(stream.int(in: 1...900)) * 86_400_000, creator: creator,
                       lazy: LazyMembers(seed: stream.next(), size: community.size, ourRole: community.role,
                                         countryCode: plan.countryCode))
        s.sessions[id]?.groups[groupID]?.isCommunity = true
    }

    /// `adminSettings`, with generated people waiting to join (a stream of their own).
    static func applyAdminSettings(into s: inout WorldState, ids: [String: String], seed: UInt64, base: Int64) {
        var people = SplitMix64(seed: SplitMix64.mix(seed, 0x901E))
        for planned in adminSettings {
            guard let id = ids[planned.label], let plan = plans.first(where: { $0.label == planned.label }),
                  let session = s.sessions[id],
                  let gid = session.groupOrder.first(where: { session.groups[$0]?.subject == planned.subject }),
                  var g = session.groups[gid] else { continue }
            g.set(planned.settings)
            for i in 0..<planned.pending {
                let person = MemberGenerator.randomPerson(&people, countryCode: plan.countryCode, hiddenChance: 0)
                g.pending.append(PendingRequest(person: person, method: "invite_link",
                                                at: base + Int64(people.int(in: 1...300)) * 3_600_000 + Int64(i)))
                s.directory[person.lid] = person
            }
            g.pending.sort { $0.at < $1.at }
            s.sessions[id]?.groups[gid] = g
        }
    }
}
