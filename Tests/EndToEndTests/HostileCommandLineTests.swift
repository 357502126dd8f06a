import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The built binary against an emulator serving what a hostile gateway sends: nothing of it
/// reaches the terminal as it is, the token never shows, and every answer is bounded.
@Suite("command line against a hostile gateway", .serialized, .spawnsProcesses)
struct HostileCommandLineTests {
    static let hostile = "X\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}]52;c;ZWNobw==\u{07}\u{1B}[6n\u{9B}1m\u{7F}\u{202E}4321\u{202C}\u{200E}\u{2066}\u{FEFF}"

    /// Whether `text` holds anything a terminal would act on, or that spoofs what it shows.
    static func dangerous(_ text: String) -> [String] {
        text.unicodeScalars.compactMap { u -> String? in
            let v = u.value
            if v == 0x0A || v == 0x09 { return nil }
            if v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
                || [0x200E, 0x200F, 0x061C, 0xFEFF, 0x2028, 0x2029].contains(v) { return String(format: "U+%04X", v) }
            return nil
        }
    }

    @Test("escape sequences in a label, a subject and a name reach no output: tables, prompts' headers, errors, JSON, the audit", arguments: [Dialect.v1, .wasend])
    func escapes(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let s = TinyFixture.alpha, g = TinyFixture.teamAlpha, carla = TinyFixture.plainMembers[0]
            f.world.setLabel("L1" + Self.hostile, session: s)
            f.world.setSubject("Team" + Self.hostile, session: s, group: g)
            f.world.setName("Carla" + Self.hostile, of: carla, session: s, group: g)
            var env = f.env
            env["WAMOD_AUDIT"] = scratchAuditPath()
            let runs: [[String]] = [
                ["sessions"], ["sessions", "--json"], ["groups", s], ["groups", s, "--json"],
                ["members", s, g.string], ["members", s, g.string, "--json"],
                ["remove", s, g.string, carla.string, "--dry-run"], ["leave", s, g.string, "--dry-run"],
                ["remove", s, g.string, carla.string, "--yes"], ["remove", s, g.string, TinyFixture.plainMembers[1].string, "--yes", "--json"],
                ["remove", "no-such-session", g.string, carla.string, "--yes"], ["members", s, "No such group"],
                ["audit"], ["audit", "--json"],
            ]
            for args in runs {
                let r = try await runWamod(args + (args.first == "audit" ? [] : f.gatewayArgs), env: env)
                let bad = Self.dangerous(r.stdout) + Self.dangerous(r.stderr)
                #expect(bad.isEmpty, "\(args.joined(separator: " ")) wrote \(Set(bad).sorted()) (exit \(r.status))")
                if args.contains("--json"), !r.stdout.isEmpty {
                    let lines = args.first == "audit" ? r.stdout.split(separator: "\n").map(String.init) : [r.stdout]
                    for l in lines { #expect((try? JSONSerialization.jsonObject(with: Data(l.utf8))) != nil, "\(args): not JSON") }
                }
            }
            // The JSON still carries the text, escaped: a script reading it gets the real subject.
            let j = try await runWamod(["groups", s, "--json"] + f.gatewayArgs, env: env)
            let rows = (try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            #expect(rows.contains { ($0["subject"] as? String) == "Team" + Self.hostile })
        }
    }

    @Test("a gateway that echoes the token in its 401: not on standard error, in any dialect", arguments: SimDialects.supported)
    func echoedToken(_ d: Dialect) async throws {
        try await withSim(d) { f in
            f.world.queueHostile(.echoCredential(status: 401))
            let r = try await runWamod(["sessions"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 3, "\(r.stderr)")
            #expect(!r.stderr.contains(f.token) && !r.stdout.contains(f.token), "\(r.stderr)")
            #expect(r.stderr.contains("***"), "\(r.stderr)")
        }
    }

    @Test("an answer without end fails at the limit (exit 4), and one trickling fails at the timeout")
    func bounded() async throws {
        try await withSim(.v1) { f in
            f.world.queueHostile(.endlessBody)
            let big = try await runWamod(["sessions"] + f.gatewayArgs, env: f.env)
            #expect(big.status == 4, "\(big.stderr)")
            #expect(big.stderr.contains("32 MB limit"), "\(big.stderr)")

            f.world.queueHostile(.trickle(bytes: 400, intervalMs: 50), .trickle(bytes: 400, intervalMs: 50), .trickle(bytes: 400, intervalMs: 50))
            let args = ["sessions", "--gateway", f.sim.baseURL.absoluteString, "--dialect", "v1", "--timeout", "1"]
            let slow = try await runWamod(args, env: f.env)
            #expect(slow.status == 4, "\(slow.stderr)")
            #expect(slow.stderr.contains("no complete answer within 1 s"), "\(slow.stderr)")
        }
    }

    @Test("a 3 MB session label is cut when decoded: the table stays a table")
    func hugeLabel() async throws {
        try await withSim(.v1) { f in
            f.world.setLabel(String(repeating: "W", count: 3_000_000), session: TinyFixture.alpha)
            let r = try await runWamod(["sessions"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.utf8.count < 4_000, "\(r.stdout.utf8.count) bytes of output")
            #expect(r.stdout.contains("W…"))
        }
    }

    @Test("a 10,000-character subject is cut in the lines that quote it")
    func longSubject() async throws {
        try await withSim(.v1) { f in
            f.world.setSubject(String(repeating: "S", count: 10_000), session: TinyFixture.alpha, group: TinyFixture.teamAlpha)
            let r = try await runWamod(["remove", TinyFixture.alpha, TinyFixture.teamAlpha.string, TinyFixture.plainMembers[0].string, "--dry-run"] + f.gatewayArgs,
                                       env: f.env)
            let header = try #require(r.stdout.split(separator: "\n").first)
            #expect(header.count < 200, "\(header.count) characters")
            #expect(header.contains("S…"))
        }
    }

    @Test("a malformed group JID is refused before anything is read or sent")
    func malformedGroup() async throws {
        try await withSim(.v1) { f in
            let before = f.world.arrivals().count
            let r = try await runWamod(["remove", TinyFixture.alpha, "12x@g.us", TinyFixture.plainMembers[0].string, "--yes"] + f.gatewayArgs, env: f.env)
            #expect(r.status == 2, "\(r.stderr)")
            #expect(f.world.arrivals().count == before)
        }
    }

    @Test("ten thousand targets on one command line are all read (the dry run lists every one)")
    func manyTargets() async throws {
        try await withSim(.v1) { f in
            let targets = (0..<10_000).map { String(format: "+5521%08d", $0) }
            let r = try await runWamod(["remove", TinyFixture.alpha, TinyFixture.teamAlpha.string] + targets + ["--dry-run", "--json"] + f.gatewayArgs, env: f.env)
            // A dry run that nothing blocks exits 0, skips and all.
            #expect(r.status == 0, "\(r.stderr)")
            let rows = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]] ?? []
            #expect(rows.count == 10_000)
            #expect(rows.allSatisfy { $0["outcome"] as? String == "skip" })
        }
    }
}
