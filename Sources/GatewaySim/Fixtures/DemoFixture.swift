import GatewayKit

/// The `demo` fixture: five sessions with human labels (`old-line` is offline), 36 groups from
/// 2 to 120 members, where the session is admin in some, only a member in others, and the
/// creator in a few; about 4% of participants are lid-only. Deterministic from the seed.
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

    static func build(into s: inout WorldState, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        var rowId = 500
        let base: Int64 = 1_704_067_200_000  // 2024-01-01
        for (index, plan) in plans.enumerated() {
            let id = g.ulid()
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
                                                 countryCode: plan.countryCode))
            }
        }
        s.notOnWhatsApp.insert("15550000000")
    }
}
