import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `wamod config check` looks at without sending anything or running a token command:
/// the config file (every problem with its file and line, and who may write it), each
/// profile's URL, and each token source (the variable is set, the file is private as ssh
/// wants a private key, the command can be found).
public enum ConfigChecks {
    /// The config file read leniently, and its checks.
    public static func file(_ path: String) -> (checks: [Check], report: ConfigReport?) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            return ([.warn("config", "no config file at \(path)",
                           hint: "write one (the README's Configuration), or let `wamod probe URL` print a profile to paste into it")], nil)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([.fail("config", "the config file \(path) cannot be read", hint: "check its owner and mode (ls -l \(path))")], nil)
        }
        let report = ConfigFile.check(String(decoding: data, as: UTF8.self), source: path)
        var checks: [Check] = []
        if st.st_mode & 0o022 != 0 {
            let commands = report.config.profiles.values.contains { if case .command = $0.token { true } else { false } }
            let detail = "the config file \(path) is writable by group or others (mode \(octal(st.st_mode)))"
                + (commands ? ": whoever can write it chooses the token command wamod runs" : "")
            let hint = "chmod go-w \(path)"
            checks.append(commands ? .fail("config", detail, hint: hint) : .warn("config", detail, hint: hint))
        }
        for p in report.problems {
            let hint = "edit \(path)" + (p.line.map { " at line \($0)" } ?? "")
            checks.append(p.isWarning ? .warn("config", profile: p.profile, p.message, hint: hint)
                                      : .fail("config", profile: p.profile, p.message, hint: hint))
        }
        let sound = report.sections.filter { report.config.profiles[$0.name] != nil }.count
        let failed = report.problems.contains { !$0.isWarning }
        let summary = "\(path): \(report.sections.count) profile\(report.sections.count == 1 ? "" : "s")"
            + (failed ? ", \(sound) sound" : "") + (report.config.defaultProfile.map { ", default \($0)" } ?? "")
        checks.insert(failed ? .fail("config", summary, hint: "fix the lines named below; a profile with a problem cannot be used")
                             : .ok("config", summary), at: 0)
        return (checks, report)
    }

    /// A sound profile's URL and token source.
    public static func profile(_ p: Profile, environment: [String: String] = ProcessInfo.processInfo.environment) -> [Check] {
        var checks: [Check] = []
        let place = p.origin?.place("url") ?? "the profile"
        let host = p.baseURL.host ?? ""
        if p.baseURL.scheme == "http" && !HTTPTransport.isLoopback(host) {
            checks.append(p.allowHTTP
                ? .warn("url", profile: p.name, "plain http to \(host): the token travels in clear (allow_http = true)",
                        hint: "use https unless the network between here and the gateway is yours")
                : .fail("url", profile: p.name, "plain http to \(host): wamod refuses it, the token would travel in clear",
                        hint: "use https in \(place), or set allow_http = true if the network is yours"))
        } else if let user = p.baseURL.user, !user.isEmpty {
            checks.append(.warn("url", profile: p.name, "the URL carries a user name or password",
                                hint: "keep credentials in the token source, not in url (\(place))"))
        } else {
            checks.append(.ok("url", profile: p.name, "\(p.dialect.rawValue) at \(AuditContext.safeURL(p.baseURL))"))
        }
        checks += tokenSource(p, environment: environment)
        return checks
    }

    /// The token source, looked at without reading the token out (nor running a command).
    public static func tokenSource(_ p: Profile, environment: [String: String] = ProcessInfo.processInfo.environment) -> [Check] {
        let place = p.origin?.place(p.token.key) ?? "the profile"
        switch p.token {
        case .environment(let name):
            if let v = environment[name], !v.isEmpty {
                return [.ok("token", profile: p.name, "from the environment variable \(name), which is set")]
            }
            return [.warn("token", profile: p.name, "from the environment variable \(name), which is not set here",
                          hint: "export \(name) (from your password manager) before running wamod, or use token_file or token_command (\(place))")]
        case .file(let path):
            return tokenFile(path, profile: p.name, place: place)
        case .command(let command):
            var checks: [Check] = []
            if let missing = missingProgram(command, environment: environment) {
                checks.append(.warn("token", profile: p.name, "the token command's program `\(missing)` is not found on PATH",
                                    hint: "install it, or give its full path in token_command (\(place))"))
            }
            checks.append(.ok("token", profile: p.name,
                              "from a command (`wamod doctor` runs it; check does not, it may prompt), \(Durations.text(p.tokenCommandTimeout)) to answer"))
            return checks
        }
    }

    /// A token file as ssh looks at a private key: the file itself (not a link), a regular
    /// file, private to its owner, owned by us, in a folder others cannot write to, not empty.
    public static func tokenFile(_ path: String, profile: String?, place: String) -> [Check] {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            return [.fail("token", profile: profile, "the token file \(path) does not exist",
                          hint: "write the token to it and chmod 600 \(path), or fix token_file (\(place))")]
        }
        if st.st_mode & S_IFMT == S_IFLNK {
            return [.fail("token", profile: profile, "the token file \(path) is a symbolic link, which wamod refuses",
                          hint: "name the file itself in token_file (\(place)), and keep it chmod 600")]
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            return [.fail("token", profile: profile, "the token file \(path) is not a regular file", hint: "point token_file (\(place)) at the file holding the token")]
        }
        var checks: [Check] = []
        let open = st.st_mode & 0o077
        if open != 0 {
            let how = open & 0o044 != 0 ? "readable" : "writable"
            checks.append(.fail("token", profile: profile, "the token file \(path) is \(how) by group or others (mode \(octal(st.st_mode))): wamod refuses it, as ssh refuses such a key",
                                hint: "chmod 600 \(path)"))
        }
        if st.st_uid != getuid() && st.st_uid != 0 {
            checks.append(.warn("token", profile: profile, "the token file \(path) belongs to uid \(st.st_uid), not to you (uid \(getuid()))",
                                hint: "chown \(getuid()) \(path), or keep your own copy"))
        }
        let dir = (path as NSString).deletingLastPathComponent
        var ds = stat()
        if !dir.isEmpty, stat(dir, &ds) == 0, ds.st_mode & 0o022 != 0, ds.st_mode & S_ISVTX == 0 {
            checks.append(.warn("token", profile: profile, "the token file's folder \(dir) is writable by group or others: they could put another token in its place",
                                hint: "chmod go-w \(dir)"))
        }
        if access(path, R_OK) != 0 {
            checks.append(.fail("token", profile: profile, "the token file \(path) cannot be read by you", hint: "chmod u+r \(path)"))
        } else if st.st_size == 0 {
            checks.append(.fail("token", profile: profile, "the token file \(path) is empty", hint: "write the token to it (one line)"))
        }
        if checks.isEmpty {
            checks.append(.ok("token", profile: profile, "from the file \(path), private (mode \(octal(st.st_mode)))"))
        }
        return checks
    }

    /// The command's first word when it is a plain program name (or path) that cannot be
    /// found; nil when it is found, or when the line is more than a simple command to judge.
    static func missingProgram(_ command: String, environment: [String: String]) -> String? {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard var first = words.first.map(String.init) else { return nil }
        // `VAR=value cmd …`: the program is the first word that is not an assignment.
        for w in words where !w.contains("=") { first = String(w); break }
        let shellish = CharacterSet(charactersIn: "$`'\"(){};|&<>*?[]~\\!")
        guard first.rangeOfCharacter(from: shellish) == nil, !first.contains("=") else { return nil }
        let builtins: Set<String> = ["echo", "printf", "cat", "read", "test", "[", "exec", "cd", "eval", ".", "command", "if", "env"]
        if builtins.contains(first) { return nil }
        if first.contains("/") { return access(first, X_OK) == 0 ? nil : first }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(first)", X_OK) == 0 { return nil }
        return first
    }

    static func octal(_ mode: mode_t) -> String { String(mode & 0o777, radix: 8) }
}
