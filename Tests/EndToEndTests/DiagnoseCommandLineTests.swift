import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `wamod config list|show|check`, `wamod doctor` and token commands, the real binary against
/// the emulator over loopback. The binary runs in a session of its own (`setsid`), so that it
/// has no terminal whatever the tests run in: a token command's standard error is then kept
/// for its error. The terminal's own path (a command that prompts) is driven in tmux.
@Suite("command line: config, doctor and token commands", .serialized, .spawnsProcesses)
struct DiagnoseCommandLineTests {
    static let hostile = "X\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}1m\u{202E}4321\u{202C}"

    /// A folder with a config file (mode 600) and what the binary's environment needs to use
    /// it and nothing of the machine's: its own state directory and audit file.
    struct Setup {
        let dir: URL
        var config: String { dir.appendingPathComponent("config").path }
        var env: [String: String]

        init(_ text: String, env extra: [String: String] = [:]) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-diag-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            env = ["XDG_STATE_HOME": dir.appendingPathComponent("state").path, "WAMOD_AUDIT": dir.appendingPathComponent("state/wamod/audit.jsonl").path,
                   "LANG": "C.UTF-8", "TERM": "xterm-256color"]
            for (k, v) in extra { env[k] = v }
            env["WAMOD_CONFIG"] = config
            try write(text)
        }

        func write(_ text: String) throws {
            try text.write(toFile: config, atomically: false, encoding: .utf8)
            chmod(config, 0o600)
        }

        func file(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, mode)
            return path
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    /// The binary without a controlling terminal, whatever runs the tests.
    func detached(_ args: [String], env: [String: String]) async throws -> RunResult {
        try await runProgram(URL(fileURLWithPath: "/usr/bin/setsid"), ["--wait", Binary.wamod.path] + args, env: env)
    }

    func lines(_ r: RunResult) -> [String] { r.stdout.split(separator: "\n").map(String.init) }

    /// The check line about `subject` (`good token`, `config`), its status first.
    func line(_ r: RunResult, _ status: String, _ subject: String) -> String? {
        lines(r).first { l in
            let words = l.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let s = subject.split(separator: " ").map(String.init)
            return words.first == status && Array(words.dropFirst().prefix(s.count)) == s
        }
    }

    @Test("config list, show and check: each token source by its kind, never the token; problems with file:line")
    func configCommands() async throws {
        let secret = "s3cret-\(UUID().uuidString.prefix(8))"
        let s = try Setup("", env: ["SUPPORT_TOKEN": secret, "VAULT_TOKEN": secret])
        defer { s.remove() }
        let tokenFile = try s.file("sales.token", secret + "\n")
        try s.write("""
        default = support

        [profile support]
        dialect = v1
        url = https://gw.example.com
        token_env = SUPPORT_TOKEN
        session = 01J9ZX8K2QHV0M3T6R7P4N5W8C

        [profile sales]
        dialect = wasend
        url = https://api.wasend.dev
        token_file = \(tokenFile)

        [profile vault]
        dialect = waha
        url = https://waha.example.com
        token_command = printf '%s' "$VAULT_TOKEN"
        token_command_timeout = 30s
        """)

        let list = try await detached(["config", "list"], env: s.env)
        #expect(list.status == 0, "\(list.stderr)")
        let support = try #require(lines(list).first { $0.contains("support") })
        #expect(support.hasPrefix("*") && support.contains("v1") && support.contains("https://gw.example.com") && support.contains("env"), "\(list.stdout)")
        #expect(lines(list).contains { $0.contains("sales") && $0.contains("wasend") && $0.contains(" file ") })
        #expect(lines(list).contains { $0.contains("vault") && $0.contains("command") })
        let json = try await detached(["config", "list", "--json"], env: s.env.merging(["WAMOD_PROFILE": "vault"]) { $1 })
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = obj["profiles"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["token"] as? String } == ["env", "file", "command"])
        #expect(rows.compactMap { $0["line"] as? Int } == [3, 9, 14])
        #expect(rows.first { $0["current"] as? Bool == true }?["name"] as? String == "vault", "WAMOD_PROFILE picks the current one")
        #expect(obj["default"] as? String == "support")

        let show = try await detached(["config", "show", "vault"], env: s.env)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("profile vault (\(s.config):14)"), "\(show.stdout)")
        #expect(lines(show).contains { $0.hasPrefix("token_command ") && $0.contains("printf") && $0.hasSuffix("line 17") })
        #expect(lines(show).contains { $0.hasPrefix("token_command_timeout") && $0.contains("30s") && $0.hasSuffix("line 18") })
        #expect(lines(show).contains { $0.hasPrefix("timeout") && $0.contains("20s") && $0.hasSuffix("default") })
        let showEnv = try await detached(["config", "show"], env: s.env)
        #expect(lines(showEnv).contains { $0.hasPrefix("token_env") && $0.contains("SUPPORT_TOKEN (set)") }, "\(showEnv.stdout)")
        let unknown = try await detached(["config", "show", "nope"], env: s.env)
        #expect(unknown.status == 2 && unknown.stderr.contains("known: support, sales, vault"), "\(unknown.stderr)")

        let check = try await detached(["config", "check"], env: s.env)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(line(check, "ok", "sales token")?.contains("private (mode 600)") == true, "\(check.stdout)")
        #expect(line(check, "ok", "vault token")?.contains("30s to answer") == true, "\(check.stdout)")
        for r in [list, json, show, showEnv, check] { #expect(!(r.stdout + r.stderr).contains(secret), "a token was shown") }

        // Now broken: the token file open to others, a misspelt key, a bad value.
        chmod(tokenFile, 0o644)
        try s.write(try String(contentsOfFile: s.config, encoding: .utf8) + "\n[profile typo]\ndialect = v1\nurl = https://x.example.com\ntokn_env = T\ntimeout = soon\n")
        let broken = try await detached(["config", "check"], env: s.env)
        #expect(broken.status == 2, "\(broken.stdout)")
        let open = try #require(line(broken, "FAIL", "sales token"), "\(broken.stdout)")
        #expect(open.contains("readable by group or others (mode 644)"))
        #expect(lines(broken).contains { $0.trimmingCharacters(in: .whitespaces) == "hint: chmod 600 \(tokenFile)" }, "\(broken.stdout)")
        #expect(line(broken, "FAIL", "typo config")?.contains("\(s.config):22: unknown key 'tokn_env' in profile 'typo' (did you mean 'token_env'?)") == true, "\(broken.stdout)")
        #expect(lines(broken).contains { $0.hasPrefix("FAIL") && $0.contains("\(s.config):23: timeout is a number of seconds") }, "\(broken.stdout)")
        #expect(lines(broken).contains { $0.hasPrefix("FAIL") && $0.contains("\(s.config):19: profile 'typo' needs exactly one of token_env") }, "\(broken.stdout)")
        // The file's line, the typo profile's three, the token file's mode.
        #expect(lines(broken).last?.hasSuffix("5 failed") == true, "\(broken.stdout)")
        let brokenJSON = try await detached(["config", "check", "--json"], env: s.env)
        let checks = (try JSONSerialization.jsonObject(with: Data(brokenJSON.stdout.utf8)) as? [String: Any])?["checks"] as? [[String: Any]] ?? []
        #expect(checks.contains { $0["status"] as? String == "fail" && $0["profile"] as? String == "typo" && ($0["hint"] as? String)?.contains("at line 22") == true })
        let brokenList = try await detached(["config", "list"], env: s.env)
        #expect(brokenList.status == 2 && lines(brokenList).contains { $0.contains("typo") && $0.contains("wamod config check") }, "\(brokenList.stdout)")
        #expect(brokenList.stderr.contains("`wamod config check` lists them"))
    }

    @Test("doctor against the emulator: each profile's token, gateway, dialect and session; a wrong dialect, a locked vault and a slow command fail with their hints")
    func doctor() async throws {
        let f = try await SimFixture.start(.v1)
        let s = try Setup("", env: ["SIM_SECRET": f.token, "WRONG_TOKEN": f.token])
        defer { s.remove() }
        do {
            let url = f.sim.baseURL.absoluteString
            try s.write("""
            [profile good]
            dialect = v1
            url = \(url)
            token_command = printf '%s\\n' "$SIM_SECRET"
            session = \(TinyFixture.alpha)

            [profile wrong]
            dialect = waha
            url = \(url)
            token_env = WRONG_TOKEN

            [profile locked]
            dialect = v1
            url = \(url)
            token_command = echo 'the vault is locked: unlock it first (vault unlock)' >&2; exit 2

            [profile slow]
            dialect = v1
            url = \(url)
            token_command = sleep 30
            token_command_timeout = 1s
            """)
            let started = Date()
            let all = try await detached(["doctor"], env: s.env)
            #expect(all.status == 1, "\(all.stdout)\(all.stderr)")
            #expect(Date().timeIntervalSince(started) < 60)
            #expect(line(all, "ok", "config")?.contains("4 profiles") == true, "\(all.stdout)")
            #expect(line(all, "ok", "good token")?.contains("resolves from the command `printf`") == true, "\(all.stdout)")
            #expect(line(all, "ok", "good gateway")?.contains("2 sessions in the v1 shape") == true, "\(all.stdout)")
            #expect(line(all, "ok", "good dialect")?.contains("the probe agrees: the gateway speaks v1") == true, "\(all.stdout)")
            #expect(line(all, "ok", "good session")?.contains("alpha [\(TinyFixture.alpha)] is connected") == true, "\(all.stdout)")
            #expect(line(all, "FAIL", "wrong gateway") != nil, "\(all.stdout)")
            let wrong = try #require(line(all, "FAIL", "wrong dialect"), "\(all.stdout)")
            #expect(wrong.contains("the gateway speaks v1, not waha as configured"))
            #expect(lines(all).contains { $0.contains("hint: set dialect = v1 (\(s.config):8)") }, "\(all.stdout)")
            let locked = try #require(line(all, "FAIL", "locked token"), "\(all.stdout)")
            #expect(locked.contains("exited with status 2: the vault is locked: unlock it first (vault unlock)"), "\(locked)")
            #expect(line(all, "ok", "locked gateway") == nil && line(all, "FAIL", "locked gateway") == nil, "no token, no request")
            #expect(line(all, "FAIL", "slow token")?.contains("did not finish within 1s and was stopped") == true, "\(all.stdout)")
            #expect(line(all, "ok", "state") != nil && line(all, "ok", "journal") != nil, "\(all.stdout)")
            #expect(line(all, "warn", "terminal") != nil, "no terminal in setsid: \(all.stdout)")
            #expect(line(all, "ok", "term")?.contains("TERM=xterm-256color") == true || line(all, "warn", "term") != nil)
            #expect(line(all, "ok", "locale")?.contains("UTF-8") == true, "\(all.stdout)")
            #expect(!(all.stdout + all.stderr).contains(f.token), "the token was shown")

            // One profile, as JSON; what the gateway names passes the sanitiser, the token masked.
            f.world.setLabel("L1" + Self.hostile + f.token, session: TinyFixture.alpha)
            let one = try await detached(["doctor", "--profile", "good", "--json"], env: s.env)
            #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
            #expect(!one.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E }, "\(one.stdout)")
            #expect(!one.stdout.contains(f.token))
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
            let checks = obj["checks"] as? [[String: Any]] ?? []
            #expect(Set(checks.compactMap { $0["profile"] as? String }) == ["good"])
            #expect(checks.contains { $0["name"] as? String == "dialect" && $0["status"] as? String == "ok" })
            let session = try #require(checks.first { $0["name"] as? String == "session" })
            #expect((session["detail"] as? String)?.contains("***") == true, "\(session)")
            #expect(obj["fail"] as? Int == 0 && (obj["ok"] as? Int ?? 0) >= 6)

            let plain = try await detached(["doctor", "--profile", "good"], env: s.env)
            #expect(!plain.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E }, "\(plain.stdout)")

            // An offline profile session fails; the whole fleet's, with none named, warns.
            f.world.setConnected(false, session: TinyFixture.alpha)
            let offline = try await detached(["doctor", "--profile", "good"], env: s.env)
            #expect(offline.status == 1 && line(offline, "FAIL", "good session")?.contains("is not connected") == true, "\(offline.stdout)")

            let none = try await detached(["doctor", "--profile", "nope"], env: s.env)
            #expect(none.status == 2 && none.stderr.contains("known: good, wrong, locked, slow"), "\(none.stderr)")

            // A gateway that is not there.
            let down = try await detached(["doctor", "--gateway", "http://127.0.0.1:9", "--dialect", "v1"], env: s.env.merging(["WAMOD_TOKEN": "x-token-123"]) { $1 })
            #expect(down.status == 1 && line(down, "FAIL", "(command line) gateway")?.contains("unreachable") == true, "\(down.stdout)")
            #expect(line(down, "ok", "(command line) dialect") == nil && line(down, "FAIL", "(command line) dialect") == nil, "no probe of a gateway that is not there")
        } catch {
            await f.sim.stop()
            throw error
        }
        await f.sim.stop()
    }

    @Test("a token command through any command: its words on failure, a clear timeout, and its token used")
    func tokenCommandForCommands() async throws {
        try await withSim(.v1) { f in
            let s = try Setup("", env: ["SIM_SECRET": f.token])
            defer { s.remove() }
            let url = f.sim.baseURL.absoluteString
            try s.write("""
            [profile ok]
            dialect = v1
            url = \(url)
            token_command = echo 'unlocking…' >&2; printf '%s\\n' "$SIM_SECRET"

            [profile locked]
            dialect = v1
            url = \(url)
            token_command = echo 'Vault is locked. Run: vault unlock' >&2; exit 2

            [profile slow]
            dialect = v1
            url = \(url)
            token_command = sleep 30; printf '%s' "$SIM_SECRET"
            token_command_timeout = 1s
            """)
            let ok = try await detached(["sessions", "--profile", "ok"], env: s.env)
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stdout.contains("alpha") && ok.stdout.contains("+5511900000001"), "\(ok.stdout)")
            #expect(!ok.stderr.contains("unlocking"), "a successful command's words are not an error")

            let locked = try await detached(["sessions", "--profile", "locked"], env: s.env)
            #expect(locked.status == 2, "\(locked.stderr)")
            #expect(locked.stderr.contains("exited with status 2: Vault is locked. Run: vault unlock"), "\(locked.stderr)")

            let started = Date()
            let slow = try await detached(["sessions", "--profile", "slow"], env: s.env)
            #expect(slow.status == 2, "\(slow.stderr)")
            #expect(slow.stderr.contains("did not finish within 1s and was stopped") && slow.stderr.contains("token_command_timeout"), "\(slow.stderr)")
            #expect(Date().timeIntervalSince(started) < 25, "stopped at its timeout, not after its 30 s")
            for r in [ok, locked, slow] { #expect(!(r.stdout + r.stderr).contains(f.token)) }
        }
    }

    @Test("audit --since takes every form operators type: 90s, 15m, 1h30m, 2d, 1w, a date")
    func auditSince() async throws {
        let s = try Setup("")
        defer { s.remove() }
        let audit = s.dir.appendingPathComponent("audit.jsonl").path
        let log = AuditLog(path: audit)
        let now = Date()
        for (op, ago) in [("op-recent", 30.0), ("op-hours", 2 * 3600.0), ("op-days", 3 * 86_400.0), ("op-weeks", 10 * 86_400.0)] {
            try log.append(AuditRecord(type: "operation", op: op, time: AuditLog.timestamp(now.addingTimeInterval(-ago))))
        }
        func ops(_ since: String) async throws -> [String] {
            let r = try await detached(["audit", "--file", audit, "--since", since, "--json"], env: s.env)
            #expect(r.status == 0, "--since \(since): \(r.stderr)")
            return r.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["op"] as? String }
        }
        #expect(try await ops("90s") == ["op-recent"])
        #expect(try await ops("15m") == ["op-recent"])
        #expect(try await ops("1h30m") == ["op-recent"])
        #expect(try await ops("2d") == ["op-recent", "op-hours"])
        #expect(try await ops("1w") == ["op-recent", "op-hours", "op-days"])
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withFullDate]
        #expect(try await ops(iso.string(from: now.addingTimeInterval(-5 * 86_400))) == ["op-recent", "op-hours", "op-days"])
        let bad = try await detached(["audit", "--file", audit, "--since", "soon"], env: s.env)
        #expect(bad.status == 2 && bad.stderr.contains("1h30m") && bad.stderr.contains("2026-11-22"), "\(bad.stderr)")
    }

    @Test("on a terminal the token command can prompt: it reads the terminal, the operator answers, the token is used",
          .enabled(if: TmuxSession.available))
    func tokenCommandPrompts() async throws {
        try await withSim(.v1) { f in
            let s = try Setup("", env: ["SIM_SECRET": f.token])
            defer { s.remove() }
            let script = try s.file("vault.sh", """
            printf 'vault passphrase: ' >&2
            read -r answer
            if [ "$answer" != open-sesame ]; then echo 'wrong passphrase' >&2; exit 1; fi
            printf '%s\\n' "$SIM_SECRET"
            """, mode: 0o700)
            try s.write("[profile p]\ndialect = v1\nurl = \(f.sim.baseURL.absoluteString)\ntoken_command = sh \(script)\n")
            let t = TmuxSession()
            defer { t.kill() }
            // Standard input is not the terminal (a pipe), as in `… | wamod`: the command still asks the terminal.
            let env = s.env.merging(["WAMOD_TOKEN": ""]) { $1 }
            try t.start("true | \(Binary.wamod.path) sessions --profile p; echo EXIT=$?; sleep 30", env: env, width: 120, height: 30)
            try await t.wait(for: "vault passphrase:", timeout: 60) { $0.contains("vault passphrase:") }
            try t.literal("open-sesame")
            try t.keys("Enter")
            let screen = try await t.wait(for: "EXIT=0", timeout: 60) { $0.contains("EXIT=") }
            #expect(screen.contains("EXIT=0"), "\(screen)")
            #expect(screen.contains("+5511900000001"), "\(screen)")
            #expect(!screen.contains(f.token))

            // A wrong answer: what the command said is on the terminal, and the error points at it.
            let t2 = TmuxSession()
            defer { t2.kill() }
            try t2.start("\(Binary.wamod.path) sessions --profile p; echo EXIT=$?; sleep 30", env: env, width: 120, height: 30)
            try await t2.wait(for: "vault passphrase:", timeout: 60) { $0.contains("vault passphrase:") }
            try t2.literal("guess")
            try t2.keys("Enter")
            let refused = try await t2.wait(for: "EXIT=2", timeout: 60) { $0.contains("EXIT=") }
            #expect(refused.contains("wrong passphrase") && refused.contains("EXIT=2"), "\(refused)")
            #expect(refused.contains("exited with status 1 (what it wrote is on the terminal above)"), "\(refused)")
        }
    }
}
