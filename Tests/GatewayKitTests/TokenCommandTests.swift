import Foundation
import Testing
import TestSupport
@testable import GatewayKit
#if canImport(Glibc)
import Glibc
#endif

/// A profile's token command as the operator meets it: what it says on standard error reaches
/// the error (sanitised, bounded), a command past its time is stopped with everything it
/// started, and a successful one's output is the token, masked from then on. Run without the
/// terminal (`.never`), as where no one can answer a prompt; the terminal's own path is
/// driven in tmux by the end-to-end tests.
@Suite("token commands", .serialized, .spawnsProcesses)
struct TokenCommandTests {
    @Test("a failing command's standard error is in the error, not just its status")
    func standardErrorReachesTheOperator() async {
        do {
            _ = try await TokenResolver.resolve(.command("echo 'Error: the vault is locked; run: vault unlock' >&2; echo not-the-token; exit 2"), terminal: .never)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("exited with status 2"), "\(error.message)")
            #expect(error.message.contains("Error: the vault is locked; run: vault unlock"), "\(error.message)")
            // Its standard output is never quoted: it may be a half-printed token.
            #expect(!error.message.contains("not-the-token"))
        }
    }

    @Test("what it says is sanitised and bounded: no escape sequence, no secret pair, not megabytes")
    func standardErrorSanitisedAndBounded() async {
        let command = #"printf '\033]0;owned\007\033[2J token=abc123secretvalue\n' >&2; head -c 300000 /dev/zero | tr '\0' x >&2; echo ' the end' >&2; exit 1"#
        do {
            _ = try await TokenCommand.run(command, timeout: 20, terminal: .never)
            Issue.record("expected a refusal")
        } catch {
            let m = error.message
            #expect(m.contains("exited with status 1"), "\(m.prefix(300))")
            #expect(!m.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "no control may reach the terminal")
            #expect(!m.contains("abc123secretvalue"))
            // The end of what it said is kept (the last words are the ones that tell).
            #expect(m.hasSuffix("the end"), "\(m.suffix(80))")
            #expect(m.count < 700, "\(m.count) characters")
        }
    }

    @Test("a command that signals its own end is named so")
    func signalled() async {
        do {
            _ = try await TokenCommand.run("echo 'killed myself' >&2; kill -TERM $$", terminal: .never)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("was ended by signal 15: killed myself"), "\(error.message)")
        }
    }

    @Test("past its time it is stopped, with what it started, and the error says how to give it longer")
    func timeoutStopsTheGroup() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-tc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pidFile = dir.appendingPathComponent("pid").path
        let started = Date()
        do {
            _ = try await TokenCommand.run("sleep 60 & echo $! > \(pidFile); wait", timeout: 1, terminal: .never)
            Issue.record("expected the command to be stopped")
        } catch {
            #expect(error.message.contains("did not finish within 1s and was stopped"), "\(error.message)")
            #expect(error.message.contains("token_command_timeout"))
        }
        #expect(Date().timeIntervalSince(started) < 30, "stopped, not waited out")
        let child = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background sleep was in the command's process group: it is gone too.
        var alive = true
        for _ in 0..<50 where alive {
            alive = kill(child, 0) == 0 && !Self.isZombie(child)
            if alive { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!alive, "the command's own child \(child) must be stopped with it")
    }

    @Test("a profile's token_command_timeout is the time its command gets")
    func profileTimeout() async throws {
        let text = "[profile p]\ndialect = v1\nurl = https://gw.example.com\ntoken_command = sleep 30\ntoken_command_timeout = 1s\n"
        let p = try #require(try ConfigFile.parse(text, source: "cfg").profiles["p"])
        #expect(p.tokenCommandTimeout == 1)
        do {
            _ = try await TokenResolver.resolve(p, terminal: .never)
            Issue.record("expected the command to be stopped")
        } catch {
            #expect(error.message.contains("within 1s"), "\(error.message)")
        }
    }

    @Test("success: its output is the token (its standard error ignored), masked everywhere from then on")
    func success() async throws {
        let token = "tok-\(UUID().uuidString.prefix(12))"
        let got = try await TokenResolver.resolve(.command("echo 'unlocking…' >&2; printf '%s\\n' \(token)"), terminal: .never)
        #expect(got == token)
        #expect(TerminalText.clean("the gateway said \(token)") == "the gateway said ***")
    }

    @Test("nothing on standard output but words on standard error: the words are the reason")
    func noTokenButWords() async {
        do {
            _ = try await TokenResolver.resolve(.command("echo 'wamod/sales is not in the password store.' >&2"), terminal: .never)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("printed no token: wamod/sales is not in the password store."), "\(error.message)")
        }
    }

    @Test("an output far larger than a token is refused, not read whole")
    func outputBounded() async {
        do {
            _ = try await TokenCommand.run("head -c 200000 /dev/zero | tr '\\0' a", terminal: .never)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("printed more than 64 KiB"), "\(error.message)")
        }
    }

    @Test("token_command_timeout: a duration from 1s to 10m, and only beside a token_command")
    func timeoutKey() throws {
        let base = "[profile p]\ndialect = v1\nurl = https://gw.example.com\n"
        #expect(try ConfigFile.parse(base + "token_command = pass x\ntoken_command_timeout = 2m", source: "cfg").profiles["p"]?.tokenCommandTimeout == 120)
        #expect(try ConfigFile.parse(base + "token_command = pass x", source: "cfg").profiles["p"]?.tokenCommandTimeout == TokenCommand.defaultTimeout)
        for (bad, expected) in [("token_command = pass x\ntoken_command_timeout = 0", "cfg:5: token_command_timeout is a duration"),
                                ("token_command = pass x\ntoken_command_timeout = 1h", "cfg:5: token_command_timeout is a duration"),
                                ("token_env = T\ntoken_command_timeout = 5s", "cfg:5: token_command_timeout applies to token_command")] {
            do {
                _ = try ConfigFile.parse(base + bad, source: "cfg")
                Issue.record("expected an error for \(bad)")
            } catch { #expect(error.message.hasPrefix(expected), "\(error.message)") }
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
