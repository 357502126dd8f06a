import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// What an operator hits on first use of the command line (issue 11): options before the
/// command, a mistyped command, our role in groups, subjects with emoji, dry-run exits, and
/// the `e164` fields. The real binary against the emulator.
@Suite("command line: first use", .serialized, .spawnsProcesses)
struct CommandLineFirstUseTests {
    let alpha = TinyFixture.alphaLabel

    @Test("shared options work before the command as after it, --json included")
    func optionsBeforeTheCommand() async throws {
        try await withSim(.v1) { f in
            let before = try await runWamod(f.gatewayArgs + ["sessions"], env: f.env)
            #expect(before.status == 0, "\(before.stderr)")
            #expect(before.stdout.contains("alpha") && before.stdout.contains("+5511900000001"))

            let json = try await runWamod(["--json"] + f.gatewayArgs + ["groups", alpha], env: f.env)
            #expect(json.status == 0, "\(json.stderr)")
            let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((obj?["groups"] as? [[String: Any]])?.count == 3)

            // The `--name=value` form, and options split around the command.
            let split = try await runWamod(["--gateway=\(f.sim.baseURL.absoluteString)", "--dialect", "v1", "members", alpha, "Team Alpha",
                                            "--pace", "6000", "--timeout", "60"], env: f.env)
            #expect(split.status == 0, "\(split.stderr)")
            #expect(split.stdout.contains("Ana Souza"))
        }
    }

    @Test("--profile before the command, and WAMOD_PROFILE when it is not given")
    func profileBeforeTheCommand() async throws {
        try await withSim(.v1) { f in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-first-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = dir.appendingPathComponent("config").path
            try """
            [profile rehearsal]
            dialect = v1
            url = \(f.sim.baseURL.absoluteString)
            token_env = REHEARSAL_TOKEN
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let env = ["WAMOD_CONFIG": config, "REHEARSAL_TOKEN": f.token]
            let r = try await runWamod(["--profile", "rehearsal", "sessions"], env: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("alpha"))
            var picked = env
            picked["WAMOD_PROFILE"] = "rehearsal"
            let fromEnv = try await runWamod(["sessions"], env: picked)
            #expect(fromEnv.status == 0, "\(fromEnv.stderr)")
            let unknown = try await runWamod(["--profile", "nope", "sessions"], env: env)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("no profile 'nope'"), "\(unknown.stderr)")
        }
    }

    @Test("a mistyped command is named, with the nearest command; usage exit")
    func unknownCommand() async throws {
        let typo = try await runWamod(["sesions"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown command 'sesions'; did you mean 'sessions'?"), "\(typo.stderr)")
        let after = try await runWamod(["--gateway", "http://127.0.0.1:9", "--dialect", "v1", "grups", alpha])
        #expect(after.status == 2)
        #expect(after.stderr.contains("did you mean 'groups'?"), "\(after.stderr)")
        let far = try await runWamod(["xyzzyplugh"])
        #expect(far.status == 2)
        #expect(far.stderr.contains("unknown command 'xyzzyplugh'") && far.stderr.contains("sessions, groups, members"), "\(far.stderr)")
        #expect(!far.stderr.contains("did you mean"))
        // The parser's own answers stay as they were.
        let help = try await runWamod(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("SUBCOMMANDS") || help.stdout.contains("sessions"))
        let version = try await runWamod(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty)
    }

    @Test("a flag of the console still reaches the console (the default command)")
    func consoleFlags() async throws {
        // Without a terminal the console cannot start; what matters is who says so.
        let r = try await runWamod(["--read-only", "--gateway", "http://127.0.0.1:9", "--dialect", "v1"], env: ["WAMOD_TOKEN": "x"])
        #expect(!r.stderr.contains("unknown command"), "\(r.stderr)")
        #expect(!r.stderr.contains("Unexpected argument") && !r.stderr.contains("Unknown option"), "\(r.stderr)")
        let help = try await runWamod(["console", "--help"])
        #expect(help.stdout.contains("--read-only"))
    }

    @Test("groups: ROLE ? is explained, and --roles reads each group for it")
    func groupRoles() async throws {
        try await withSim(.v1) { f in
            // v1's group list does not carry our role: only the group we created is known from it.
            let plain = try await runWamod(["groups", alpha] + f.gatewayArgs, env: f.env)
            #expect(plain.status == 0, "\(plain.stderr)")
            let team = try #require(plain.stdout.split(separator: "\n").first { $0.contains("Team Alpha") })
            #expect(team.hasSuffix("?"))
            #expect(plain.stderr.contains("ROLE ? : this gateway's group list does not say our role; --roles reads each group (paced)"))

            let reads = f.world.arrivals().count
            let roles = try await runWamod(["groups", alpha, "--roles"] + f.gatewayArgs, env: f.env)
            #expect(roles.status == 0, "\(roles.stderr)")
            let lines = roles.stdout.split(separator: "\n")
            #expect(lines.first { $0.contains("Team Alpha") }?.hasSuffix("admin") == true, "\(roles.stdout)")
            #expect(lines.first { $0.contains("Readers") }?.hasSuffix("member") == true, "\(roles.stdout)")
            #expect(lines.first { $0.contains("Ours") }?.hasSuffix("superadmin") == true, "\(roles.stdout)")
            #expect(!roles.stderr.contains("ROLE ?"))
            // It read the participants of the two groups whose role the list left unknown.
            let participantReads = f.world.arrivals().dropFirst(reads).filter { $0.path.contains("participants") || $0.path.contains("members") }
            #expect(participantReads.count >= 2, "\(f.world.arrivals().dropFirst(reads).map(\.path))")

            let json = try await runWamod(["groups", alpha, "--roles", "--json"] + f.gatewayArgs, env: f.env)
            let rows = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["jid"] as? String == TinyFixture.readers.string }?["role"] as? String == "member")
        }
    }

    @Test("a subject is found in its normalised form; several groups of that name are listed with their JIDs")
    func subjectMatching() async throws {
        try await withSim(.v1) { f in
            f.world.setSubject("Família Souza ❤️", session: TinyFixture.alpha, group: TinyFixture.readers)
            // As a terminal without emoji presentation shows it: without the variation selector.
            let m = try await runWamod(["members", alpha, "família souza ❤"] + f.gatewayArgs, env: f.env)
            #expect(m.status == 0, "\(m.stderr)")
            #expect(m.stdout.contains("Carla Dias") && !m.stdout.contains("Bruno Lima"))

            f.world.setSubject("Team Alpha", session: TinyFixture.alpha, group: TinyFixture.ours)
            let twice = try await runWamod(["members", alpha, "Team Alpha"] + f.gatewayArgs, env: f.env)
            #expect(twice.status == 2)
            #expect(twice.stderr.contains("2 groups are named 'Team Alpha'"), "\(twice.stderr)")
            #expect(twice.stderr.contains(TinyFixture.teamAlpha.string) && twice.stderr.contains(TinyFixture.ours.string))
        }
    }

    @Test("a dry run with a skipped target exits 1, as the real run does; a clean one 0")
    func dryRunExit() async throws {
        try await withSim(.v1) { f in
            let skip = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, TinyFixture.creator.string,
                                           "--dry-run"] + f.gatewayArgs, env: f.env)
            #expect(skip.status == 1, "\(skip.stdout)\(skip.stderr)")
            #expect(skip.stdout.contains("skip"))
            let real = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, TinyFixture.creator.string,
                                           "--yes"] + f.gatewayArgs, env: f.env)
            #expect(real.status == skip.status)
            let clean = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[1].string, "--dry-run"] + f.gatewayArgs, env: f.env)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            let leave = try await runWamod(["leave", alpha, TinyFixture.readers.string, "--dry-run"] + f.gatewayArgs, env: f.env)
            #expect(leave.status == 0, "\(leave.stdout)\(leave.stderr)")
        }
    }

    @Test("every JSON output that carries a phone JID carries its E.164 number too")
    func e164Fields() async throws {
        try await withSim(.v1) { f in
            let s = try await runWamod(["sessions", "--json"] + f.gatewayArgs, env: f.env)
            let sessions = (try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any])?["sessions"] as? [[String: Any]] ?? []
            let a = try #require(sessions.first { $0["label"] as? String == alpha })
            #expect(a["account"] as? String == TinyFixture.alphaAccount.string)
            #expect(a["e164"] as? String == "+5511900000001")

            let m = try await runWamod(["members", alpha, "Team Alpha", "--json"] + f.gatewayArgs, env: f.env)
            let people = (try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [String: Any])?["participants"] as? [[String: Any]] ?? []
            for p in people where p["phone"] is String {
                let phone = try #require(p["phone"] as? String)
                #expect(p["e164"] as? String == "+" + phone.prefix { $0 != "@" })
            }
            #expect(people.contains { $0["phone"] == nil && $0["e164"] == nil && $0["lid"] as? String == TinyFixture.lidOnlyMember.string })

            let r = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, TinyFixture.lidOnlyMember.string,
                                        "--dry-run", "--json"] + f.gatewayArgs, env: f.env)
            let rows = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["target"] as? String == TinyFixture.plainMembers[0].string }?["e164"] as? String == "+5511900000012")
            #expect(rows.contains { $0["target"] as? String == TinyFixture.lidOnlyMember.string && $0["e164"] == nil })

            let found = try await runWamod(["find", TinyFixture.plainMembers[0].phoneNumber!, "--json"] + f.gatewayArgs, env: f.env)
            let obj = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any]
            #expect(obj?["e164"] as? String == "+5511900000012")
        }
    }
}
