import Foundation
import Testing
@testable import GatewayKit

/// gateways.md §9's table, as each dialect's capabilities say it, and a dialect without a
/// capability throwing `.notPossible` for it without sending anything.
@Suite("administration capabilities, per dialect")
struct AdminCapabilityTests {
    typealias Row = (invite: Bool, reads: Set<GroupSetting>, sets: Set<GroupSetting>, join: Bool, text: Bool, communities: Bool)
    static let all = Set(GroupSetting.allCases)
    static let two: Set<GroupSetting> = [.announce, .locked]
    static let table: [Dialect: Row] = [
        .v1: (true, two, two, false, true, false),
        .wasend: (true, two, two, false, true, false),
        .waha: (true, all, all, true, true, false),
        .wuts: (true, [.announce, .locked, .approval], all, false, true, true),
        .wawp: (true, two, [], false, true, false),
        .evolution: (true, two, two, false, true, false),
    ]

    @Test("each dialect's capabilities are §9's table", arguments: Dialect.allCases)
    func table(_ d: Dialect) throws {
        let c = d.capabilities, row = try #require(Self.table[d])
        #expect(c.inviteLinks == row.invite && c.readsSettings == row.reads && c.setsSettings == row.sets)
        #expect(c.joinRequests == row.join && c.sendsText == row.text && c.communities == row.communities)
        #expect(c.offers(.inviteReset) == row.invite)
        #expect(c.offers(.approve) == row.join && c.offers(.reject) == row.join)
        #expect(c.offers(.lock) == !row.sets.isEmpty && c.offers(.settings) == !row.sets.isEmpty)
        if !row.join { #expect(c.missing(.approve, dialect: d) != nil) }
    }

    /// A gateway of `codec`'s type over `sender`, whatever the dialect.
    static func make<C: DialectCodec>(_ type: C.Type, _ sender: ScriptedSender) -> any Gateway { HTTPGateway(codec: C(), sender: sender) }

    @Test("what a dialect lacks throws notPossible naming it, and sends nothing", arguments: Dialect.allCases)
    func lacking(_ d: Dialect) async {
        let sender = ScriptedSender()
        let gw = Self.make(d.codec, sender)
        let c = gw.capabilities
        let g = JID(kind: .group, user: "120363041234567890"), p = JID(kind: .user, user: "5511900000012")
        func expectNotPossible(_ what: String, _ body: () async throws(GatewayError) -> Void) async {
            do throws(GatewayError) {
                try await body()
                Issue.record("\(d): \(what) did not throw")
            } catch {
                guard case .notPossible(let m) = error else { Issue.record("\(d): \(what) threw \(error)"); return }
                #expect(m.contains(d.rawValue) || m.contains("501"), "\(d): \(m)")
            }
        }
        if !c.joinRequests {
            await expectNotPossible("join requests") { () async throws(GatewayError) in _ = try await gw.joinRequests(session: "s", group: g) }
            await expectNotPossible("approve") { () async throws(GatewayError) in _ = try await gw.answerJoinRequest(approve: true, session: "s", group: g, requester: p) }
            await expectNotPossible("reject") { () async throws(GatewayError) in _ = try await gw.answerJoinRequest(approve: false, session: "s", group: g, requester: p) }
        }
        for s in GroupSetting.allCases where !c.setsSettings.contains(s) {
            var change = GroupSettings()
            change[s] = true
            await expectNotPossible("setting \(s)") { () async throws(GatewayError) in _ = try await gw.setSettings(change, session: "s", group: g) }
        }
        if c.readsSettings.isEmpty { await expectNotPossible("settings") { () async throws(GatewayError) in _ = try await gw.settings(session: "s", group: g) } }
        if !c.inviteLinks { await expectNotPossible("invite") { () async throws(GatewayError) in _ = try await gw.inviteLink(session: "s", group: g) } }
        if !c.sendsText { await expectNotPossible("text") { () async throws(GatewayError) in _ = try await gw.sendText(session: "s", to: p, text: "x") } }
        #expect(sender.sent.isEmpty, "\(d) sent \(sender.sent.map(\.path))")
    }
}
