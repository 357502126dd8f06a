import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The command line's prompts on a real terminal (tmux): typed confirmations accept the name
/// as the screen showed it, or the count; the undo prompt names the people it puts back.
/// The first screen may take long while the whole suite runs beside it (a cold binary on a
/// loaded machine): the waits are generous, since they assert what is shown, not how fast.
@Suite("command line: prompts on a terminal", .serialized, .enabled(if: TmuxSession.available), .spawnsProcesses)
struct CommandLinePromptTests {
    func run(_ f: SimFixture, _ line: String, audit: String) throws -> TmuxSession {
        let t = TmuxSession()
        let gw = f.gatewayArgs.joined(separator: " ")
        try t.start("\(Binary.wamod.path) \(line) \(gw); echo EXIT=$?; sleep 30",
                    env: ["WAMOD_TOKEN": f.clientToken, "LANG": "C.UTF-8", "TERM": "xterm-256color", "WAMOD_AUDIT": audit], width: 120, height: 30)
        return t
    }

    @Test("a leave is confirmed by typing the group's name as a terminal without emoji sequences shows it")
    func leaveByShownName() async throws {
        try await withSim(.v1) { f in
            f.world.setSubject("Família Souza ❤️", session: TinyFixture.alpha, group: TinyFixture.readers)
            let t = try run(f, "leave alpha 'Família Souza ❤'", audit: scratchAuditPath())
            defer { t.kill() }
            try await t.wait(for: "to confirm:", timeout: 60)
            try t.literal("família souza ❤")
            try t.keys("Enter")
            try await t.wait(for: "EXIT=0", timeout: 60)
            #expect(!f.members(TinyFixture.readers).contains { $0.matches(TinyFixture.alphaAccount) })
        }
    }

    @Test("five targets are confirmed by the count or by the group's name; anything else sends nothing")
    func typedCount() async throws {
        try await withSim(.v1) { f in
            let five = TinyFixture.plainMembers.prefix(5).map { $0.phoneNumber! }.joined(separator: " ")
            let refused = try run(f, "remove alpha 'Team Alpha' \(five)", audit: scratchAuditPath())
            try await refused.wait(for: "to confirm:", timeout: 60)
            try refused.literal("4")
            try refused.keys("Enter")
            let screen = try await refused.wait(for: "EXIT=1")
            refused.kill()
            #expect(screen.contains("not confirmed: nothing was sent"))
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize)

            let byName = try run(f, "remove alpha 'Team Alpha' \(five)", audit: scratchAuditPath())
            defer { byName.kill() }
            try await byName.wait(for: "to confirm:", timeout: 60)
            try byName.literal("TEAM ALPHA")
            try byName.keys("Enter")
            try await byName.wait(for: "EXIT=0", timeout: 60)
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize - 5)
        }
    }

    @Test("the undo prompt lists each person by the name the audit log recorded, with the JID")
    func undoPromptNames() async throws {
        try await withSim(.v1) { f in
            let audit = scratchAuditPath()
            let carla = TinyFixture.plainMembers[0]
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            let r = try await runWamod(["remove", "alpha", "Team Alpha", carla.string, "--yes", "--json"] + f.gatewayArgs, env: env)
            let op = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["operation"] as? String)
            let t = try run(f, "undo \(op)", audit: audit)
            defer { t.kill() }
            let screen = try await t.wait(for: "Proceed?", timeout: 60)
            #expect(screen.contains("Carla Dias (\(carla.string)) in \"Team Alpha\" (\(TinyFixture.teamAlpha.string))"), "\(screen)")
            try t.literal("y")
            try t.keys("Enter")
            try await t.wait(for: "EXIT=0", timeout: 60)
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(carla) })
        }
    }
}
