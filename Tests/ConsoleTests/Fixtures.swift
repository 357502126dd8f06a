import Foundation
import GatewayKit
@testable import Console

/// A console state with data loaded, built without a gateway, for reducer and view tests.
enum Fixtures {
    static let us = JID(kind: .user, user: "5511900000001")
    static let support = Session(id: "S1", label: "support-br", account: us, connected: true, status: "working")
    static let sales = Session(id: "S2", label: "sales-mx", account: JID(kind: .user, user: "5215500000001"), connected: true, status: "working")
    static let old = Session(id: "S3", label: "old-line", account: JID(kind: .user, user: "5511900000009"), connected: false, status: "SCAN_QR_CODE")

    static let alpha = Group(jid: JID(kind: .group, user: "120363000000000001"), subject: "Team Alpha", size: 8, owner: JID(kind: .user, user: "5511911110000"), ourRole: .admin)
    static let vip = Group(jid: JID(kind: .group, user: "120363000000000002"), subject: "VIP Clientes 🎉", size: 118, owner: nil, ourRole: .admin)
    static let cjk = Group(jid: JID(kind: .group, user: "120363000000000003"), subject: "客服 支持群", size: 7, owner: nil, ourRole: .member)
    static let rtl = Group(jid: JID(kind: .group, user: "120363000000000004"), subject: "مجموعة الدعم", size: 3, owner: nil, ourRole: .admin)

    static func person(_ n: Int, _ name: String?, _ role: Role = .member, lidOnly: Bool = false) -> Participant {
        Participant(phone: lidOnly ? nil : JID(kind: .user, user: "55119111\(String(format: "%05d", n))"),
                    lid: JID(kind: .lid, user: "9000\(n)"), name: name, role: role)
    }

    static let people: [Participant] = [
        person(0, "Ana Souza", .superadmin),
        person(1, "Bruno Lima", .admin),
        Participant(phone: us, lid: nil, name: "Support Bot", role: .admin),
        person(2, "Carla Dias"),
        person(3, "Diego Ramírez"),
        person(4, "王小明"),
        person(5, "👩‍👩‍👧 Família"),
        person(6, nil, lidOnly: true),
    ]

    static var alphaKey: GroupKey { GroupKey(session: support.id, group: alpha.jid) }

    /// Sessions loaded, support-br open with its groups, Team Alpha open with its participants.
    static func loaded(width: Int = 80, height: Int = 24) -> ConsoleState {
        var s = ConsoleState()
        s.width = width
        s.height = height
        s.gatewayName = "demo"
        s.now = Date(timeIntervalSince1970: 1_800_000_000)
        s.sessions.value = [support, sales, old]
        s.openSession = support.id
        s.groups[support.id] = Loaded(value: [alpha, vip, cjk, rtl])
        s.openGroup = alphaKey
        s.setParticipants(alphaKey, people)
        s.focus = .participants
        s.lastListFocus = .participants
        return s
    }

    static func press(_ s: inout ConsoleState, _ keys: Key..., reducer: Reducer = Reducer()) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += reducer.reduce(&s, .key(k)) }
        return effects
    }

    static func type(_ s: inout ConsoleState, _ text: String) {
        for ch in text { _ = Reducer().reduce(&s, .key(.char(ch))) }
    }
}
