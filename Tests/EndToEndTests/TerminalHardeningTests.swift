import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The console on terminals it cannot trust: a crash ends the process at once with the
/// terminal restored, a dumb terminal is refused with a way out, a non-UTF-8 locale gets
/// ASCII borders.
@Suite("console on hostile terminals", .enabled(if: TmuxSession.available, "needs tmux (installed by .ci/run)"), .serialized, .spawnsProcesses)
struct TerminalHardeningTests {
    func console(_ f: SimFixture, env: [String: String], pidFile: String = "/dev/null", then: String = "") throws -> TmuxSession {
        let t = TmuxSession()
        // TERM goes on the command line: tmux sets its own in the pane.
        let cmd = "env TERM=\(env["TERM"] ?? "xterm-256color") \(Binary.wamod.path) --gateway \(f.sim.baseURL.absoluteString) --dialect \(f.sim.dialect.rawValue) --pace 6000 & "
            + "echo $! > \(pidFile); wait $!; echo EXIT=$?; \(then) sleep 30"
        var all = ["WAMOD_TOKEN": f.clientToken, "WAMOD_AUDIT": scratchAuditPath()]
        for (k, v) in env { all[k] = v }
        try t.start(cmd, env: all)
        return t
    }

    @Test("a crash (SIGABRT) restores the terminal and ends the process at once, with the signal's status")
    func crashExits() async throws {
        try await withSim(.v1) { f in
            let stty = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-stty-\(UUID().uuidString)").path
            let pidFile = stty + ".pid"
            let t = try console(f, env: ["LANG": "C.UTF-8", "TERM": "xterm-256color"], pidFile: pidFile, then: "stty -a > \(stty);")
            defer { t.kill() }
            _ = try await t.wait(for: "Team Alpha")
            let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGABRT)
            // 128 + 6: the process ended by the signal, not waiting in the runtime's backtracer.
            try await t.wait(for: "EXIT=134", timeout: 20)
            try await t.wait(for: "stty output", timeout: 5) { _ in (try? String(contentsOfFile: stty, encoding: .utf8))?.contains("icanon") == true }
            let settings = try String(contentsOfFile: stty, encoding: .utf8)
            #expect(settings.contains(" icanon") && settings.contains(" echo "))
        }
    }

    @Test("a 3 MB session label and escape sequences in names: the console draws, answers q, and nothing reaches the terminal")
    func hostileText() async throws {
        try await withSim(.v1) { f in
            f.world.setLabel(String(repeating: "W", count: 3_000_000), session: TinyFixture.alpha)
            // A gateway that shows the token in a label (an echo of the request, a debug field).
            f.world.setLabel("leaky " + f.clientToken, session: TinyFixture.offline)
            f.world.setSubject("Team Alpha \u{1B}]0;owned\u{07}\u{202E}x", session: TinyFixture.alpha, group: TinyFixture.teamAlpha)
            let t = try console(f, env: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
            defer { t.kill() }
            let screen = try await t.wait(for: "Team Alpha", timeout: 30)
            #expect(screen.contains("WWW"), "\(screen)")
            #expect(!screen.contains("\u{1B}") && !screen.contains("\u{202E}"))
            #expect(screen.contains("leaky ***") && !screen.contains(f.clientToken), "\(screen)")
            try t.keys("q")
            try await t.wait(for: "EXIT=0", timeout: 15)
        }
    }

    @Test("TERM=dumb is refused with a clear message and exit 2")
    func dumbTerminal() async throws {
        try await withSim(.v1) { f in
            let t = try console(f, env: ["LANG": "C.UTF-8", "TERM": "dumb"])
            defer { t.kill() }
            let screen = try await t.wait(for: "EXIT=2", timeout: 20)
            #expect(screen.contains("cannot draw the console"), "\(screen)")
        }
    }

    @Test("in the C locale the borders are ASCII")
    func asciiInCLocale() async throws {
        try await withSim(.v1) { f in
            let t = try console(f, env: ["LANG": "C", "LC_ALL": "C", "TERM": "xterm-256color"])
            defer { t.kill() }
            let screen = try await t.wait(for: "Team Alpha")
            #expect(!screen.contains("─") && !screen.contains("│"), "\(screen)")
            #expect(screen.contains("+-") || screen.contains("-+") || screen.contains("|"))
            try t.keys("q")
            try await t.wait(for: "EXIT=0", timeout: 20)
        }
    }
}
