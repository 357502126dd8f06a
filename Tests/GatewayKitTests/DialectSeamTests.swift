import Foundation
@testable import GatewayKit
import Testing

@Suite("the dialect seam: one codec per dialect, registered once")
struct DialectSeamTests {
    @Test("every dialect has a codec that speaks it, and a gateway built from it", arguments: Dialect.allCases)
    func registered(_ d: Dialect) throws {
        #expect(d.codec.dialect == d)
        // Tokens are remembered as secrets and masked wherever they appear: unlike any label.
        let secret = "seam-test-\(UUID().uuidString)"
        let token = d == .wawp ? "seam-test-instance-\(UUID().uuidString):\(secret)" : secret
        let gw = try GatewayFactory.make(dialect: d, baseURL: URL(string: "http://127.0.0.1:9")!, token: token)
        #expect(gw.dialect == d)
        #expect(gw.capabilities == d.capabilities)
    }

    @Test("capabilities answer what callers used to ask by naming a dialect")
    func capabilities() {
        #expect(Dialect.allCases.filter { !$0.capabilities.ownerMayLeave } == [.wasend])
        #expect(Dialect.allCases.filter { !$0.capabilities.listsSessions } == [.wuts, .wawp])
        #expect(Dialect.v1.capabilities.readsBack == [.add])
        #expect(Dialect.allCases.allSatisfy { d in MemberAction.allCases.allSatisfy { d.capabilities.offers($0) } && d.capabilities.leaves })
    }

    @Test("a token's form: Wawp's names its instance; the others are the secret as given")
    func tokens() {
        #expect(Dialect.wawp.codec.token("secret", session: "inst") == "inst:secret")
        #expect(Dialect.wawp.codec.tokenForm == "INSTANCE_ID:ACCESS_TOKEN")
        #expect(Dialect.allCases.filter { $0.codec.tokenForm != nil } == [.wawp])
        #expect(Dialect.waha.codec.token("secret", session: "default") == "secret")
        #expect(throws: GatewayError.self) { try Dialect.wawp.codec.checkToken("no-colon") }
    }

    @Test("one target's per-row outcome: its own row, else the answer's only row")
    func rows() {
        let t = JID(kind: .user, user: "5511900000001")
        let other = JID(kind: .user, user: "5511900000002")
        #expect(MemberRows.outcome(.remove, target: t, rows: [.init(ids: [other], code: 404), .init(ids: [t], code: 200)]) == .done)
        #expect(MemberRows.outcome(.remove, target: t, rows: [.init(ids: [], code: 200)]) == .done)
        #expect(MemberRows.outcome(.remove, target: t, rows: []).kind == "refused")
    }
}
