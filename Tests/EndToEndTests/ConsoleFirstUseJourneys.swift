import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

extension ConsoleJourneyTests {
    @Test("q q during a paced removal: every unsent target is recorded not attempted, and the exit says what was done, what was not, and the id")
    func quitMidOperation() async throws {
        try await withSim(.v1) { f in
            let stty = Self.sttyFile()
            let audit = Self.auditFile()
            // Six a minute: one request goes, the next waits ten seconds.
            let t = try open(f, extra: "--pace 6", stty: stty, audit: audit)
            defer { t.kill() }
            try await openTeamAlpha(t)
            for p in TinyFixture.plainMembers.prefix(3) {
                try t.keys("/")
                try t.literal(p.user)
                try t.keys("Enter", "Space", "Escape")
            }
            try await t.wait(for: "tagged 3")
            try t.keys("x")
            try await t.wait(for: "will be removed")
            try t.keys("y")
            try await t.wait(for: "the first removal, then the pacing wait", timeout: 20) { $0.contains("next in") }
            try t.keys("q")
            try await t.wait(for: "q again stops")
            try t.keys("q")
            try await t.wait(for: "the exit summary", timeout: 30) { $0.contains("wamod: quit during") }
            // The pane wraps long lines: read it as one.
            let screen = try t.screen().replacingOccurrences(of: "\n", with: "")
            #expect(screen.contains("1 done") && screen.contains("2 not sent"), "\(screen)")
            #expect(screen.contains("wamod audit --op"))
            try await expectRestored(t, stty)
            let (records, _) = try AuditLog.read(path: audit)
            let op = records.first { $0.type == "operation" && $0.action == "remove" }?.op
            let results = records.filter { $0.type == "result" && $0.op == op }
            #expect(results.count == 3, "every target has a final result: \(results.map { $0.outcome ?? "-" })")
            #expect(results.filter { $0.outcome == "not-attempted" }.count == 2)
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize - 1, "only the first was sent")
            // The console records what the operator saw: the subject and each target's name.
            #expect(records.first { $0.op == op && $0.type == "operation" }?.subject == "Team Alpha")
            #expect(results.contains { $0.name == "Carla Dias" }, "\(results.map { $0.name ?? "-" })")
        }
    }
}
