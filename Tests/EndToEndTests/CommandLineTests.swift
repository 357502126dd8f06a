import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The built `wamod` binary against a running emulator, in each dialect.
/// One test at a time: each spawns the binary, and dozens of them at once on two cores starve
/// the in-process emulators they talk to.
@Suite("command line against the emulator", .serialized, .spawnsProcesses)
struct CommandLineTests {
    static let dialects: [Dialect] = [.v1, .wasend]
    let alpha = TinyFixture.alphaLabel

    @Test("sessions, groups and members as tables and as JSON", arguments: dialects)
    func reads(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let s = try await runWamod(["sessions"] + f.gatewayArgs, env: f.env)
            #expect(s.status == 0, "\(s.stderr)")
            #expect(s.stdout.contains("alpha") && s.stdout.contains("offline") && s.stdout.contains("+5511900000001"))

            let g = try await runWamod(["groups", alpha, "--json"] + f.gatewayArgs, env: f.env)
            #expect(g.status == 0, "\(g.stderr)")
            let groups = try JSONSerialization.jsonObject(with: Data(g.stdout.utf8)) as? [String: Any]
            let rows = groups?["groups"] as? [[String: Any]] ?? []
            #expect(Set(rows.compactMap { $0["jid"] as? String }) == Set([TinyFixture.teamAlpha, TinyFixture.readers, TinyFixture.ours].map(\.string)))

            let m = try await runWamod(["members", alpha, "Team Alpha"] + f.gatewayArgs, env: f.env)
            #expect(m.status == 0, "\(m.stderr)")
            #expect(m.stdout.contains("Ana Souza") && m.stdout.contains("owner") && m.stdout.contains("王芳"))
            #expect(m.stdout.split(separator: "\n").count == TinyFixture.teamAlphaSize + 1)
        }
    }

    @Test("remove: one line per target, exit 1 when one is skipped, the world loses exactly the others", arguments: dialects)
    func remove(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let targets = [TinyFixture.plainMembers[0], TinyFixture.plainMembers[1]]
            let r = try await runWamod(["remove", alpha, TinyFixture.teamAlpha.string] + targets.map { $0.phoneNumber! }
                                 + [TinyFixture.creator.string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.filter { $0.hasPrefix("done") }.count == 2)
            #expect(lines.contains { $0.hasPrefix("skipped") && $0.contains("owner") })
            let left = f.members(TinyFixture.teamAlpha)
            #expect(left.count == TinyFixture.teamAlphaSize - 2)
            for t in targets { #expect(!left.contains { $0.matches(t) }) }
            #expect(left.contains { $0.matches(TinyFixture.creator) })
        }
    }

    @Test("--dry-run prints the plan and sends nothing", arguments: dialects)
    func dryRun(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let before = f.world.mutationsServed(session: TinyFixture.alpha)
            let r = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, TinyFixture.outsider.string,
                                  "--dry-run", "--json"] + f.gatewayArgs, env: f.env)
            // The outsider is already not in the group: the real run would exit 0, and so does the dry run.
            #expect(r.status == 0, "\(r.stderr)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(obj?["dryRun"] as? Bool == true)
            let outcomes = (obj?["results"] as? [[String: Any]] ?? []).compactMap { $0["outcome"] as? String }
            #expect(outcomes == ["will-act", "skip"])
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == before)
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize)
        }
    }

    @Test("without a terminal and without --yes a mutation refuses to run (exit 2)")
    func needsYes() async throws {
        try await withSim(.v1) { f in
            let r = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string] + f.gatewayArgs, env: f.env)
            #expect(r.status == 2)
            #expect(r.stderr.contains("--yes"))
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize)
        }
    }

    @Test("demote, promote and leave", arguments: dialects)
    func roles(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let dem = try await runWamod(["demote", alpha, "Team Alpha", TinyFixture.otherAdmin.string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(dem.status == 0, "\(dem.stdout)\(dem.stderr)")
            #expect(f.members(TinyFixture.teamAlpha).first { $0.matches(TinyFixture.otherAdmin) }?.role == .member)
            let pro = try await runWamod(["promote", alpha, "Team Alpha", TinyFixture.plainMembers[2].string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(pro.status == 0, "\(pro.stdout)\(pro.stderr)")
            #expect(f.members(TinyFixture.teamAlpha).first { $0.matches(TinyFixture.plainMembers[2]) }?.role == .admin)
            let add = try await runWamod(["add", alpha, "Team Alpha", TinyFixture.outsider.string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(add.status == 0, "\(add.stdout)\(add.stderr)")
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(TinyFixture.outsider) })
            let leave = try await runWamod(["leave", alpha, TinyFixture.readers.string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(leave.status == 0, "\(leave.stdout)\(leave.stderr)")
            #expect(!f.members(TinyFixture.readers).contains { $0.matches(TinyFixture.alphaAccount) })
        }
    }

    @Test("not an admin: exit 1 with the reason; nothing sent")
    func notAdmin() async throws {
        try await withSim(.v1) { f in
            let before = f.world.mutationsServed(session: TinyFixture.alpha)
            let r = try await runWamod(["remove", alpha, TinyFixture.readers.string, TinyFixture.plainMembers[0].string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 1)
            #expect(r.stdout.contains("not an admin"))
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == before)
        }
    }

    @Test("exit codes: 2 for a malformed JID before anything is sent, 3 for a bad token or no gateway")
    func exitCodes() async throws {
        try await withSim(.v1) { f in
            let bad = try await runWamod(["remove", alpha, "Team Alpha", "not-a-number", "--yes"] + f.gatewayArgs, env: f.env)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("is not a WhatsApp id"))
            let token = try await runWamod(["sessions"] + f.gatewayArgs, env: ["WAMOD_TOKEN": "wrong-token-value"])
            #expect(token.status == 3)
            #expect(token.stderr.contains("unauthorized"))
            #expect(!token.stderr.contains("wrong-token-value"))
            let noToken = try await runWamod(["sessions"] + f.gatewayArgs)
            #expect(noToken.status == 2)
            #expect(noToken.stderr.contains("WAMOD_TOKEN"))
        }
        let down = try await runWamod(["sessions", "--gateway", "http://127.0.0.1:9", "--dialect", "v1"], env: ["WAMOD_TOKEN": "x"])
        #expect(down.status == 3)
        #expect(down.stderr.contains("unreachable"))
        let insecure = try await runWamod(["sessions", "--gateway", "http://gateway.example.com", "--dialect", "v1"], env: ["WAMOD_TOKEN": "x"])
        #expect(insecure.status == 2)
        #expect(insecure.stderr.contains("refusing plain http"))
        let usage = try await runWamod(["remove"])
        #expect(usage.status == 2)
    }

    @Test("a profile from the config file, with the token from a private file")
    func profile() async throws {
        try await withSim(.wasend) { f in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let tokenFile = dir.appendingPathComponent("token").path
            try f.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
            let config = dir.appendingPathComponent("config").path
            try """
            default = rehearsal
            [profile rehearsal]
            dialect = wasend
            url = \(f.sim.baseURL.absoluteString)
            token_file = \(tokenFile)
            session = \(TinyFixture.alpha)
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let r = try await runWamod(["groups"], env: ["WAMOD_CONFIG": config])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("Team Alpha"))
            #expect(!r.stdout.contains(f.token) && !r.stderr.contains(f.token))
            // WAMOD_PROFILE picks the profile as AWS_PROFILE does; --profile still wins.
            let named = try await runWamod(["groups"], env: ["WAMOD_CONFIG": config, "WAMOD_PROFILE": "rehearsal"])
            #expect(named.status == 0, "\(named.stderr)")
            let unknown = try await runWamod(["groups"], env: ["WAMOD_CONFIG": config, "WAMOD_PROFILE": "nope"])
            #expect(unknown.status == 2 && unknown.stderr.contains("no profile 'nope' (from WAMOD_PROFILE)"), "\(unknown.stderr)")
            let flag = try await runWamod(["groups", "--profile", "rehearsal"], env: ["WAMOD_CONFIG": config, "WAMOD_PROFILE": "nope"])
            #expect(flag.status == 0, "\(flag.stderr)")
        }
    }

    @Test("every mutation is audited before it is reported, and wamod audit reads it back")
    func audit() async throws {
        try await withSim(.v1) { f in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-e2e-audit-\(UUID().uuidString).jsonl").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            var env = f.env
            env["WAMOD_AUDIT"] = file
            env["USER"] = "night-shift"
            env["SSH_CONNECTION"] = "203.0.113.7 50000 10.0.0.1 22"
            let dry = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, "--dry-run"] + f.gatewayArgs, env: env)
            #expect(dry.status == 0)
            let r = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, TinyFixture.plainMembers[1].string,
                                        "--yes", "--reason", "spam wave"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let out = try await runWamod(["audit", "--json"], env: env)
            #expect(out.status == 0)
            let lines = out.stdout.split(separator: "\n").map(String.init)
            let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let ops = records.filter { $0["type"] as? String == "operation" }
            #expect(ops.count == 2)
            #expect(ops.first?["dryRun"] as? Bool == true)
            #expect(ops.last?["reason"] as? String == "spam wave")
            #expect(ops.last?["user"] as? String == "night-shift")
            #expect(ops.last?["client"] as? String == "203.0.113.7")
            let results = records.filter { $0["type"] as? String == "result" }
            #expect(results.count == 2)
            #expect(results.allSatisfy { $0["outcome"] as? String == "done" && $0["httpStatus"] as? Int == 204 })
            #expect(!out.stdout.contains(f.token))
            let table = try await runWamod(["audit", "--group", TinyFixture.teamAlpha.string, "--since", "1h"], env: env)
            #expect(table.stdout.contains("reason: spam wave"))
            let none = try await runWamod(["audit", "--group", TinyFixture.readers.string], env: env)
            #expect(none.stdout.contains("no operations"))
        }
    }

    @Test("find lists every group of every session where a person is, with roles")
    func find() async throws {
        try await withSim(.v1) { f in
            let carla = TinyFixture.plainMembers[0]
            let r = try await runWamod(["find", carla.phoneNumber!, "--json"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 0, "\(r.stderr)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let groups = (obj?["groups"] as? [[String: Any]] ?? []).compactMap { $0["group"] as? String }
            #expect(Set(groups) == Set([TinyFixture.teamAlpha, TinyFixture.readers, TinyFixture.ours, TinyFixture.offlineGroup].map(\.string)))
            let team = (obj?["groups"] as? [[String: Any]])?.first { $0["group"] as? String == TinyFixture.teamAlpha.string }
            #expect(team?["ourRole"] as? String == "admin")
            #expect(team?["theirRole"] as? String == "member")
            let nobody = try await runWamod(["find", TinyFixture.outsider.string] + f.gatewayArgs, env: f.env)
            #expect(nobody.status == 0)
            #expect(nobody.stdout.contains("in no group"))
            let bad = try await runWamod(["find", "120363000000000001@g.us"] + f.gatewayArgs, env: f.env)
            #expect(bad.status == 2)
        }
    }

    @Test("no token is accepted as a command-line value")
    func noTokenFlag() async throws {
        let r = try await runWamod(["sessions", "--token", "abc", "--gateway", "http://127.0.0.1:9", "--dialect", "v1"])
        #expect(r.status == 2)
    }
}
