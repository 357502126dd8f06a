import Foundation

/// Where a profile's token comes from. A token is never a command-line value.
public enum TokenSource: Sendable, Hashable {
    /// The named environment variable.
    case environment(String)
    /// A file readable by its owner only.
    case file(String)
    /// A command whose standard output is the token (a password manager, a vault client).
    case command(String)

    public var description: String {
        switch self {
        case .environment(let v): "environment variable \(v)"
        case .file(let p): "file \(p)"
        case .command(let c): "command `\(c)`"
        }
    }
}

/// One gateway an operator works with: a named section of the config file.
public struct Profile: Sendable, Hashable {
    public var name: String
    public var dialect: Dialect
    public var baseURL: URL
    public var token: TokenSource
    /// The session used when a command names none.
    public var defaultSession: String?
    /// Mutating requests per minute this profile allows itself (pacing), when set.
    public var pacePerMinute: Int?
    /// Allow `http://` to a host that is not loopback.
    public var allowHTTP: Bool
    /// Seconds one request may take, first byte to last.
    public var timeout: Double
    /// The largest answer read, in megabytes.
    public var maxAnswerMB: Int
    /// The exit notice offered before a removal (`notice_template`; `{name}` and `{group}`
    /// are filled in), when set: the remove dialog's notice field starts with it, and
    /// `wamod remove --notice-default` sends it.
    public var noticeTemplate: String?
    /// The fleet index's sync: reads per session per minute (`sync_reads_per_minute`),
    /// sessions read at once (`sync_sessions_at_once`), how long an unchanged group goes
    /// unread (`sync_max_age`), and how often the console and `wamod guard` poll where no
    /// events come (`poll_interval`). Nil: the defaults.
    public var syncReadsPerMinute: Int?
    public var syncSessionsAtOnce: Int?
    public var syncMaxAge: TimeInterval?
    public var pollInterval: TimeInterval?

    public init(name: String, dialect: Dialect, baseURL: URL, token: TokenSource, defaultSession: String? = nil,
                pacePerMinute: Int? = nil, allowHTTP: Bool = false, timeout: Double = 20, maxAnswerMB: Int = 32) {
        self.name = name; self.dialect = dialect; self.baseURL = baseURL; self.token = token
        self.defaultSession = defaultSession; self.pacePerMinute = pacePerMinute
        self.allowHTTP = allowHTTP; self.timeout = timeout; self.maxAnswerMB = maxAnswerMB
    }
}

/// The config file: INI-like sections, one per profile.
///
/// ```
/// default = support
///
/// [profile support]
/// dialect = v1
/// url = https://gateway.example.com
/// token_env = SUPPORT_GW_TOKEN
/// session = 01J9ZX8K2QHV0M3T6R7P4N5W8C
/// pace_per_minute = 10
/// ```
public struct ConfigFile: Sendable {
    public var defaultProfile: String?
    public var profiles: [String: Profile]
    /// The `[keys]` section as written: command name → keys ("x", "Ctrl-F, F5"), with the
    /// line each came from. The console reads them (`KeyMap.remapped`).
    public var keys: [(command: String, keys: String, line: Int)] = []

    public init(defaultProfile: String? = nil, profiles: [String: Profile] = [:]) {
        self.defaultProfile = defaultProfile; self.profiles = profiles
    }

    /// Reads the file; a missing file is an empty config.
    public static func load(path: String) throws(GatewayError) -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read the config file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String = "config") throws(GatewayError) -> ConfigFile {
        var config = ConfigFile()
        var section: String?
        var fields: [String: [String: (String, Int)]] = [:]
        var order: [String] = []
        var inKeys = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw .configuration("\(source):\(lineNo): a section header ends with ]") }
                let inner = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if inner == "keys" {
                    // The console's key remapping: command = key, key…
                    section = nil
                    inKeys = true
                    continue
                }
                inKeys = false
                let parts = inner.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
                guard parts.count == 2, parts[0] == "profile", !parts[1].isEmpty else {
                    throw .configuration("\(source):\(lineNo): sections are written [profile NAME] (or [keys])")
                }
                guard fields[parts[1]] == nil else { throw .configuration("\(source):\(lineNo): profile '\(parts[1])' is defined twice") }
                section = parts[1]
                fields[parts[1]] = [:]
                order.append(parts[1])
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw .configuration("\(source):\(lineNo): expected key = value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if inKeys {
                config.keys.append((key, value, lineNo))
            } else if let section {
                fields[section]?[key] = (value, lineNo)
            } else if key == "default" {
                config.defaultProfile = value
            } else {
                throw .configuration("\(source):\(lineNo): '\(key)' must be inside a [profile NAME] section")
            }
        }
        for name in order {
            config.profiles[name] = try profile(name, fields[name] ?? [:], source: source)
        }
        if let d = config.defaultProfile, config.profiles[d] == nil {
            throw .configuration("\(source): default profile '\(d)' is not defined")
        }
        return config
    }

    static let knownKeys: Set<String> = ["dialect", "url", "token_env", "token_file", "token_command", "session", "pace_per_minute", "allow_http", "timeout", "max_answer_mb", "notice_template",
                                           "sync_reads_per_minute", "sync_sessions_at_once", "sync_max_age", "poll_interval"]

    static func profile(_ name: String, _ f: [String: (String, Int)], source: String) throws(GatewayError) -> Profile {
        for (key, (_, line)) in f where !knownKeys.contains(key) {
            throw .configuration("\(source):\(line): unknown key '\(key)' in profile '\(name)' (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        guard let d = f["dialect"]?.0 else { throw .configuration("\(source): profile '\(name)' needs dialect = \(Dialect.allCases.map(\.rawValue).joined(separator: "|"))") }
        guard let dialect = Dialect(rawValue: d.lowercased()) else {
            throw .configuration("\(source):\(f["dialect"]?.1 ?? 0): unknown dialect '\(d)' (known: \(Dialect.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let u = f["url"]?.0, let url = URL(string: u), url.scheme != nil, url.host != nil else {
            throw .configuration("\(source): profile '\(name)' needs url = https://… (the gateway's base URL)")
        }
        let sources = [f["token_env"].map { TokenSource.environment($0.0) },
                       f["token_file"].map { TokenSource.file(expandHome($0.0)) },
                       f["token_command"].map { TokenSource.command($0.0) }].compactMap { $0 }
        guard sources.count == 1, let token = sources.first else {
            throw .configuration("\(source): profile '\(name)' needs exactly one of token_env, token_file, token_command")
        }
        var pace: Int?
        if let p = f["pace_per_minute"] {
            guard let n = Int(p.0), n > 0 else { throw .configuration("\(source):\(p.1): pace_per_minute is a whole number above 0") }
            pace = n
        }
        var timeout = 20.0
        if let t = f["timeout"] {
            guard let n = Double(t.0), n > 0 else { throw .configuration("\(source):\(t.1): timeout is a number of seconds above 0") }
            timeout = n
        }
        var maxMB = 32
        if let m = f["max_answer_mb"] {
            guard let n = Int(m.0), (1...4096).contains(n) else { throw .configuration("\(source):\(m.1): max_answer_mb is a whole number of megabytes from 1 to 4096") }
            maxMB = n
        }
        let allow = ["true", "yes", "1"].contains((f["allow_http"]?.0 ?? "false").lowercased())
        var profile = Profile(name: name, dialect: dialect, baseURL: url, token: token, defaultSession: f["session"]?.0,
                              pacePerMinute: pace, allowHTTP: allow, timeout: timeout, maxAnswerMB: maxMB)
        if let n = f["notice_template"] {
            let t = n.0.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, t.count <= 4096 else { throw .configuration("\(source):\(n.1): notice_template is a text of 1 to 4096 characters") }
            profile.noticeTemplate = t
        }
        if let r = f["sync_reads_per_minute"] {
            guard let n = Int(r.0), (1...600).contains(n) else { throw .configuration("\(source):\(r.1): sync_reads_per_minute is a whole number from 1 to 600") }
            profile.syncReadsPerMinute = n
        }
        if let r = f["sync_sessions_at_once"] {
            guard let n = Int(r.0), (1...64).contains(n) else { throw .configuration("\(source):\(r.1): sync_sessions_at_once is a whole number from 1 to 64") }
            profile.syncSessionsAtOnce = n
        }
        for (key, min) in [("sync_max_age", 60.0), ("poll_interval", 10.0)] {
            guard let r = f[key] else { continue }
            guard let d = Durations.seconds(r.0), d >= min else {
                throw .configuration("\(source):\(r.1): \(key) is a duration of at least \(Durations.text(min)) (like 90s, 15m, 6h, 2d)")
            }
            if key == "sync_max_age" { profile.syncMaxAge = d } else { profile.pollInterval = d }
        }
        return profile
    }

    static func expandHome(_ path: String) -> String {
        path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst() : path
    }
}
