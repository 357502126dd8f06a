import Foundation

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
        if let perms = (attrs[.posixPermissions] as? NSNumber)?.intValue, perms & 0o077 != 0 {
            throw .configuration("token file \(path) is readable by group or others (mode \(String(perms, radix: 8))): run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("token file \(path) cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func run(_ command: String) throws(GatewayError) -> String {
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
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw .configuration("the token command exited with status \(p.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
