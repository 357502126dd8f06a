import WamodModel

/// The `tiny` fixture: small, fixed, fully known content for tests.
///
/// Sessions:
/// - `alpha` (`TinyFixture.alpha`): connected; account `+5511900000001`, `100000000000001@lid`.
/// - `offline` (`TinyFixture.offline`): not connected (`SCAN_QR_CODE`); account `+5511900000002`.
///
/// Groups of `alpha`:
/// - "Team Alpha" (`teamAlpha`): created by Ana Souza (`creator`, +5511900000010); admins are
///   `alpha` and Bruno Lima (`otherAdmin`, +5511900000011); six plain members
///   (`plainMembers`: Carla Dias …012, Davi Rocha …013, Éva Müller …014, 王芳 …015,
///   نور الهدى …016, יעל כהן …017); one lid-only member "Hidden 🙈" (`lidOnlyMember`,
///   `100000000000099@lid`). 10 members in all, in that order.
/// - "Readers 📚" (`readers`): created by Ana; `alpha` is only a member; Carla and Davi too.
/// - "Ours ✨" (`ours`): created by `alpha`; Bruno is an admin; Carla a member.
///
/// Group of `offline`: "Offline Team" (`offlineGroup`): created by the offline account; Carla.
///
/// `notOnWhatsApp` (+5511900009999) is declined by add; `outsider` (+5511900000050, Fábio
/// Outsider) is on WhatsApp and in no group. Every participant has an `@lid`
/// (`1000000000000NN@lid` where NN are the phone's last two digits).
///
/// Group administration (gateways.md §9): "Team Alpha" needs an admin's approval for new
/// members, and two people wait among its join requests (`requesters`: Gabriel Nunes
/// +5511900000080, Helena Prado +5511900000081, by the invite link). Every other setting is
/// WhatsApp's default (anyone sends, anyone edits the info, only admins add). Invite codes do
/// not depend on the seed. No group is a community: `World.markCommunity` makes one.
public enum TinyFixture {
    public static let alpha = "01J9ZX8K2QHV0M3T6R7P4N5WA1"
    public static let offline = "01J9ZX8K2QHV0M3T6R7P4N5WB2"
    public static let alphaLabel = "alpha"
    public static let offlineLabel = "offline"

    public static let alphaAccount = user("5511900000001")
    public static let alphaLID = lid("100000000000001")
    public static let offlineAccount = user("5511900000002")

    public static let teamAlpha = JID(kind: .group, user: "120363000000000001")
    public static let readers = JID(kind: .group, user: "120363000000000002")
    public static let ours = JID(kind: .group, user: "120363000000000003")
    public static let offlineGroup = JID(kind: .group, user: "120363000000000004")

    public static let creator = user("5511900000010")
    public static let otherAdmin = user("5511900000011")
    public static let plainMembers = ["5511900000012", "5511900000013", "5511900000014",
                                      "5511900000015", "5511900000016", "5511900000017"].map(user)
    public static let lidOnlyMember = lid("100000000000099")
    /// The `@lid` of any tiny participant with a phone: `1000000000000` + the phone's last two digits.
    public static func lidOf(_ phone: JID) -> JID { lid("1000000000000" + String(phone.user.suffix(2))) }

    public static let notOnWhatsApp = user("5511900009999")
    public static let outsider = user("5511900000050")

    public static let teamAlphaSize = 10

    /// Waiting to join "Team Alpha", oldest first.
    public static let requesters = [user("5511900000080"), user("5511900000081")]
    /// What tiny's invite codes are derived from, whatever the world's seed.
    static let inviteSeed: UInt64 = 0x71A7_1417

    static func user(_ digits: String) -> JID { JID(kind: .user, user: digits) }
    static func lid(_ digits: String) -> JID { JID(kind: .lid, user: digits) }

    static func person(_ phone: JID, _ name: String) -> Person {
        Person(phone: phone.user, lid: lidOf(phone).user, name: name)
    }

    static func build(into s: inout WorldState) {
        let me = person(alphaAccount, "Alpha Support")
        let offlineMe = person(offlineAccount, "Old Line")
        let ana = person(creator, "Ana Souza")
        let bruno = person(otherAdmin, "Bruno Lima")
        let names = ["Carla Dias", "Davi Rocha", "Éva Müller", "王芳", "نور الهدى", "יעל כהן"]
        let plain = zip(plainMembers, names).map { person($0, $1) }
        let hidden = Person(phone: nil, lid: lidOnlyMember.user, name: "Hidden 🙈")
        let base: Int64 = 1_700_000_000_000

        s.addSession(id: alpha, label: alphaLabel, account: me, connected: true, createdAt: base,
                     recordId: "65a1f0c2e4b0a1b2c3d4e5f1", userId: "65a1f0c2e4b0a1b2c3d4e5a1")
        s.addSession(id: offline, label: offlineLabel, account: offlineMe, connected: false, createdAt: base,
                     recordId: "65a1f0c2e4b0a1b2c3d4e5f2", userId: "65a1f0c2e4b0a1b2c3d4e5a1")

        s.addGroup(session: alpha, id: teamAlpha.user, rowId: 1, subject: "Team Alpha",
                   description: "Equipe de suporte — plantão 24h 🚀", createdAt: base,
                   members: [(ana, .superadmin), (me, .admin), (bruno, .admin)]
                       + plain.map { ($0, Role.member) } + [(hidden, .member)])
        s.addGroup(session: alpha, id: readers.user, rowId: 2, subject: "Readers 📚",
                   description: "Leitura semanal", createdAt: base + 1000,
                   members: [(ana, .superadmin), (me, .member), (plain[0], .member), (plain[1], .member)])
        s.addGroup(session: alpha, id: ours.user, rowId: 3, subject: "Ours ✨",
                   description: "", createdAt: base + 2000,
                   members: [(me, .superadmin), (bruno, .admin), (plain[0], .member)])
        s.addGroup(session: offline, id: offlineGroup.user, rowId: 4, subject: "Offline Team",
                   description: "", createdAt: base + 3000,
                   members: [(offlineMe, .superadmin), (plain[0], .member)])
        s.inviteSeed = inviteSeed
        s.sessions[alpha]?.groups[teamAlpha.user]?.approval = true
        s.sessions[alpha]?.groups[teamAlpha.user]?.pending = zip(requesters, ["Gabriel Nunes", "Helena Prado"]).enumerated().map { i, r in
            PendingRequest(person: person(r.0, r.1), method: "invite_link", at: base + 10 * 86_400_000 + Int64(i) * 3_600_000)
        }
        for r in s.sessions[alpha]?.groups[teamAlpha.user]?.pending ?? [] { s.directory[r.person.lid] = r.person }
        s.directory[lidOf(outsider).user] = person(outsider, "Fábio Outsider")
        s.notOnWhatsApp.insert(notOnWhatsApp.user)
        s.sessions[offline]?.offlineStatus = "SCAN_QR_CODE"
    }
}
