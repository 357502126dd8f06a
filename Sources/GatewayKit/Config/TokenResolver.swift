import Foundation

/// Reads a token from its source, with errors that never include the token. The token is
/// registered with `Secrets` as soon as it is read, so that nothing shows it from then on.
public enum TokenResolver {
    /// A profile's token, its command given the profile's `token_command_timeout`.
    public static func resolve(_ profile: Profile, environment: [String: String] = ProcessInfo.processInfo.environment,
                               terminal: TokenCommand.Terminal = .whenPresent) async throws(GatewayError) -> String {
        try await resolve(profile.token, environment: environment, commandTimeout: profile.tokenCommandTimeout, terminal: terminal)
    }

    public static func resolve(_ source: TokenSource, environment: [String: String] = ProcessInfo.processInfo.environment,
                               commandTimeout: TimeInterval = TokenCommand.defaultTimeout,
                               terminal: TokenCommand.Terminal = .whenPresent) async throws(GatewayError) -> String {
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
            token = try await TokenCommand.run(command, timeout: commandTimeout, terminal: terminal)
        }
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .configuration("the token from \(source.description) is empty") }
        guard !trimmed.contains(where: { $0.isNewline }) else {
            throw .configuration("the token from \(source.description) spans several lines; it must be one line")
        }
        Secrets.register(trimmed)
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
}
