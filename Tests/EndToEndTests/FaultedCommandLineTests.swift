import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The built binary against an emulator with faults: exit codes that say what went wrong,
/// targets left by a dropped session finished by `wamod resume`, and JSON that tells it all.
@Suite("command line under faults", .serialized, .spawnsProcesses)
struct FaultedCommandLineTests {
    let alpha = TinyFixture.alphaLabel

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("a read cut short even after reading again exits 4; a gateway that refuses connections exits 3")
    func exitCodes() async throws {
        try await withSim(.v1) { f in
            f.world.updateFaults { $0.truncatedRate = 1 }
            let r = try await runWamod(["groups", alpha] + f.gatewayArgs, env: f.env)
            #expect(r.status == 4, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("not what this dialect sends"), "\(r.stderr)")
            // Each read was tried three times before giving up.
            #expect(f.world.arrivals().filter { $0.path.hasSuffix("/sessions") }.count == 3)
        }
        // A port nobody listens on.
        let closed = try await runWamod(["sessions", "--gateway", "http://127.0.0.1:9", "--dialect", "v1"], env: ["WAMOD_TOKEN": "t"])
        #expect(closed.status == 3, "\(closed.stderr)")
    }

    @Test("the session drops mid-removal: exit 1, the rest marked resumable; resume waits while it is offline, finishes once it is back", arguments: [Dialect.v1, .waha])
    func sessionDropsThenResume(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let audit = scratchAuditPath()
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            let targets = Array(TinyFixture.plainMembers.prefix(5))
            f.world.updateFaults { $0.disconnectAfterMutations[TinyFixture.alpha] = 2 }
            let r = try await runWamod(["remove", alpha, "Team Alpha"] + targets.map(\.string) + ["--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            // Each target's line went to standard error as it ended, before the table.
            #expect(r.stderr.contains("1/5 done") && r.stderr.contains("5/5 not-attempted"), "\(r.stderr)")
            #expect(r.stderr.contains("(resumable)"))
            let rows = Self.json(r.stdout)["results"] as? [[String: Any]] ?? []
            #expect(rows.count == 5)
            #expect(rows.prefix(2).allSatisfy { $0["outcome"] as? String == "done" && $0["resumable"] == nil })
            #expect(rows.dropFirst(2).allSatisfy { $0["resumable"] as? Bool == true }, "\(rows)")
            #expect(OperationTrustTests.journalFiles(audit).count == 1, "the unsent targets were given up")
            let marked = try await runWamod(["audit"], env: env)
            #expect(marked.stdout.contains("3 without a final result"), "\(marked.stdout)")
            #expect(marked.stdout.contains("(resumable)"))

            let offline = try await runWamod(["resume", "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(offline.status == 1, "\(offline.stdout)\(offline.stderr)")
            #expect(OperationTrustTests.journalFiles(audit).count == 1)

            f.world.setConnected(true, session: TinyFixture.alpha)
            let back = try await runWamod(["resume", "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
            let resumed = Self.json(back.stdout)["results"] as? [[String: Any]] ?? []
            #expect(resumed.count == 3)
            #expect(resumed.allSatisfy { $0["outcome"] as? String == "done" && $0["httpStatus"] as? Int != nil && $0["latencyMs"] as? Int != nil },
                    "\(resumed)")
            for t in targets { #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(t) }) }
            #expect(OperationTrustTests.journalFiles(audit).isEmpty)
            #expect(try await !runWamod(["audit"], env: env).stdout.contains("without a final result"))
            // Each person was removed once, and the audit's last word on each is done.
            #expect(f.world.ledger().filter { $0.action == "remove" }.count == 5)
            let last = Dictionary(try OperationTrustTests.records(audit).filter { $0.type == "result" }.map { ($0.target ?? "", $0.outcome ?? "") },
                                  uniquingKeysWith: { _, b in b })
            #expect(targets.allSatisfy { last[$0.string] == "done" })
        }
    }

    @Test("members --json: phone is the phone JID, e164 the number, lid the @lid")
    func memberNumbers() async throws {
        try await withSim(.v1) { f in
            let m = try await runWamod(["members", alpha, "Team Alpha", "--json"] + f.gatewayArgs, env: f.env)
            #expect(m.status == 0, "\(m.stderr)")
            let rows = Self.json(m.stdout)["participants"] as? [[String: Any]] ?? []
            let carla = try #require(rows.first { $0["id"] as? String == TinyFixture.plainMembers[0].string })
            #expect(carla["phone"] as? String == TinyFixture.plainMembers[0].string)
            #expect(carla["e164"] as? String == "+" + TinyFixture.plainMembers[0].user)
            let hidden = try #require(rows.first { $0["id"] as? String == TinyFixture.lidOnlyMember.string })
            #expect(hidden["e164"] == nil && hidden["lid"] as? String == TinyFixture.lidOnlyMember.string)
        }
    }

    @Test("groups --json on v1 gives our role where the list tells it (a group the session created)")
    func v1OwnedGroupRole() async throws {
        try await withSim(.v1) { f in
            let g = try await runWamod(["groups", alpha, "--json"] + f.gatewayArgs, env: f.env)
            #expect(g.status == 0, "\(g.stderr)")
            let rows = Self.json(g.stdout)["groups"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["jid"] as? String == TinyFixture.ours.string }?["role"] as? String == "superadmin")
        }
    }
}
