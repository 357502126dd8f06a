import ArgumentParser
import Foundation
import GatewayKit

/// Which dialect a gateway speaks, from harmless reads; prints a profile for it.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Tell which dialect a gateway speaks, from its answers to harmless reads, and print a profile for it.",
        discussion: """
        Sends each dialect's list of sessions (or groups, or status) once, with the token from \
        WAMOD_TOKEN in that dialect's form (without it, only the way a gateway refuses a missing \
        token can tell). Only reads; nothing is changed. For wawp the token is INSTANCE_ID:ACCESS_TOKEN.

        Examples:
          WAMOD_TOKEN=… wamod probe https://gateway.example.com
          wamod probe http://gateway.lan:3000 --allow-http --json
          wamod probe http://127.0.0.1:8080 --timeout 3
        """)

    @Argument(help: "The gateway's base URL.") var url: String
    @Option(help: "Seconds to wait for each answer.") var timeout: Double = 8
    @Flag(name: .long, help: "Plain http to a host other than loopback (the token would travel in clear).") var allowHTTP = false
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Out: Encodable {
        struct Row: Encodable { var dialect: String; var request: String; var status: Int?; var verdict: String; var detail: String? }
        var url: String; var dialect: String?; var tokenAccepted: Bool; var answers: [Row]
    }

    func run() async throws {
        guard let base = URL(string: url), base.scheme != nil, base.host != nil else {
            throw CommandFailure.usage("'\(url)' is not a URL (like https://gateway.example.com)")
        }
        let token = ProcessInfo.processInfo.environment["WAMOD_TOKEN"] ?? ""
        let answers = try await Probe.run(baseURL: base, token: token,
                                          options: TransportOptions(timeout: timeout, allowInsecureHTTP: allowHTTP, rateLimitRetries: 0))
        let best = Probe.best(answers)
        let accepted = best.map { d in answers.contains { $0.dialect == d && $0.verdict == .speaks } } ?? false
        if json {
            JSONOutput.print(Out(url: AuditContext.safeURL(base), dialect: best?.rawValue, tokenAccepted: accepted, answers: answers.map { a in
                switch a.verdict {
                case .speaks: .init(dialect: a.dialect.rawValue, request: a.request, status: a.status, verdict: "speaks", detail: nil)
                case .refusesToken: .init(dialect: a.dialect.rawValue, request: a.request, status: a.status, verdict: "refuses-token", detail: nil)
                case .no(let why): .init(dialect: a.dialect.rawValue, request: a.request, status: a.status, verdict: "no", detail: why)
                }
            }))
        } else {
            var t = Table(["DIALECT", "READ", "STATUS", "ANSWER"])
            t.maxWidths = [3: 60]
            for a in answers {
                let what: String = switch a.verdict {
                case .speaks: "in its shape, token accepted"
                case .refusesToken: "its own refusal of the token"
                case .no(let why): why
                }
                t.add([a.dialect.rawValue, a.request, a.status.map(String.init) ?? "---", what])
            }
            Stdio.out(t.render())
            Stdio.out("")
            if let best {
                Stdio.out("\(AuditContext.safeURL(base)) speaks \(best.rawValue)" + (accepted ? "" : (token.isEmpty ? " (set WAMOD_TOKEN to check a token)" : "; it refused the token in WAMOD_TOKEN")))
                Stdio.out("")
                Stdio.out("# a profile for it (add to $XDG_CONFIG_HOME/wamod/config):")
                Stdio.out("[profile \(base.host ?? "gateway")]")
                Stdio.out("dialect = \(best.rawValue)")
                Stdio.out("url = \(AuditContext.safeURL(base))")
                Stdio.out("token_env = WAMOD_TOKEN" + (best.codec.tokenForm.map { "    # \($0)" } ?? ""))
                if base.scheme == "http" && !HTTPTransport.isLoopback(base.host ?? "") { Stdio.out("allow_http = true") }
            } else {
                Stdio.out("no dialect recognised at \(AuditContext.safeURL(base)): check the URL's base path (it is the part before /api/… or /sessions)")
            }
        }
        throw ExitCode(best == nil ? Exit.someFailed : Exit.allDone)
    }
}
