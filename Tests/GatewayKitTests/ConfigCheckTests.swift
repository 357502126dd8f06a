import Foundation
import Testing
@testable import GatewayKit
#if canImport(Glibc)
import Glibc
#endif

/// `wamod config check` and the parts of `wamod doctor` that need no gateway: every problem
/// of a config file with its line, token files judged as ssh judges a private key, the
/// journal's interrupted and stopped operations, and the terminal's entry and locale.
@Suite("config check and the local checks of doctor", .serialized)
struct ConfigCheckTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("every problem is found, each with file:line, and the sound profiles are kept")
    func everyProblemWithItsLine() {
        let text = """
        default = good

        [profile good]
        dialect = v1
        url = https://gw.example.com
        token_env = GOOD_TOKEN

        [profile typo]
        dialect = waha
        url = https://waha.example.com
        tokn_file = ~/waha.token

        [profile worse]
        dialect = v9
        url = not a url
        token_env = A
        token_file = /tmp/b
        pace_per_minute = -3
        """
        let r = ConfigFile.check(text, source: "cfg")
        #expect(Set(r.config.profiles.keys) == ["good"])
        #expect(r.sections.map(\.name) == ["good", "typo", "worse"])
        let byLine = Dictionary(grouping: r.problems, by: { $0.line ?? 0 })
        #expect(byLine[11]?.first?.message.contains("cfg:11: unknown key 'tokn_file' in profile 'typo' (did you mean 'token_file'?)") == true, "\(r.problems)")
        // The section's own line where a key is missing.
        #expect(byLine[8]?.first?.message.hasPrefix("cfg:8: profile 'typo' needs exactly one of token_env, token_file, token_command") == true)
        #expect(byLine[14]?.first?.message.hasPrefix("cfg:14: unknown dialect 'v9'") == true)
        #expect(byLine[15]?.first?.message.contains("'not a url' is not one") == true)
        #expect(byLine[17]?.first?.message.contains("(it has token_env and token_file)") == true)
        #expect(byLine[18]?.first?.message.hasPrefix("cfg:18: pace_per_minute") == true)
        #expect(r.problems.allSatisfy { !$0.isWarning })
        #expect(r.problems.filter { $0.profile == "worse" }.count == 4)
        // The strict read used by every other command stops at the first.
        do {
            _ = try ConfigFile.parse(text, source: "cfg")
            Issue.record("expected an error")
        } catch { #expect(error.message.hasPrefix("cfg:8:") || error.message.hasPrefix("cfg:11:"), "\(error.message)") }
    }

    @Test("a key set twice is a warning: the file still works, the later value wins")
    func keySetTwice() throws {
        let text = "[profile p]\ndialect = v1\nurl = https://a.example.com\nurl = https://b.example.com\ntoken_env = T\n"
        let r = ConfigFile.check(text, source: "cfg")
        #expect(r.problems.count == 1 && r.problems[0].isWarning && r.problems[0].message.hasPrefix("cfg:4: 'url' is set twice"))
        let p = try #require(try ConfigFile.parse(text, source: "cfg").profiles["p"])
        #expect(p.baseURL.host == "b.example.com")
        #expect(p.origin?.place("url") == "cfg:4")
    }

    @Test("token files are judged as ssh judges a key: private, the file itself, ours, in a folder others cannot write")
    func tokenFileModes() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t").path
        try "s3cret-token-value\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(dir.path, 0o700)

        for (mode, word) in [(0o644, "readable"), (0o640, "readable"), (0o604, "readable"), (0o620, "writable")] as [(mode_t, String)] {
            chmod(file, mode)
            let c = ConfigChecks.tokenFile(file, profile: "p", place: "cfg:3")
            let fail = try #require(c.first { $0.status == .fail }, "mode \(String(mode, radix: 8))")
            #expect(fail.detail.contains("is \(word) by group or others (mode \(String(mode, radix: 8)))"), "\(fail.detail)")
            #expect(fail.hint == "chmod 600 \(file)")
        }
        chmod(file, 0o600)
        let ok = ConfigChecks.tokenFile(file, profile: "p", place: "cfg:3")
        #expect(ok.map(\.status) == [.ok] && ok[0].detail.contains("private (mode 600)"))
        #expect(!ok.map(\.detail).joined().contains("s3cret"))

        chmod(dir.path, 0o777)
        let loose = ConfigChecks.tokenFile(file, profile: "p", place: "cfg:3")
        #expect(loose.contains { $0.status == .warn && $0.hint == "chmod go-w \(dir.path)" }, "\(loose)")
        chmod(dir.path, 0o700)

        let link = dir.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        #expect(ConfigChecks.tokenFile(link, profile: "p", place: "cfg:3").first?.detail.contains("symbolic link") == true)
        #expect(ConfigChecks.tokenFile(dir.appendingPathComponent("none").path, profile: "p", place: "cfg:3").first?.status == .fail)
        let empty = dir.appendingPathComponent("empty").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data(), attributes: [.posixPermissions: 0o600])
        #expect(ConfigChecks.tokenFile(empty, profile: "p", place: "cfg:3").first?.detail.contains("is empty") == true)
    }

    @Test("a config file others can write fails when it names a token command (they would choose what runs)")
    func configFileWritableByOthers() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("config").path
        try "[profile p]\ndialect = v1\nurl = https://gw.example.com\ntoken_command = pass show gw\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o666)
        let (checks, _) = ConfigChecks.file(path)
        #expect(checks.contains { $0.status == .fail && $0.detail.contains("chooses the token command") && $0.hint == "chmod go-w \(path)" }, "\(checks)")
        try "[profile p]\ndialect = v1\nurl = https://gw.example.com\ntoken_env = T\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o666)
        #expect(ConfigChecks.file(path).checks.contains { $0.status == .warn && $0.detail.contains("writable by group or others") })
        chmod(path, 0o600)
        #expect(ConfigChecks.file(path).checks.map(\.status) == [.ok])
    }

    @Test("a token command is looked at, not run; a program not on PATH is named")
    func tokenCommandNotRun() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let marker = dir.appendingPathComponent("ran").path
        let ran = Profile(name: "p", dialect: .v1, baseURL: URL(string: "https://gw.example.com")!, token: .command("touch \(marker)"))
        #expect(ConfigChecks.tokenSource(ran).map(\.status) == [.ok])
        #expect(!FileManager.default.fileExists(atPath: marker), "config check must not run the command")
        let missing = Profile(name: "p", dialect: .v1, baseURL: URL(string: "https://gw.example.com")!, token: .command("no-such-vault-cli get gw"))
        #expect(ConfigChecks.tokenSource(missing).contains { $0.status == .warn && $0.detail.contains("`no-such-vault-cli` is not found on PATH") })
    }

    @Test("plain http to another host is refused unless allowed, and then a warning")
    func plainHTTP() {
        var p = Profile(name: "p", dialect: .v1, baseURL: URL(string: "http://gw.example.com")!, token: .environment("T"))
        #expect(ConfigChecks.profile(p, environment: ["T": "x"]).first?.status == .fail)
        p.allowHTTP = true
        #expect(ConfigChecks.profile(p, environment: ["T": "x"]).first?.status == .warn)
        p.baseURL = URL(string: "http://127.0.0.1:8080")!
        #expect(ConfigChecks.profile(p, environment: ["T": "x"]).map(\.status) == [.ok, .ok])
        #expect(ConfigChecks.profile(p, environment: [:]).last?.status == .warn)
    }

    @Test("the journal: an interrupted operation, one running, one held by a stopped process")
    func journalStates() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = Journal(directory: dir.appendingPathComponent("journal").path)
        #expect(StateChecks.journal(journal).map(\.status) == [.ok])

        let interrupted = JournalTests.plan(3)
        try journal.begin(interrupted).release()
        let running = JournalTests.plan(2)
        let entry = try journal.begin(running)
        defer { entry.finish() }
        var checks = StateChecks.journal(journal)
        #expect(checks.contains { $0.status == .warn && $0.detail.hasPrefix("\(interrupted.id) was interrupted: remove: 3 of 3 left") && $0.hint?.contains("wamod resume \(interrupted.id)") == true }, "\(checks)")
        #expect(checks.contains { $0.status == .ok && $0.detail.hasPrefix("\(running.id) is running in process \(getpid())") }, "\(checks)")

        // A process that took the interrupted one's lock and was then stopped (Ctrl-Z).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
        holder.arguments = ["-e", #"use Fcntl qw(:flock); open(my $f, "<", $ARGV[0]) or die; flock($f, LOCK_EX) or die; kill("STOP", $$); sleep 60"#,
                            journal.directory + "/\(interrupted.id).jsonl"]
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        for _ in 0..<100 {
            checks = StateChecks.journal(journal)
            if checks.contains(where: { $0.detail.contains("which is stopped") }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stopped = try #require(checks.first { $0.detail.hasPrefix(interrupted.id) }, "\(checks)")
        #expect(stopped.status == .warn)
        #expect(stopped.detail.contains("held by process \(holder.processIdentifier), which is stopped"), "\(stopped.detail)")
        #expect(stopped.hint?.contains("kill -CONT \(holder.processIdentifier)") == true)
    }

    @Test("the audit log: private and appendable is ok, open to others fails with the chmod")
    func auditFile() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("audit.jsonl").path
        #expect(StateChecks.auditFile(path).status == .ok)
        _ = FileManager.default.createFile(atPath: path, contents: Data("{}\n".utf8), attributes: [.posixPermissions: 0o644])
        let open = StateChecks.auditFile(path)
        #expect(open.status == .fail && open.hint == "chmod 600 \(path)")
        chmod(path, 0o600)
        #expect(StateChecks.auditFile(path).status == .ok)
        #expect(StateChecks.directory(dir.path).status == .ok)
        #expect(StateChecks.directory(dir.appendingPathComponent("a/b").path).status == .ok)
    }

    @Test("a terminfo entry's colours, in the legacy and the extended format, and from this machine's entries")
    func terminfoColours() throws {
        func entry(magic: Int, width: Int, names: String, bools: Int, colours: Int) -> [UInt8] {
            var b: [UInt8] = []
            func short(_ v: Int) { b += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
            for v in [magic, names.utf8.count + 1, bools, 15, 0, 0] { short(v) }
            b += Array(names.utf8) + [0]
            b += Array(repeating: 1, count: bools)
            if b.count % 2 == 1 { b.append(0) }
            for i in 0..<15 {
                let v = i == 13 ? colours : (width == 2 ? 0xFFFF : 0xFFFF_FFFF)
                for k in 0..<width { b.append(UInt8((v >> (8 * k)) & 0xFF)) }
            }
            return b
        }
        #expect(Terminfo.colours(entry(magic: 0o432, width: 2, names: "xterm|x", bools: 3, colours: 8)) == 8)
        #expect(Terminfo.colours(entry(magic: 0o1036, width: 4, names: "xterm-direct", bools: 4, colours: 16_777_216)) == 16_777_216)
        #expect(Terminfo.colours(entry(magic: 0o432, width: 2, names: "vt100", bools: 2, colours: 0xFFFF)) == nil)
        #expect(Terminfo.colours([0x1A, 0x01, 0x00]) == nil)
        if let path = TerminalChecks.terminfo("xterm-256color", environment: [:]) {
            #expect(Terminfo.colours(path) == 256)
        }
        if let path = TerminalChecks.terminfo("vt100", environment: [:]) {
            #expect(Terminfo.colours(path) == nil)
        }
    }

    @Test("the terminal's type, colours and locale as the console will find them")
    func terminalEnvironment() {
        let none = TerminalChecks.run(environment: [:], ttyPath: "/nonexistent/tty", minWidth: 60, minHeight: 16)
        #expect(none.first { $0.name == "terminal" }?.status == .warn)
        #expect(none.first { $0.name == "term" }?.detail.contains("TERM is not set") == true)
        let dumb = TerminalChecks.run(environment: ["TERM": "dumb"], ttyPath: "/nonexistent/tty", minWidth: 60, minHeight: 16)
        #expect(dumb.first { $0.name == "term" }?.status == .warn)
        let unknown = TerminalChecks.run(environment: ["TERM": "no-such-terminal-9000"], ttyPath: "/nonexistent/tty", minWidth: 60, minHeight: 16)
        #expect(unknown.first { $0.name == "term" }?.hint?.contains("TERM=xterm-256color") == true)
        if TerminalChecks.terminfo("xterm-256color", environment: [:]) != nil {
            let colour = TerminalChecks.run(environment: ["TERM": "xterm-256color"], ttyPath: "/nonexistent/tty", minWidth: 60, minHeight: 16)
            #expect(colour.first { $0.name == "colours" }?.detail == "256 colours")
            let off = TerminalChecks.run(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"], ttyPath: "/nonexistent/tty", minWidth: 60, minHeight: 16)
            #expect(off.first { $0.name == "colours" }?.detail.hasPrefix("NO_COLOR is set") == true)
        }
        #expect(TerminalChecks.locale(["LANG": "C.UTF-8"]).status == .ok)
        #expect(TerminalChecks.locale(["LANG": "C.UTF-8", "LC_ALL": "C"]).status == .warn)
        let missing = TerminalChecks.locale(["LANG": "xx_YY.UTF-8"])
        #expect(missing.status == .warn && missing.detail.contains("LANG=xx_YY.UTF-8 is not installed"))
    }
}
