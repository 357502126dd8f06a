import Foundation
internal import Subprocess
#if canImport(Glibc)
import Glibc
#endif

/// A profile's `token_command`, run by `/bin/sh -c`: its standard output is the token.
///
/// - When the process has a terminal (`/dev/tty` opens), the command's standard input and
///   standard error are that terminal, so a password manager can ask for its passphrase and
///   say "unlock first" to the operator itself; it stays in wamod's (the foreground) process
///   group, which a terminal requires of whoever reads it. Without a terminal its standard
///   input is empty and its standard error is kept (bounded) for the error message, and it
///   runs in a process group of its own.
/// - It has `timeout` seconds: then it is sent SIGTERM, and SIGKILL half a second later (to
///   its whole process group when it has one, so what it started goes too), and the
///   terminal's modes are put back as they were (a prompt that turned echo off).
/// - The token is never in an argument, a log line or an error: the standard output is read
///   only as the token, never quoted.
public enum TokenCommand {
    /// How long a token command has by default (`token_command_timeout` changes it).
    public static let defaultTimeout: TimeInterval = 10
    /// The most of its standard output read: a token is one line.
    static let outputLimit = 64 * 1024
    /// The most of its standard error kept (the end of it), and the most quoted in an error.
    static let errorKept = 8 * 1024
    static let errorQuoted = 400

    /// Whether the command may use the operator's terminal.
    public enum Terminal: Sendable {
        /// The controlling terminal when there is one.
        case whenPresent
        /// Never (tests, and callers that hold the terminal themselves).
        case never
    }

    struct Finished: Sendable {
        var status: TerminationStatus
        var output: [UInt8]
        var outputCut: Bool
        var error: [UInt8]
    }

    enum Outcome: Sendable {
        case finished(Finished)
        case timedOut
    }

    /// Runs `command` and returns its standard output (untrimmed).
    public static func run(_ command: String, timeout: TimeInterval = defaultTimeout,
                           terminal: Terminal = .whenPresent) async throws(GatewayError) -> String {
        // Named by its program only: the rest of the line is not quoted (it could carry a secret).
        let shown = "the token command (`\(TokenSource.program(command))`)"
        let tty: Int32 = terminal == .whenPresent ? open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC) : -1
        defer { if tty >= 0 { close(tty) } }
        var modes = termios()
        let savedModes = tty >= 0 && tcgetattr(tty, &modes) == 0
        let seconds = max(0.1, timeout)

        let outcome: Outcome
        do {
            outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask { .finished(try await launch(command, tty: tty)) }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                    return .timedOut
                }
                guard let first = try await group.next() else { return .timedOut }
                // The run's cancellation tears the command down (SIGTERM, then SIGKILL) and
                // waits for it to end; the group waits for that before it returns.
                group.cancelAll()
                return first
            }
        } catch {
            throw .configuration("\(shown) could not be started: \(TerminalText.clean(String(describing: error)))")
        }

        switch outcome {
        case .timedOut:
            if savedModes { tcsetattr(tty, TCSANOW, &modes) }
            throw .configuration("\(shown) did not finish within \(Durations.text(seconds)) and was stopped: "
                                 + "if it waits for a passphrase or an unlock, raise token_command_timeout in the profile (now \(Durations.text(seconds)))")
        case .finished(let f):
            let said = quoted(f.error)
            let where_ = tty >= 0 ? " (what it wrote is on the terminal above)" : (said.isEmpty ? " and wrote nothing on standard error" : ": " + said)
            switch f.status {
            case .exited(0):
                break
            case .exited(let code):
                throw .configuration("\(shown) exited with status \(code)\(where_)")
            case .signaled(let signal):
                throw .configuration("\(shown) was ended by signal \(signal)\(where_)")
            }
            if f.outputCut {
                throw .configuration("\(shown) printed more than \(outputLimit / 1024) KiB: a token is one line")
            }
            let token = String(decoding: f.output, as: UTF8.self)
            if token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !said.isEmpty {
                throw .configuration("\(shown) printed no token: \(said)")
            }
            return token
        }
    }

    /// What the command wrote on standard error, as one line fit to quote: secrets and
    /// `name=value` secrets masked, controls replaced, its last `errorQuoted` characters.
    static func quoted(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let one = TerminalText.clean(Redaction.scrub(lines.joined(separator: " / ")))
        guard one.count > errorQuoted else { return one }
        return "…" + String(one.suffix(errorQuoted))
    }

    static func launch(_ command: String, tty: Int32) async throws -> Finished {
        var options = PlatformOptions()
        let ownGroup = tty < 0
        // A process group of its own where no terminal needs it in ours: the timeout then
        // stops what it started too (a `sleep`, a pipeline).
        if ownGroup { options.processGroupID = 0 }
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: ownGroup, allowedDurationToNextStep: .milliseconds(500))]
        let executable = Executable.path("/bin/sh")
        let arguments = Arguments(["-c", command])
        if tty >= 0 {
            let result = try await Subprocess.run(
                executable, arguments: arguments, environment: .inherit, platformOptions: options,
                input: .fileDescriptor(.init(rawValue: tty), closeAfterSpawningProcess: false),
                output: .sequence,
                error: .fileDescriptor(.init(rawValue: tty), closeAfterSpawningProcess: false)
            ) { execution in
                try await collect(execution.standardOutput, limit: outputLimit, keepEnd: false)
            }
            let (out, cut) = result.closureResult
            return Finished(status: result.terminationStatus, output: out, outputCut: cut, error: [])
        }
        let result = try await Subprocess.run(
            executable, arguments: arguments, environment: .inherit, platformOptions: options,
            input: .none, output: .sequence, error: .sequence
        ) { execution in
            async let err = collect(execution.standardError, limit: errorKept, keepEnd: true)
            let out = try await collect(execution.standardOutput, limit: outputLimit, keepEnd: false)
            return (out, try await err)
        }
        let (out, err) = result.closureResult
        return Finished(status: result.terminationStatus, output: out.0, outputCut: out.1, error: err.0)
    }

    /// Reads a stream to its end (a command blocked on a full pipe would never finish),
    /// keeping at most `limit` bytes: the first ones, or with `keepEnd` the last ones.
    static func collect(_ stream: SubprocessOutputSequence, limit: Int, keepEnd: Bool) async throws -> ([UInt8], Bool) {
        var kept: [UInt8] = []
        var cut = false
        for try await buffer in stream {
            buffer.withUnsafeBytes { raw in
                if keepEnd {
                    kept.append(contentsOf: raw)
                    if kept.count > 2 * limit {
                        kept.removeFirst(kept.count - limit)
                        cut = true
                    }
                } else {
                    let room = max(0, limit - kept.count)
                    kept.append(contentsOf: raw.prefix(room))
                    if raw.count > room { cut = true }
                }
            }
        }
        if keepEnd, kept.count > limit {
            kept.removeFirst(kept.count - limit)
            cut = true
        }
        return (kept, cut)
    }
}
