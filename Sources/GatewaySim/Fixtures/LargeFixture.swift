import Foundation
import WamodModel

/// The `large` fixture: 50 sessions × 200 groups. The first group of each session has 1,024
/// members; the others 2…256. Members are generated when a group is first read.
enum LargeFixture {
    static let sessionCount = 50
    static let groupsPerSession = 200
    static let bigGroupSize = 1024

    static func build(into s: inout WorldState, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let codes = ["55", "52", "351", "34", "49", "972", "81", "1"]
        let base: Int64 = 1_704_067_200_000
        var rowId = 10_000
        let roles: [Role] = [.admin, .admin, .member, .superadmin, .admin, .member]
        for si in 0..<sessionCount {
            let id = g.ulid()
            let code = codes[si % codes.count]
            var account = MemberGenerator.randomPerson(&g, countryCode: code, hiddenChance: 0)
            account.name = "line-\(si + 1)"
            let connected = si % 10 != 9
            s.addSession(id: id, label: String(format: "line-%02d", si + 1), account: account, connected: connected,
                         createdAt: base + Int64(si) * 60_000, recordId: g.hex(24), userId: g.hex(24))
            for gi in 0..<groupsPerSession {
                rowId += 1
                // Unique per world: session and group index are part of the id.
                let groupID = "1203630" + String(format: "%03d%05d", si, gi) + g.digits(3)
                let size = gi == 0 ? bigGroupSize : g.int(in: 2...256)
                let role = gi == 0 ? Role.admin : roles[g.int(in: 0...(roles.count - 1))]
                let creator = role == .superadmin ? account : MemberGenerator.randomPerson(&g, countryCode: code)
                s.addLazyGroup(session: id, id: groupID, rowId: rowId, subject: Names.subject(&g, index: gi),
                               description: "", createdAt: base - Int64(g.int(in: 1...2000)) * 86_400_000,
                               creator: creator,
                               lazy: LazyMembers(seed: g.next(), size: size, ourRole: role, countryCode: code))
            }
        }
    }
}
