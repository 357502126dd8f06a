import ArgumentParser
import Foundation
import Synchronization
import GatewayKit

/// How a command finds its gateway: a profile from the config file, or `--gateway` and
/// `--dialect` with the token in `WAMOD_TOKEN`.
struct GatewayOptions: ParsableArguments {
    @Option(name: .long, help: "A profile from the config file ($XDG_CONFIG_HOME/wamod/config).")
    var profile: String?

    @Option(name: .long, help: "A gateway's base URL, for one-off use (the token comes from WAMOD_TOKEN).")
    var gateway: String?

    @Option(name: .long, help: "The gateway's dialect with --gateway: \(Dialect.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dialect: String?

    @Option(name: .long, help: "Seconds to wait for each answer.")
    var timeout: Double?

    @Option(name: .long, help: "Mutating requests per minute, overriding the profile (default 10, or lower if the gateway advertises it).")
    var pace: Int?

    @Flag(name: .long, help: "Print every request (method, path, status, latency, bytes) to standard error.")
    var verbose = false

    /// The profile in force: the named one, the one made from --gateway, or the config's default.
    func resolveProfile(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Profile {
        let paths = Paths(environment: environment)
        if let gateway {
            guard profile == nil else { throw CommandFailure.usage("use either --profile or --gateway, not both") }
            guard let d = dialect else { throw CommandFailure.usage("--gateway needs --dialect (\(Dialect.allCases.map(\.rawValue).joined(separator: ", ")))") }
            guard let dialect = Dialect(rawValue: d.lowercased()) else {
                throw CommandFailure.usage("unknown dialect '\(d)' (known: \(Dialect.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let url = URL(string: gateway), url.scheme != nil, url.host != nil else {
                throw CommandFailure.usage("--gateway takes a base URL like https://gateway.example.com")
            }
            if let user = url.user, !user.isEmpty {
                throw CommandFailure.usage("--gateway must not carry credentials; put the token in WAMOD_TOKEN")
            }
            if URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.contains(where: { Redaction.isSecretName($0.name) }) == true {
                throw CommandFailure.usage("--gateway must not carry a token in its query; put it in WAMOD_TOKEN")
            }
            return Profile(name: "(command line)", dialect: dialect, baseURL: url, token: .environment("WAMOD_TOKEN"),
                           pacePerMinute: try checkedPace(), timeout: timeout ?? 20)
        }
        if dialect != nil { throw CommandFailure.usage("--dialect goes with --gateway") }
        let config = try LoadedConfig.file(paths.configFile)
        // As AWS_PROFILE does: the environment picks the profile when the command line does not.
        let fromEnvironment = environment["WAMOD_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        let name = profile ?? fromEnvironment ?? config.defaultProfile
        guard let name else {
            if config.profiles.isEmpty {
                throw CommandFailure.usage("no gateway given: pass --gateway URL --dialect NAME (token in WAMOD_TOKEN), or add a profile to \(paths.configFile) (see the README)")
            }
            throw CommandFailure.usage("no profile given and no default in \(paths.configFile): pass --profile (one of \(config.profiles.keys.sorted().joined(separator: ", ")))")
        }
        guard var p = config.profiles[name] else {
            throw CommandFailure.usage("no profile '\(name)'\(profile == nil && fromEnvironment != nil ? " (from WAMOD_PROFILE)" : "") in \(paths.configFile)\(config.profiles.isEmpty ? "" : " (known: \(config.profiles.keys.sorted().joined(separator: ", ")))")")
        }
        if let timeout { p.timeout = timeout }
        if let pace = try checkedPace() { p.pacePerMinute = pace }
        return p
    }

    func checkedPace() throws -> Int? {
        guard let pace else { return nil }
        guard pace > 0 else { throw CommandFailure.usage("--pace is a number of requests per minute above 0") }
        return pace
    }

    func makeGateway() async throws -> (Profile, any Gateway) {
        let (profile, gateway, _) = try await makeGatewayAndToken()
        return (profile, gateway)
    }

    /// The profile, its gateway, and the token it holds (for a command that also opens the
    /// gateway's event stream: the token source, perhaps a prompting command, is asked once).
    func makeGatewayAndToken() async throws -> (Profile, any Gateway, String) {
        let profile = try resolveProfile()
        var observer: RequestObserver?
        if verbose {
            observer = { (e: RequestEvent) in
                let status = e.status.map { String($0) } ?? "---"
                let why = e.error.map { " (\($0))" } ?? ""
                Stdio.err("\(e.method) \(e.path) \(status) \(e.latencyMs)ms \(e.bytes)B\(why)")
            }
        }
        let token = try await TokenResolver.resolve(profile)
        return (profile, try GatewayFactory.make(profile: profile, token: token, observer: observer), token)
    }
}

/// Finding sessions and groups by what operators type: an id, a label, a JID or a subject.
enum Lookup {
    static func session(_ text: String?, profile: Profile, gateway: any Gateway) async throws -> Session {
        let sessions = try await gateway.sessions()
        guard !sessions.isEmpty else {
            throw CommandFailure(message: "the gateway lists no sessions: check that the token may see them, and the dialect (wamod probe URL tells it)", code: Exit.unreachable)
        }
        guard let wanted = text ?? profile.defaultSession else {
            if sessions.count == 1, let only = sessions.first { return only }
            throw CommandFailure.usage("name a session (one of: \(sessions.prefix(20).map { TerminalText.clip($0.label, 40) }.joined(separator: ", "))\(sessions.count > 20 ? ", …" : "")), or set session = … in the profile")
        }
        if let s = sessions.first(where: { $0.id == wanted }) { return s }
        let byLabel = sessions.filter { $0.label.caseInsensitiveCompare(wanted) == .orderedSame }
        if byLabel.count == 1, let s = byLabel.first { return s }
        if byLabel.count > 1 { throw CommandFailure.usage("several sessions are labelled '\(wanted)': use its id (\(byLabel.map(\.id).joined(separator: ", ")))") }
        if let j = try? JID(parsing: wanted), let s = sessions.first(where: { $0.isOwnAccount(j) }) { return s }
        let known = sessions.prefix(20).map { "\(TerminalText.clip($0.label, 40)) [\(TerminalText.clip($0.id, 40))]" }.joined(separator: ", ")
        throw CommandFailure(message: "no session '\(TerminalText.clip(wanted, 60))' on this gateway (known: \(known)\(sessions.count > 20 ? ", …" : ""))", code: Exit.someFailed)
    }

    /// Each group named, once, in the order given (the group list read once).
    static func groups(_ texts: [String], session: Session, gateway: any Gateway) async throws -> [Group] {
        let listed = try await gateway.groups(session: session.id)
        var resolved: [Group] = []
        for text in texts {
            let g = try group(text, session: session, in: listed)
            if !resolved.contains(where: { $0.jid == g.jid }) { resolved.append(g) }
        }
        return resolved
    }

    static func group(_ text: String, session: Session, gateway: any Gateway) async throws -> Group {
        try group(text, session: session, in: try await gateway.groups(session: session.id))
    }

    static func group(_ text: String, session: Session, in groups: [Group]) throws -> Group {
        if let jid = try? JID(parsing: text), jid.isGroup {
            if let g = groups.first(where: { $0.jid == jid }) { return g }
            throw CommandFailure(message: "session \(TerminalText.clip(session.label, 40)) has no group \(jid)", code: Exit.someFailed)
        }
        if text.contains("@") {
            do { _ = try JID.group(text) } catch { throw error.failure }
        }
        // One normalised form (NFC; variation selectors and joiners ignored; case too), as the console finds groups.
        let bySubject = SubjectMatch.matching(text, in: groups, by: \.subject)
        if bySubject.count == 1, let g = bySubject.first { return g }
        if bySubject.count > 1 {
            let listed = bySubject.prefix(20).map { "\($0.jid) \"\(TerminalText.clip($0.subject, 40))\"" }.joined(separator: ", ")
            throw CommandFailure.usage("\(bySubject.count) groups are named '\(TerminalText.clip(text, 60))': give the group's JID (\(listed)\(bySubject.count > 20 ? ", …" : ""))")
        }
        throw CommandFailure(message: "session \(TerminalText.clip(session.label, 40)) has no group named '\(TerminalText.clip(text, 60))' (give its JID, …@g.us, or see `wamod groups \(TerminalText.clip(session.label, 40))`)", code: Exit.someFailed)
    }
}

/// The config file, read once per process: the profile and the console's `[keys]` come from
/// the same read (the file could change between two reads, and one read is enough).
enum LoadedConfig {
    private static let cache = Mutex<[String: ConfigFile]>([:])

    static func file(_ path: String) throws(GatewayError) -> ConfigFile {
        if let hit = cache.withLock({ $0[path] }) { return hit }
        let read = try ConfigFile.load(path: path)
        cache.withLock { $0[path] = read }
        return read
    }
}
