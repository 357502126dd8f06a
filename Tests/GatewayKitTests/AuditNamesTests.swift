import Foundation
import Testing
@testable import GatewayKit

/// The names an operation records (targets' display names, groups' subjects, sessions'
/// labels), and files written before they were.
@Suite("audit log: names at the time of the operation")
struct AuditNamesTests {
    static let context = AuditContext(user: "op", client: nil, profile: "support", gateway: "https://gw.example.com", dialect: "v1")
    static let carla = JID(kind: .user, user: "5511900000012")
    static let hidden = JID(kind: .lid, user: "100000000000099")
    static let team = JID(kind: .group, user: "120363000000000001")
    static let other = JID(kind: .group, user: "120363000000000002")

    static func labels() -> OperationLabels {
        var l = OperationLabels()
        l.add(Session(id: "S1", label: "support-br", account: nil, accountLID: nil, connected: true, status: "WORKING"))
        l.add(Group(jid: team, subject: "Família Souza ❤️", size: 3, owner: nil, ourRole: .admin))
        l.add([Participant(phone: carla, lid: JID(kind: .lid, user: "100000000000012"), name: "Carla Dias", role: .member),
               Participant(phone: nil, lid: hidden, name: nil, role: .member)])
        return l
    }

    @Test("the start record carries the subject, the session's label and the targets' names; each result its own")
    func recorded() throws {
        var plan = OperationPlan(id: "op1", action: .remove,
                                 steps: [OperationStep(session: "S1", group: Self.team, target: Self.carla),
                                         OperationStep(session: "S1", group: Self.team, target: Self.hidden)],
                                 reason: nil, context: Self.context)
        plan.labels = Self.labels()
        let start = plan.startRecord(context: Self.context)
        #expect(start.subject == "Família Souza ❤️")
        #expect(start.sessionLabel == "support-br")
        // Only the targets' names: not everyone the group listed, and nothing for a target without one.
        #expect(start.names == [Self.carla.string: "Carla Dias"])
        #expect(start.subjects == nil)
        let done = plan.resultRecord(step: 0, TargetResult(target: Self.carla, outcome: .done, httpStatus: 204, latencyMs: 9))
        #expect(done.name == "Carla Dias" && done.subject == "Família Souza ❤️" && done.group == Self.team.string && done.session == "S1")
        let nameless = plan.resultRecord(step: 1, TargetResult(target: Self.hidden, outcome: .done))
        #expect(nameless.name == nil)
    }

    @Test("a target named by its @lid finds the name its phone row carries")
    func byAnyID() {
        let l = Self.labels()
        #expect(l.targets["100000000000012@lid"] == "Carla Dias")
        #expect(l.targets[Self.carla.string] == "Carla Dias")
    }

    @Test("an operation over several groups records each subject")
    func severalGroups() {
        var l = Self.labels()
        l.add(Group(jid: Self.other, subject: "Readers 📚", size: 3, owner: nil, ourRole: .admin))
        var plan = OperationPlan(id: "op2", action: .remove,
                                 steps: [OperationStep(session: "S1", group: Self.team, target: Self.carla),
                                         OperationStep(session: "S1", group: Self.other, target: Self.carla)],
                                 reason: nil, context: Self.context)
        plan.labels = l
        let start = plan.startRecord(context: Self.context)
        #expect(start.subject == nil && start.group == nil)
        #expect(start.subjects == [Self.team.string: "Família Souza ❤️", Self.other.string: "Readers 📚"])
        #expect(plan.resultRecord(step: 1, TargetResult(target: Self.carla, outcome: .done)).subject == "Readers 📚")
    }

    @Test("records and journals written before names were recorded still read")
    func oldFiles() throws {
        let old = #"{"action":"remove","dialect":"v1","dryRun":false,"gateway":"https://gw.example.com","group":"120363000000000001@g.us","op":"op0","profile":"support","session":"S1","targets":["5511900000012@s.whatsapp.net"],"time":"2026-01-01T10:00:00.000Z","type":"operation","user":"op"}"#
        let result = #"{"group":"120363000000000001@g.us","httpStatus":204,"latencyMs":12,"op":"op0","outcome":"done","session":"S1","target":"5511900000012@s.whatsapp.net","time":"2026-01-01T10:00:01.000Z","type":"result"}"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-names-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (old + "\n" + result + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let (records, bad) = try AuditLog.read(path: path)
        #expect(bad == 0 && records.count == 2)
        #expect(records[0].subject == nil && records[0].names == nil && records[1].name == nil)

        // A journal's plan from before `labels`.
        var plan = OperationPlan(id: "op0", action: .remove, steps: [OperationStep(session: "S1", group: Self.team, target: Self.carla)],
                                 reason: nil, context: Self.context)
        plan.labels = nil
        let data = try JSONEncoder().encode(plan)
        #expect(!String(decoding: data, as: UTF8.self).contains("labels"))
        let back = try JSONDecoder().decode(OperationPlan.self, from: data)
        #expect(back.labels == nil && back.steps == plan.steps)
    }

    @Test("names written are names read back, through the file")
    func roundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-names-\(UUID().uuidString)/audit.jsonl").path
        let log = AuditLog(path: path)
        var plan = OperationPlan(id: "op3", action: .remove, steps: [OperationStep(session: "S1", group: Self.team, target: Self.carla)],
                                 reason: nil, context: Self.context)
        plan.labels = Self.labels()
        try log.append([plan.startRecord(context: Self.context), plan.resultRecord(step: 0, TargetResult(target: Self.carla, outcome: .done))])
        let (records, _) = try AuditLog.read(path: path)
        #expect(records.map(\.subject) == ["Família Souza ❤️", "Família Souza ❤️"])
        #expect(records[1].name == "Carla Dias")
    }
}
