import ArgumentParser
import Foundation
import FleetIndex
import GatewayKit

/// `wamod config list|show|check`: the profiles as the config file has them. Nothing here
/// reads a token or sends a request; a token is never shown (its source is: a variable's
/// name, a file's path, a command).
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "List, show and check the profiles in the config file.",
        discussion: """
        The file is $WAMOD_CONFIG, else $XDG_CONFIG_HOME/wamod/config (~/.config/wamod/config). \
        Nothing here reads a token or talks to a gateway: `wamod doctor` does.

        Examples:
          wamod config list
          wamod config show sales
          wamod config check --json
        """,
        subcommands: [ConfigList.self, ConfigShow.self, ConfigCheck.self],
        defaultSubcommand: ConfigList.self)
}

/// The config file named on the command line, or the usual one.
struct ConfigFileOption: ParsableArguments {
    @Option(name: .long, help: "Read this config file instead of $WAMOD_CONFIG or $XDG_CONFIG_HOME/wamod/config.") var file: String?

    var path: String { file ?? Paths().configFile }

    /// The file read leniently; nil when it does not exist.
    func report() throws -> ConfigReport? {
        let path = self.path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.usage("cannot read the config file \(path)")
        }
        return ConfigFile.check(String(decoding: data, as: UTF8.self), source: path)
    }

    /// The profile in force when no --profile is given: WAMOD_PROFILE, else the default.
    func current(_ report: ConfigReport) -> String? {
        ProcessInfo.processInfo.environment["WAMOD_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? report.config.defaultProfile
    }
}

struct ConfigList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the profiles: dialect, URL, where the token comes from (never the token).",
        discussion: """
        The profile in force without --profile (WAMOD_PROFILE, else the file's default) is \
        marked *. A profile with a problem is listed as such; `wamod config check` says \
        where it is. Exits 2 when the file has a problem.

        Examples:
          wamod config list
          wamod config list --json
          WAMOD_CONFIG=./staging.conf wamod config list
        """)

    @OptionGroup var source: ConfigFileOption
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Row: Encodable {
        var name: String, line: Int, current: Bool, isDefault: Bool
        var dialect: String?, url: String?, token: String?, session: String?
        var problem: String?
        enum CodingKeys: String, CodingKey { case name, line, current, isDefault = "default", dialect, url, token, session, problem }
    }
    struct Out: Encodable { var file: String; var defaultProfile: String?; var profiles: [Row]
        enum CodingKeys: String, CodingKey { case file, defaultProfile = "default", profiles }
    }

    func run() throws {
        guard let report = try source.report() else {
            if json { return JSONOutput.print(Out(file: source.path, defaultProfile: nil, profiles: [])) }
            Stdio.err("no config file at \(source.path): write one (see the README's Configuration), or let `wamod probe URL` print a profile")
            return
        }
        let current = source.current(report)
        let rows = report.sections.map { s -> Row in
            let p = report.config.profiles[s.name]
            let problem = report.problems.first { $0.profile == s.name && !$0.isWarning }?.message
            return Row(name: s.name, line: s.line, current: s.name == current, isDefault: s.name == report.config.defaultProfile,
                       dialect: p?.dialect.rawValue, url: p.map { AuditContext.safeURL($0.baseURL) }, token: p?.token.kind,
                       session: p?.defaultSession, problem: problem)
        }
        let broken = report.problems.contains { !$0.isWarning }
        if json {
            JSONOutput.print(Out(file: source.path, defaultProfile: report.config.defaultProfile, profiles: rows))
        } else if rows.isEmpty {
            Stdio.out("no profiles in \(source.path)")
        } else {
            var t = Table(["CURRENT", "PROFILE", "DIALECT", "URL", "TOKEN", "SESSION"])
            t.maxWidths = [3: 50, 5: 30]
            for r in rows {
                if r.problem != nil {
                    t.add([r.current ? "*" : "", r.name, "(a problem: wamod config check)", "", "", ""])
                } else {
                    t.add([r.current ? "*" : "", r.name, r.dialect ?? "", r.url ?? "", r.token ?? "", r.session ?? "-"])
                }
            }
            Stdio.out(t.render())
        }
        if broken {
            Stdio.err("wamod: \(source.path) has \(report.problems.filter { !$0.isWarning }.count) problem(s): `wamod config check` lists them")
            throw ExitCode(Exit.usage)
        }
    }
}

struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one profile: every key, its value or default, and the line it is on.",
        discussion: """
        Without a name, the profile in force (WAMOD_PROFILE, else the file's default). The \
        token is never shown: its source is (the variable's name, the file's path, the command).

        Examples:
          wamod config show
          wamod config show sales
          wamod config show sales --json
        """)

    @OptionGroup var source: ConfigFileOption
    @Argument(help: "The profile (default: WAMOD_PROFILE, else the file's default).") var name: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Key: Encodable { var key: String; var value: String; var line: Int? }
    struct Out: Encodable { var name: String; var file: String; var line: Int; var keys: [Key] }

    func run() throws {
        guard let report = try source.report() else { throw CommandFailure.usage("no config file at \(source.path)") }
        guard let wanted = name ?? source.current(report) else {
            throw CommandFailure.usage("name a profile (\(report.sections.map(\.name).joined(separator: ", ")))")
        }
        guard let section = report.sections.first(where: { $0.name == wanted }) else {
            throw CommandFailure.usage("no profile '\(TerminalText.clip(wanted, 40))' in \(source.path) (known: \(report.sections.map(\.name).joined(separator: ", ")))")
        }
        guard let p = report.config.profiles[wanted] else {
            let problems = report.problems.filter { $0.profile == wanted && !$0.isWarning }
            for problem in problems { Stdio.err("wamod: \(problem.message)") }
            throw ExitCode(Exit.usage)
        }
        let keys = Self.keys(p)
        if json { return JSONOutput.print(Out(name: p.name, file: source.path, line: section.line, keys: keys)) }
        Stdio.out("profile \(p.name) (\(source.path):\(section.line))" + (wanted == report.config.defaultProfile ? ", the default" : ""))
        var t = Table(["KEY", "VALUE", "FROM"])
        t.maxWidths = [1: 70]
        for k in keys { t.add([k.key, k.value, k.line.map { "line \($0)" } ?? "default"]) }
        Stdio.out(t.render())
    }

    /// Every key a profile has, with its value (or the default in force), in the file's terms.
    static func keys(_ p: Profile) -> [Key] {
        let lines = p.origin?.keys ?? [:]
        func key(_ k: String, _ v: String) -> Key { Key(key: k, value: v, line: lines[k]) }
        let tokenValue: String = switch p.token {
        case .environment(let v): v + (ProcessInfo.processInfo.environment[v]?.isEmpty == false ? " (set)" : " (not set here)")
        case .file(let path): path
        case .command(let c): c
        }
        let budget = ReadBudget.default
        var keys = [key("dialect", p.dialect.rawValue), key("url", AuditContext.safeURL(p.baseURL)), key(p.token.key, tokenValue)]
        if case .command = p.token { keys.append(key("token_command_timeout", Durations.text(p.tokenCommandTimeout))) }
        keys += [
            key("session", p.defaultSession ?? "-"),
            key("pace_per_minute", String(p.pacePerMinute ?? 10)),
            key("allow_http", p.allowHTTP ? "true" : "false"),
            key("timeout", Durations.text(p.timeout)),
            key("max_answer_mb", String(p.maxAnswerMB)),
            key("notice_template", p.noticeTemplate.map { TerminalText.clip($0, 70) } ?? "-"),
            key("sync_reads_per_minute", String(p.syncReadsPerMinute ?? budget.perSessionPerMinute)),
            key("sync_sessions_at_once", String(p.syncSessionsAtOnce ?? budget.sessionsAtOnce)),
            key("sync_max_age", Durations.text(p.syncMaxAge ?? budget.maxAge)),
            key("poll_interval", Durations.text(FleetFiles.pollInterval(p))),
        ]
        return keys
    }
}

struct ConfigCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the config file: every problem with its file and line, and each token source (files private, as ssh wants).",
        discussion: """
        Reads every profile (a problem does not hide the next one) and looks at each token \
        source without reading the token: the variable is set; the file is the file itself, \
        yours, private (chmod 600) and in a folder others cannot write; the command's program \
        is found (it is not run: it may prompt; `wamod doctor` runs it). A config file others \
        can write is a failure when it names a token command. Exits 2 when a check fails.

        Examples:
          wamod config check
          wamod config check --file ./new-config
          wamod config check --json
        """)

    @OptionGroup var source: ConfigFileOption
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let (fileChecks, report) = ConfigChecks.file(source.path)
        var checks = fileChecks
        if let report {
            for s in report.sections {
                guard let p = report.config.profiles[s.name] else { continue }
                checks += ConfigChecks.profile(p)
            }
        }
        CheckReport.print(checks, json: json)
        if checks.worst == .fail { throw ExitCode(Exit.usage) }
    }
}
