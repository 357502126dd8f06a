import Foundation
import Testing
@testable import GatewayKit

@Suite("operation kinds")
struct OperationKindTests {
    @Test("raw values are the audit log's strings, so a plan written before the type reads unchanged")
    func oldPlansRead() throws {
        let context = AuditContext(user: "ana", client: nil, profile: "p", gateway: "http://gw", dialect: "v1")
        let plan = OperationPlan(id: "op1", action: .leave, steps: [], reason: nil, context: context, created: "2026-01-01T00:00:00.000Z")
        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        #expect(json.contains("\"action\":\"leave\""))
        for kind in OperationKind.allCases {
            let old = json.replacingOccurrences(of: "\"action\":\"leave\"", with: "\"action\":\"\(kind.rawValue)\"")
            #expect(try JSONDecoder().decode(OperationPlan.self, from: Data(old.utf8)).action == kind)
        }
        let unknown = json.replacingOccurrences(of: "\"action\":\"leave\"", with: "\"action\":\"explode\"")
        #expect(throws: (any Error).self) { try JSONDecoder().decode(OperationPlan.self, from: Data(unknown.utf8)) }
    }

    @Test("each kind says what it acts on and what undoes it")
    func semantics() throws {
        #expect(OperationKind.leave.targetsGroups)
        #expect(!OperationKind.remove.targetsGroups)
        #expect(OperationKind(MemberAction.demote) == .demote)
        #expect(try OperationKind.remove.inverse.get() == .add)
        #expect(try OperationKind.promote.inverse.get() == .demote)
        if case .success = OperationKind.leave.inverse { Issue.record("a leave has no undo") }
        if case .success = OperationKind.add.inverse { Issue.record("an add is not undone automatically") }
        #expect(try Undo.inverse(of: "demote").get() == .promote)
        if case .success = Undo.inverse(of: "explode") { Issue.record("an unknown action has no undo") }
    }
}
