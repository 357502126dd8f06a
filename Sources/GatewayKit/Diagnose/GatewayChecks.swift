import Foundation

/// A profile checked against its gateway, as `wamod doctor` does: the token resolves (it is
/// never shown), the gateway answers the dialect's list of sessions, the probe agrees with
/// the configured dialect, and the profile's session exists and is connected. Only reads;
/// nothing is changed on the gateway. Every text from the gateway (labels, statuses, error
/// messages) reaches a check through the sanitiser, the token masked.
public enum GatewayChecks {
    public static func run(_ p: Profile, environment: [String: String] = ProcessInfo.processInfo.environment,
                           terminal: TokenCommand.Terminal = .whenPresent) async -> [Check] {
        var checks: [Check] = []
        // The token.
        let started = Date()
        let token: String
        do {
            token = try await TokenResolver.resolve(p, environment: environment, terminal: terminal)
        } catch {
            return [.fail("token", profile: p.name, error.message, hint: tokenHint(p))]
        }
        checks.append(.ok("token", profile: p.name, "resolves from \(p.token.kind == "env" ? "the environment variable" : p.token.kind == "file" ? "the file" : "the command") "
                          + tokenName(p) + (p.token.kind == "command" ? " in \(milliseconds(since: started)) ms" : "") + " (not shown)"))

        // The gateway's list of sessions, in the configured dialect.
        let gateway: any Gateway
        do { gateway = try GatewayFactory.make(profile: p, token: token) } catch {
            checks.append(.fail("gateway", profile: p.name, error.message, hint: "fix the profile (\(p.origin?.place("url") ?? "its url"))"))
            return checks
        }
        let asked = Date()
        var sessions: [Session]?
        var reachable = true
        do {
            let listed = try await gateway.sessions()
            sessions = listed
            checks.append(.ok("gateway", profile: p.name, "\(AuditContext.safeURL(p.baseURL)) answered in \(milliseconds(since: asked)) ms: "
                              + "\(listed.count) session\(listed.count == 1 ? "" : "s") in the \(p.dialect.rawValue) shape"))
        } catch {
            // No answer at all (refused, unresolved, timed out): the probe would only wait too.
            if case .transport = error { reachable = false }
            checks.append(.fail("gateway", profile: p.name, error.message, hint: gatewayHint(error, p)))
        }

        // Which dialect the gateway answers in, by its answers to each dialect's read.
        if reachable {
            checks.append(await dialect(p, token: token))
        }

        // The profile's session (or every session).
        if let sessions { checks.append(session(p, sessions)) }
        return checks
    }

    static func dialect(_ p: Profile, token: String) async -> Check {
        let options = TransportOptions(timeout: min(p.timeout, 8), allowInsecureHTTP: p.allowHTTP, rateLimitRetries: 0, maxAnswerBytes: p.maxAnswerMB << 20)
        let answers: [Probe.Answer]
        do { answers = try await Probe.run(baseURL: p.baseURL, token: token, options: options) } catch {
            return .warn("dialect", profile: p.name, "the probe could not ask: \(error.message)", hint: "wamod probe \(AuditContext.safeURL(p.baseURL)) shows each answer")
        }
        let place = p.origin?.place("dialect") ?? "the profile"
        guard let best = Probe.best(answers) else {
            let speaking = answers.filter { $0.verdict == .speaks }.map(\.dialect.rawValue)
            if speaking.contains(p.dialect.rawValue) {
                return .ok("dialect", profile: p.name, "the gateway answers as \(p.dialect.rawValue) (and as \(speaking.filter { $0 != p.dialect.rawValue }.joined(separator: ", ")))")
            }
            return .warn("dialect", profile: p.name, "the probe recognised no dialect at \(AuditContext.safeURL(p.baseURL))",
                         hint: "check the URL's base path (the part before /api/… or /sessions); wamod probe URL shows each answer")
        }
        let accepted = answers.contains { $0.dialect == best && $0.verdict == .speaks }
        if best == p.dialect {
            return .ok("dialect", profile: p.name, "the probe agrees: the gateway speaks \(best.rawValue)" + (accepted ? "" : ", and refuses this token"))
        }
        return .fail("dialect", profile: p.name, "the gateway speaks \(best.rawValue), not \(p.dialect.rawValue) as configured",
                     hint: "set dialect = \(best.rawValue) (\(place))")
    }

    static func session(_ p: Profile, _ sessions: [Session]) -> Check {
        let place = p.origin?.place("session") ?? "the profile"
        if let wanted = p.defaultSession {
            let found = sessions.first { $0.id == wanted } ?? sessions.first { $0.label.caseInsensitiveCompare(wanted) == .orderedSame }
            guard let s = found else {
                let known = sessions.prefix(8).map { "\(TerminalText.clip($0.label, 30)) [\(TerminalText.clip($0.id, 30))]" }.joined(separator: ", ")
                return .fail("session", profile: p.name, "no session '\(TerminalText.clip(wanted, 40))' on this gateway" + (known.isEmpty ? "" : " (it has \(known)\(sessions.count > 8 ? ", …" : ""))"),
                             hint: "fix session = … (\(place)), or wamod sessions lists them")
            }
            let name = "\(TerminalText.clip(s.label, 40)) [\(TerminalText.clip(s.id, 40))]"
            return s.connected ? .ok("session", profile: p.name, "\(name) is connected (\(TerminalText.clip(s.status, 20)))")
                               : .fail("session", profile: p.name, "\(name) is not connected (\(TerminalText.clip(s.status, 20))): nothing can be changed through it",
                                       hint: "reconnect it in the gateway (scan its QR code), then run wamod doctor again")
        }
        guard !sessions.isEmpty else {
            return .fail("session", profile: p.name, "the gateway lists no sessions for this token",
                         hint: "check that the token may see sessions, and the dialect (the probe above)")
        }
        let offline = sessions.filter { !$0.connected }
        if offline.isEmpty { return .ok("session", profile: p.name, "all \(sessions.count) connected (no session = … in the profile: commands name one)") }
        let names = offline.prefix(5).map { "\(TerminalText.clip($0.label, 30)) (\(TerminalText.clip($0.status, 20)))" }.joined(separator: ", ")
        return .warn("session", profile: p.name, "\(sessions.count - offline.count) of \(sessions.count) connected; offline: \(names)\(offline.count > 5 ? ", …" : "")",
                     hint: "reconnect the offline ones in the gateway to act through them")
    }

    static func tokenName(_ p: Profile) -> String {
        switch p.token {
        case .environment(let v): v
        case .file(let path): path
        case .command(let c): "`\(TokenSource.program(c))`"
        }
    }

    static func tokenHint(_ p: Profile) -> String {
        let place = p.origin?.place(p.token.key) ?? "the profile"
        return switch p.token {
        case .environment(let v): "export \(v) before running wamod, or use token_file or token_command (\(place))"
        case .file(let path): "the file must be yours, private (chmod 600 \(path)) and hold the token on one line (\(place))"
        case .command: "run the command in a shell to see it work (its output is the token: keep it off the screen), then wamod doctor again; "
            + "token_command_timeout sets its time (now \(Durations.text(p.tokenCommandTimeout)))"
        }
    }

    static func gatewayHint(_ error: GatewayError, _ p: Profile) -> String {
        let url = p.origin?.place("url") ?? "the profile's url"
        switch error {
        case .unauthorized: return "the token was refused: check it is valid on this gateway (and the dialect: the probe below)"
        case .transport where error.isUnreachableOrUnauthorized: return "is the gateway running at \(AuditContext.safeURL(p.baseURL))? check url (\(url)) and the network"
        case .noSuchRoute, .undecodable: return "the answer is not \(p.dialect.rawValue)'s: check the dialect (the probe below) and the URL's base path (\(url))"
        case .configuration: return "fix the profile (\(url))"
        default: return "retry; if it stays, check the gateway's logs (wamod --verbose sessions shows each request)"
        }
    }

    static func milliseconds(since d: Date) -> Int { Int((Date().timeIntervalSince(d) * 1000).rounded()) }
}
