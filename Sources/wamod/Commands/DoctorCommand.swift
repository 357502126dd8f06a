import ArgumentParser
import Console
import Foundation
import GatewayKit

/// `wamod doctor`: is everything in place to moderate? The config file, then for each
/// profile its token (resolved, never shown), its gateway, its dialect and its session, then
/// the state directory and the journal, then the terminal.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the config, each profile's token, gateway, dialect and session, the state directory and the terminal.",
        discussion: """
        For every profile (or only --profile, or a --gateway): the token resolves (a \
        token_command is run, and may prompt on the terminal; the token is never shown), the \
        gateway answers its dialect's list of sessions, the probe's harmless reads agree with \
        the configured dialect, and the profile's session exists and is connected. Then the \
        state directory is writable, the audit log private, and no journal is left \
        interrupted or held by a stopped process; then the terminal: TERM and its entry, \
        colours (NO_COLOR), a UTF-8 locale, its size. Only reads; nothing is changed.

        Each check is a line, ok, warn or FAIL, with a hint under each warning and failure. \
        Exits 1 when a check fails, 0 when none does (warnings included).

        Examples:
          wamod doctor
          wamod doctor --profile sales
          wamod doctor --json
          WAMOD_TOKEN=… wamod doctor --gateway http://127.0.0.1:8080 --dialect v1
        """)

    @OptionGroup var gateway: GatewayOptions
    @Flag(name: .long, help: "Print JSON: every check with its status, detail and hint.") var json = false

    func run() async throws {
        var checks: [Check] = []
        var profiles: [Profile] = []
        if gateway.gateway != nil {
            profiles = [try gateway.resolveProfile()]
        } else {
            let (fileChecks, report) = ConfigChecks.file(Paths().configFile)
            checks += fileChecks
            let sound = report.map { r in r.sections.compactMap { r.config.profiles[$0.name] } } ?? []
            if let wanted = gateway.profile {
                guard let r = report, r.sections.contains(where: { $0.name == wanted }) else {
                    let known = report?.sections.map(\.name) ?? []
                    throw CommandFailure.usage("no profile '\(TerminalText.clip(wanted, 40))' in \(Paths().configFile)" + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
                }
                profiles = sound.filter { $0.name == wanted }
            } else {
                profiles = sound
            }
        }
        for var p in profiles {
            if let t = gateway.timeout { p.timeout = t }
            // What a look at the file alone warns of (a folder others can write, plain http
            // allowed); its failures come again, in the gateway's own terms, below.
            checks += ConfigChecks.profile(p).filter { $0.status == .warn && ($0.name != "token" || p.token.kind == "file") }
            checks += await GatewayChecks.run(p)
        }
        checks += StateChecks.run()
        checks += TerminalChecks.run(minWidth: Layout.minWidth, minHeight: Layout.minHeight)
        CheckReport.print(checks, json: json)
        if checks.worst == .fail { throw ExitCode(Exit.someFailed) }
    }
}
