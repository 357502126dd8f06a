import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tmux server of the test's own, running the real console in a pane of a fixed size.
public struct TmuxSession: Sendable {
    public let socket = "wamod-e2e-\(UUID().uuidString.prefix(8))"
    public let name = "c"

    public init() {}

    public static var available: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tmux command with posix_spawn and waits for it; with `capture`, returns its
    /// standard output (through a file: a command that starts the tmux server would hand
    /// the server a pipe, and reading it would never end). Foundation's Process is not used
    /// here: waiting on it from the test's async threads can hang on Linux.
    @discardableResult
    public func tmux(_ args: [String], capture: Bool = false) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-cap-\(UUID().uuidString)").path
        defer { unlink(file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? file : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["tmux", "-L", socket] + args
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "tmux", &actions, nil, &cargs, environ)
        guard rc == 0 else { throw TmuxTimeout(what: "tmux to start (error \(rc))", screen: "") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard capture else { return "" }
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    /// Starts `command` (a shell line) in a new session of width x height with `env`.
    public func start(_ command: String, env: [String: String], width: Int = 100, height: Int = 30) throws {
        var args = ["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height)]
        // A state directory of the test's own unless it names one: the fleet index is kept
        // per gateway address, and a loopback port reused from an earlier test (or run) would
        // otherwise hand this console another world's index.
        var env = env
        if env["XDG_STATE_HOME"] == nil { env["XDG_STATE_HOME"] = scratchStateDirectory() }
        for (k, v) in env { args += ["-e", "\(k)=\(v)"] }
        args.append(command)
        try tmux(args)
    }

    public func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }
    public func literal(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }
    public func screen() throws -> String { try tmux(["capture-pane", "-t", name, "-p"], capture: true) }
    public func resize(_ w: Int, _ h: Int) throws { try tmux(["resize-window", "-t", name, "-x", String(w), "-y", String(h)]) }
    /// Ends the pane's processes (the shell, the console, its sleep) and then the server.
    /// kill-server alone is not enough: tmux 3.3 here has been seen to leave the pane's
    /// process group running, and the server with it, when a test ended early.
    public func kill() {
        let pids = ((try? tmux(["list-panes", "-s", "-F", "#{pane_pid}"], capture: true)) ?? "")
            .split(whereSeparator: \.isNewline).compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
        for pid in pids where pid > 1 { Glibc.kill(-pid, SIGKILL); Glibc.kill(pid, SIGKILL) }
        _ = try? tmux(["kill-server"])
    }

    /// The screen, captured on a thread of its own: waiting for tmux on the test's async
    /// threads would hold one of the few the in-process emulators answer on.
    public func screenOffExecutor() async throws -> String {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<String, Error>) in
            Thread.detachNewThread {
                do { c.resume(returning: try screen()) } catch { c.resume(throwing: error) }
            }
        }
    }

    /// Waits until the screen satisfies `ok`, polling; fails with the last screen after `timeout`.
    @discardableResult
    public func wait(for what: String, timeout: Double = 40, _ ok: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try await screenOffExecutor()
            if ok(last) { return last }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        // WAMOD_TEST_SCREENS=DIR keeps each timed-out screen in a file, to read after the run.
        if let dir = ProcessInfo.processInfo.environment["WAMOD_TEST_SCREENS"] {
            let file = "\(dir)/\(name)-\(what.filter { $0.isLetter || $0.isNumber || $0 == " " }.prefix(60)).txt"
            try? last.write(toFile: file, atomically: true, encoding: .utf8)
        }
        throw TmuxTimeout(what: what, screen: last)
    }

    @discardableResult
    public func wait(for text: String, timeout: Double = 40) async throws -> String {
        try await wait(for: text, timeout: timeout) { $0.contains(text) }
    }
}

public struct TmuxTimeout: Error, Sendable, CustomStringConvertible {
    public var what: String
    public var screen: String
    public var description: String { "timed out waiting for \(what); the screen was:\n\(screen)" }
}
