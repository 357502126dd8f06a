import Foundation
import GatewayKit
import GatewaySim
import TestSupport
import Testing

/// The fleet index, live events and the watchlist in the real console, in tmux against the
/// emulator: the first paint drawn from the index while the gateway is slow, a join made
/// through the emulator's admin view appearing with no key pressed (over WAHA's WebSocket, and
/// by polling where no events come), and a watchlisted person who joins removed after
/// confirmation, the audit log saying why.
@Suite("fleet index and events in the console (tmux)", .enabled(if: TmuxSession.available, "needs tmux (installed by .ci/run)"), .serialized, .spawnsProcesses)
struct FleetConsoleJourneys {
    let team = TinyFixture.teamAlpha
    /// Someone from outside the fixture: the admin view's joins bring them in.
    let stranger = "5511900000050"

    /// A state directory (index, watchlist) and an audit log of the test's own.
    struct Scratch {
        let dir: String
        var state: String { dir + "/state" }
        var audit: String { dir + "/audit.jsonl" }
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-fleet-tmux-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    func environment(_ f: SimFixture, _ s: Scratch) -> [String: String] {
        var env = f.env
        env["XDG_STATE_HOME"] = s.state
        env["WAMOD_AUDIT"] = s.audit
        env["WAMOD_CONFIG"] = "/nonexistent/wamod-test-config"
        return env
    }

    /// The console on the emulator, with the scratch state (so the index the command line
    /// filled is the one it opens); the shell line stays after it exits.
    func open(_ f: SimFixture, _ s: Scratch, args: String? = nil, config: String? = nil) throws -> TmuxSession {
        let t = TmuxSession()
        let target = args ?? "--gateway \(f.sim.baseURL.absoluteString) --dialect \(f.sim.dialect.rawValue)"
        let cmd = "\(Binary.wamod.path) \(target) --pace 6000; echo EXIT=$?; sleep 30"
        var env = environment(f, s).merging(["LANG": "C.UTF-8", "TERM": "xterm-256color"]) { $1 }
        if let config {
            env["WAMOD_CONFIG"] = config
            env["WAMOD_TOKEN"] = nil
        }
        try t.start(cmd, env: env, width: 120, height: 34)
        return t
    }

    /// Someone joins Team Alpha by its link, through the emulator's admin view, over HTTP as an
    /// operator rehearsing "someone else did this" would.
    func joinByLink(_ f: SimFixture, _ number: String) async throws {
        let answer = try await send("POST", f.sim.baseURL, "/_sim/participants", token: f.token,
                                    json: ["session": TinyFixture.alpha, "group": team.string, "add": ["+" + number], "via": "invite"])
        #expect(answer.status == 200, "\(answer.text)")
    }

    /// Whether the stranger is in Team Alpha, as the emulator's world has it.
    func present(_ f: SimFixture) -> Bool {
        f.members(team).contains { $0.phone?.user == stranger }
    }

    func quit(_ t: TmuxSession) async throws {
        try t.keys("q")
        try await t.wait(for: "EXIT=0")
    }

    @Test("with an index, the first paint comes from it, marked cached, while the gateway is slow; the live read then replaces it")
    func cachedThenLive() async throws {
        try await withSim(.waha) { f in
            let s = try Scratch()
            defer { s.remove() }
            let sync = try await runWamod(["sync"] + f.gatewayArgs, env: environment(f, s))
            #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
            // Every read is held 20 s: nothing live can be on the screen before then (a loaded
            // machine may be slow to start the console; the hold starts when a read arrives).
            f.world.updateFaults { $0.stallRate = 1; $0.stallMs = 20_000 }
            let t = try open(f, s)
            defer { t.kill() }
            let cached = try await t.wait(for: "the sessions and groups from the index, marked cached", timeout: 19) {
                $0.contains("cached") && $0.contains("Team Alpha")
            }
            #expect(cached.contains(TinyFixture.alphaLabel), "drawn from the index: \(cached)")
            f.world.updateFaults { $0 = .none }
            // The held answers come; the live lists replace the cached ones.
            let live = try await t.wait(for: "the live lists, no longer marked cached", timeout: 60) { !$0.contains("cached") && $0.contains("Team Alpha") }
            #expect(live.contains("index "), "the status line gives the index's age: \(live)")
            try await quit(t)
        }
    }

    @Test("a join made through the emulator's admin view appears in the open group with no key pressed, over WAHA's WebSocket")
    func joinOverWebSocket() async throws {
        try await withSim(.waha) { f in
            let s = try Scratch()
            defer { s.remove() }
            let t = try open(f, s)
            defer { t.kill() }
            try await t.openTeamAlpha()
            try await t.wait(for: "the status line naming the WebSocket", timeout: 20) { $0.contains("events: websocket") }
            #expect(!(try t.screen()).contains("+" + stranger))
            try await joinByLink(f, stranger)
            let screen = try await t.wait(for: "the new member in the participants pane", timeout: 20) { $0.contains("+" + stranger) }
            #expect(screen.contains("joined Team Alpha"), "the log says who joined and where: \(screen)")
            // n: only the new members; the one who just joined is among them.
            try t.keys("n")
            let new = try await t.wait(for: "only the new members") { $0.contains("only the 1 new member") }
            #expect(new.contains("+" + stranger) && !new.contains("+" + TinyFixture.plainMembers[0].user), "\(new)")
            try await quit(t)
        }
    }

    @Test("with no event stream (v1), the console says it polls, and a join through the admin view appears at the next poll")
    func joinByPolling() async throws {
        try await withSim(.v1) { f in
            let s = try Scratch()
            defer { s.remove() }
            let tokenFile = s.dir + "/token"
            try f.clientToken.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
            let config = s.dir + "/config"
            try """
            default = rehearsal
            [profile rehearsal]
            dialect = v1
            url = \(f.sim.baseURL.absoluteString)
            token_file = \(tokenFile)
            poll_interval = 10s
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let t = try open(f, s, args: "", config: config)
            defer { t.kill() }
            try await t.openTeamAlpha()
            try await t.wait(for: "the status line saying it polls", timeout: 20) { $0.contains("events: polling") }
            try await joinByLink(f, stranger)
            let screen = try await t.wait(for: "the new member after a poll", timeout: 40) { $0.contains("+" + stranger) }
            #expect(screen.contains("Team Alpha"), "\(screen)")
            try await quit(t)
        }
    }

    @Test("a watchlisted person joins through the admin view: the console raises it at once, w reads live and removes them after confirmation; the audit says why")
    func watchlistedJoinRemoved() async throws {
        try await withSim(.waha) { f in
            let s = try Scratch()
            defer { s.remove() }
            let listed = try await runWamod(["watch", "add", "+" + stranger, "--reason", "spam wave"] + f.gatewayArgs, env: environment(f, s))
            #expect(listed.status == 0, "\(listed.stdout)\(listed.stderr)")
            let t = try open(f, s)
            defer { t.kill() }
            try await t.openTeamAlpha()
            try await t.wait(for: "the status line naming the WebSocket", timeout: 20) { $0.contains("events: websocket") }
            try await joinByLink(f, stranger)
            let alert = try await t.wait(for: "the watchlist banner", timeout: 20) { $0.contains("WATCHLIST +\(stranger)") }
            #expect(alert.contains("spam wave") && alert.contains("Team Alpha"), "\(alert)")
            #expect(present(f), "nothing is removed before the operator says so")

            try t.keys("w")
            // The group is read live, then the usual confirmation, with the entry as the reason.
            let confirm = try await t.wait(for: "the confirmation built from the live read", timeout: 20) {
                $0.contains("Reason (optional): watchlist: spam wave") && $0.contains("Type Team Alpha or 1")
            }
            #expect(confirm.contains("they member we admin"), "the live read's roles: \(confirm)")
            #expect(present(f), "still there while the confirmation waits")
            try t.literal("1")
            try t.keys("Enter")
            try await t.wait(for: "the removal's summary", timeout: 20) { $0.contains("removed 1 of 1") }
            #expect(!present(f))
            try await t.wait(for: "the banner gone once handled") { !$0.contains("WATCHLIST +\(stranger)") }

            let (records, _) = try AuditLog.read(path: s.audit)
            let op = try #require(records.first { $0.type == "operation" && $0.action == "remove" })
            #expect(op.reason == "watchlist: spam wave", "\(op)")
            #expect(records.contains { $0.type == "result" && $0.op == op.op && $0.outcome == "done" && $0.target?.contains(stranger) == true })
            #expect(records.contains { $0.type == "watch" }, "the watchlist's change is in the audit log too")
            try await quit(t)
        }
    }
}
