import Foundation
import Synchronization

/// Reads a token from its source, with errors that never include the token.
public enum TokenResolver {
    public static func resolve(_ source: TokenSource, environment: [String: String] = ProcessInfo.processInfo.environment) throws(GatewayError) -> String {
        let token: String
        switch source {
        case .environment(let name):
            guard let v = environment[name], !v.isEmpty else {
                throw .configuration("the token's environment variable \(name) is not set: export it (for example from your password manager) and run again")
            }
            token = v
        case .file(let path):
            token = try readFile(path)
        case .command(let command):
            token = try run(command)
        }
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .configuration("the token from \(source.description) is empty") }
        guard !trimmed.contains(where: { $0.isNewline }) else {
            throw .configuration("the token from \(source.description) spans several lines; it must be one line")
        }
        return trimmed
    }

    static func readFile(_ path: String) throws(GatewayError) -> String {
        let attrs: [FileAttributeKey: Any]
        do { attrs = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw .configuration("token file \(path) cannot be read: it does not exist or is not accessible")
        }
        // attributesOfItem does not follow a symbolic link: its own mode (777) says nothing
        // about the file it points to. A link is refused as what it is.
        if (attrs[.type] as? FileAttributeType) == .typeSymbolicLink {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw .configuration("token file \(path) is a symbolic link (to \(target)): name the file itself in token_file, and keep it chmod 600")
        }
        if let perms = (attrs[.posixPermissions] as? NSNumber)?.intValue, perms & 0o077 != 0 {
            throw .configuration("token file \(path) is readable by group or others (mode \(String(perms, radix: 8))): run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("token file \(path) cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// How long a token command may take (a password manager asking to be unlocked, a
    /// command that hangs) before it is stopped.
    public static let commandTimeout: TimeInterval = 10

    static func run(_ command: String, timeout: TimeInterval = commandTimeout) throws(GatewayError) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw .configuration("the token command could not start")
        }
        // Read on a thread of its own, so that a command that never ends is stopped in time.
        let box = TokenOutput()
        let done = DispatchSemaphore(value: 0)
        let reader = out.fileHandleForReading
        Thread.detachNewThread {
            box.set(reader.readDataToEndOfFile())
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            kill(p.processIdentifier, SIGKILL)
            throw .configuration("the token command did not finish within \(Int(timeout)) s and was stopped")
        }
        let data = box.get()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw .configuration("the token command exited with status \(p.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The token command's output, handed from its reading thread.
private final class TokenOutput: Sendable {
    private let data = Mutex(Data())
    func set(_ d: Data) { data.withLock { $0 = d } }
    func get() -> Data { data.withLock { $0 } }
}
