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
        case .command(let c): "command `\(Self.program(c))`"
        }
    }

    /// The program a command line runs (its first word that is not `NAME=value`), to name a
    /// token command in messages without quoting the whole line: a line could carry a secret.
    public static func program(_ command: String) -> String {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let word = words.first { !$0.contains("=") } ?? words.first ?? ""
        return TerminalText.clip(String(word), 40)
    }

    /// What kind of source it is, as `wamod config list` shows it: `env`, `file` or `command`.
    public var kind: String {
        switch self {
        case .environment: "env"
        case .file: "file"
        case .command: "command"
        }
    }

    /// The config key that names it.
    public var key: String {
        switch self {
        case .environment: "token_env"
        case .file: "token_file"
        case .command: "token_command"
        }
    }
}

/// Where a profile was written: the file, its `[profile NAME]` line, and the line of each key.
public struct ProfileOrigin: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var keys: [String: Int]

    public init(file: String, line: Int, keys: [String: Int] = [:]) { self.file = file; self.line = line; self.keys = keys }

    /// `file:line` of a key, else of the section.
    public func place(_ key: String? = nil) -> String { "\(file):\(key.flatMap { keys[$0] } ?? line)" }
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
    /// Seconds a `token_command` may take before it is stopped (`token_command_timeout`).
    public var tokenCommandTimeout: TimeInterval = TokenCommand.defaultTimeout
    /// Where the profile was written (nil for one made from `--gateway`).
    public var origin: ProfileOrigin?

    public init(name: String, dialect: Dialect, baseURL: URL, token: TokenSource, defaultSession: String? = nil,
                pacePerMinute: Int? = nil, allowHTTP: Bool = false, timeout: Double = 20, maxAnswerMB: Int = 32) {
        self.name = name; self.dialect = dialect; self.baseURL = baseURL; self.token = token
        self.defaultSession = defaultSession; self.pacePerMinute = pacePerMinute
        self.allowHTTP = allowHTTP; self.timeout = timeout; self.maxAnswerMB = maxAnswerMB
    }
}

/// One thing wrong in the config file: where (`file:line: …` leads the message) and in
/// which profile, when it is in one.
public struct ConfigProblem: Sendable, Hashable {
    public var profile: String?
    public var line: Int?
    public var message: String
    /// A warning does not stop the file from being used (a key set twice: the later wins).
    public var isWarning = false
}

/// A whole config file read leniently, for `wamod config check`: every problem in it, and
/// the profiles that are sound.
public struct ConfigReport: Sendable {
    public var config: ConfigFile
    /// Every `[profile NAME]` section, in the file's order, with its line.
    public var sections: [(name: String, line: Int)]
    public var problems: [ConfigProblem]
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

    /// The file's first problem as an error, else its profiles.
    public static func parse(_ text: String, source: String = "config") throws(GatewayError) -> ConfigFile {
        let report = check(text, source: source)
        if let first = report.problems.first(where: { !$0.isWarning }) { throw .configuration(first.message) }
        return report.config
    }

    /// Reads every line and every profile, collecting each problem rather than stopping at
    /// the first: a profile with a problem is left out of `config`, the others are kept.
    public static func check(_ text: String, source: String = "config") -> ConfigReport {
        var config = ConfigFile()
        var problems: [ConfigProblem] = []
        var section: String?
        var fields: [String: [String: (String, Int)]] = [:]
        var sections: [(name: String, line: Int)] = []
        var inKeys = false
        // After a section header that cannot be read, its keys belong to nothing and are skipped.
        var inBroken = false
        var defaultLine = 0
        func problem(_ line: Int, _ message: String, profile: String? = nil) {
            problems.append(ConfigProblem(profile: profile, line: line, message: "\(source):\(line): \(message)"))
        }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                section = nil
                inKeys = false
                inBroken = true
                guard line.hasSuffix("]") else { problem(lineNo, "a section header ends with ]"); continue }
                let inner = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if inner == "keys" {
                    // The console's key remapping: command = key, key…
                    inKeys = true
                    inBroken = false
                    continue
                }
                let parts = inner.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
                guard parts.count == 2, parts[0] == "profile", !parts[1].isEmpty else {
                    problem(lineNo, "sections are written [profile NAME] (or [keys])")
                    continue
                }
                guard fields[parts[1]] == nil else { problem(lineNo, "profile '\(parts[1])' is defined twice", profile: parts[1]); continue }
                section = parts[1]
                inBroken = false
                fields[parts[1]] = [:]
                sections.append((parts[1], lineNo))
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                problem(lineNo, "expected key = value", profile: section)
                continue
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if inKeys {
                config.keys.append((key, value, lineNo))
            } else if let section {
                if let earlier = fields[section]?[key] {
                    problems.append(ConfigProblem(profile: section, line: lineNo,
                                                  message: "\(source):\(lineNo): '\(key)' is set twice in profile '\(section)' (also on line \(earlier.1)); this later one is used",
                                                  isWarning: true))
                }
                fields[section]?[key] = (value, lineNo)
            } else if inBroken {
                continue
            } else if key == "default" {
                config.defaultProfile = value
                defaultLine = lineNo
            } else {
                problem(lineNo, "'\(key)' must be inside a [profile NAME] section")
            }
        }
        for (name, line) in sections {
            var found: [ConfigProblem] = []
            if let p = profile(name, fields[name] ?? [:], source: source, line: line, problems: &found) {
                config.profiles[name] = p
            }
            problems += found
        }
        if let d = config.defaultProfile, !sections.contains(where: { $0.name == d }) {
            problem(defaultLine, "default profile '\(d)' is not defined (profiles: \(sections.map(\.name).joined(separator: ", ")))")
        }
        return ConfigReport(config: config, sections: sections, problems: problems)
    }

    static let knownKeys: Set<String> = ["dialect", "url", "token_env", "token_file", "token_command", "token_command_timeout", "session", "pace_per_minute",
                                           "allow_http", "timeout", "max_answer_mb", "notice_template",
                                           "sync_reads_per_minute", "sync_sessions_at_once", "sync_max_age", "poll_interval"]

    /// One profile from its section's keys; nil when something in it is wrong (each problem
    /// is added to `problems`, with its line).
    static func profile(_ name: String, _ f: [String: (String, Int)], source: String, line header: Int,
                        problems: inout [ConfigProblem]) -> Profile? {
        let before = problems.count
        func problem(_ line: Int, _ message: String) {
            problems.append(ConfigProblem(profile: name, line: line, message: "\(source):\(line): \(message)"))
        }
        for (key, (_, line)) in f.sorted(by: { $0.value.1 < $1.value.1 }) where !knownKeys.contains(key) {
            let near = knownKeys.filter { distance($0, key) <= 2 }.sorted().first
            problem(line, "unknown key '\(key)' in profile '\(name)'" + (near.map { " (did you mean '\($0)'?)" } ?? " (known: \(knownKeys.sorted().joined(separator: ", ")))"))
        }
        var dialect: Dialect?
        if let (d, line) = f["dialect"] {
            dialect = Dialect(rawValue: d.lowercased())
            if dialect == nil { problem(line, "unknown dialect '\(d)' (known: \(Dialect.allCases.map(\.rawValue).joined(separator: ", ")))") }
        } else {
            problem(header, "profile '\(name)' needs dialect = \(Dialect.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        var url: URL?
        if let (u, line) = f["url"] {
            url = URL(string: u).flatMap { $0.scheme != nil && $0.host != nil ? $0 : nil }
            if url == nil { problem(line, "profile '\(name)' needs url = https://… (the gateway's base URL); '\(TerminalText.clip(u, 60))' is not one") }
        } else {
            problem(header, "profile '\(name)' needs url = https://… (the gateway's base URL)")
        }
        let given = ["token_env", "token_file", "token_command"].compactMap { k in f[k].map { (k, $0.0, $0.1) } }.sorted { $0.2 < $1.2 }
        var token: TokenSource?
        if given.count == 1, let (k, v, line) = given.first {
            if v.trimmingCharacters(in: .whitespaces).isEmpty {
                problem(line, "\(k) is empty")
            } else {
                token = switch k {
                case "token_env": .environment(v)
                case "token_file": .file(expandHome(v))
                default: .command(v)
                }
            }
        } else {
            problem(given.count > 1 ? given[1].2 : header,
                    "profile '\(name)' needs exactly one of token_env, token_file, token_command\(given.count > 1 ? " (it has \(given.map(\.0).joined(separator: " and ")))" : "")")
        }
        var pace: Int?
        if let p = f["pace_per_minute"] {
            if let n = Int(p.0), n > 0 { pace = n } else { problem(p.1, "pace_per_minute is a whole number above 0") }
        }
        var timeout = 20.0
        if let t = f["timeout"] {
            if let n = Double(t.0), n > 0, n.isFinite { timeout = n } else { problem(t.1, "timeout is a number of seconds above 0") }
        }
        var maxMB = 32
        if let m = f["max_answer_mb"] {
            if let n = Int(m.0), (1...4096).contains(n) { maxMB = n } else { problem(m.1, "max_answer_mb is a whole number of megabytes from 1 to 4096") }
        }
        var commandTimeout = TokenCommand.defaultTimeout
        if let t = f["token_command_timeout"] {
            if let d = Durations.seconds(t.0), (1...600).contains(d) {
                commandTimeout = d
            } else {
                problem(t.1, "token_command_timeout is a duration from 1s to 10m (like 10, 30s, 2m)")
            }
            if f["token_command"] == nil { problem(t.1, "token_command_timeout applies to token_command, which profile '\(name)' does not use") }
        }
        var notice: String?
        if let n = f["notice_template"] {
            let t = n.0.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty, t.count <= 4096 { notice = t } else { problem(n.1, "notice_template is a text of 1 to 4096 characters") }
        }
        var reads: Int?, atOnce: Int?
        if let r = f["sync_reads_per_minute"] {
            if let n = Int(r.0), (1...600).contains(n) { reads = n } else { problem(r.1, "sync_reads_per_minute is a whole number from 1 to 600") }
        }
        if let r = f["sync_sessions_at_once"] {
            if let n = Int(r.0), (1...64).contains(n) { atOnce = n } else { problem(r.1, "sync_sessions_at_once is a whole number from 1 to 64") }
        }
        var ages: [String: TimeInterval] = [:]
        for (key, min) in [("sync_max_age", 60.0), ("poll_interval", 10.0)] {
            guard let r = f[key] else { continue }
            if let d = Durations.seconds(r.0), d >= min {
                ages[key] = d
            } else {
                problem(r.1, "\(key) is a duration of at least \(Durations.text(min)) (like 90s, 15m, 6h, 2d)")
            }
        }
        guard problems.count == before, let dialect, let url, let token else { return nil }
        let allow = ["true", "yes", "1"].contains((f["allow_http"]?.0 ?? "false").lowercased())
        var profile = Profile(name: name, dialect: dialect, baseURL: url, token: token, defaultSession: f["session"]?.0,
                              pacePerMinute: pace, allowHTTP: allow, timeout: timeout, maxAnswerMB: maxMB)
        profile.noticeTemplate = notice
        profile.syncReadsPerMinute = reads
        profile.syncSessionsAtOnce = atOnce
        profile.syncMaxAge = ages["sync_max_age"]
        profile.pollInterval = ages["poll_interval"]
        profile.tokenCommandTimeout = commandTimeout
        profile.origin = ProfileOrigin(file: source, line: header, keys: f.mapValues(\.1))
        return profile
    }

    /// Edits (insert, delete, replace) between two keys: a misspelt key is named with the nearest.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var next = [i] + Array(repeating: 0, count: y.count)
            for j in stride(from: 1, through: y.count, by: 1) {
                next[j] = min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            row = next
        }
        return x.isEmpty ? y.count : row[y.count]
    }

    static func expandHome(_ path: String) -> String {
        // $HOME first, as the XDG paths take it (NSHomeDirectory reads the password database).
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? NSHomeDirectory()
        return path.hasPrefix("~/") ? home + path.dropFirst() : path
    }
}
