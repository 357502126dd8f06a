import Foundation

/// Which dialect a gateway speaks, told from its answers to harmless reads: each dialect's
/// list of sessions (or groups, or its one session's status), sent with the token in that
/// dialect's own form. A dialect is recognised by the shape of its answer: a success in its
/// shape, or its own way of refusing a token. Nothing is changed on the gateway.
public enum Probe {
    public enum Verdict: Sendable, Hashable {
        /// The read succeeded in the dialect's shape: it speaks it, and the token works.
        case speaks
        /// The dialect's own refusal of the token (or of its absence): it speaks it, but the
        /// token is wrong or missing.
        case refusesToken
        /// Another answer: a route that does not exist, another shape, or no answer.
        case no(String)

        public var recognised: Bool { if case .no = self { false } else { true } }
    }

    public struct Answer: Sendable, Hashable {
        public var dialect: Dialect
        public var request: String
        public var status: Int?
        public var verdict: Verdict
    }

    /// Asks every dialect's read, one after the other; `token` may be empty (then only the
    /// refusals can tell).
    public static func run(baseURL: URL, token: String, options: TransportOptions = .init(timeout: 8)) async throws(GatewayError) -> [Answer] {
        var answers: [Answer] = []
        for d in Dialect.allCases {
            let codec = d.codec
            // Secrets that travel in the query (Wawp's), where a server of another dialect would
            // log them, are sent only once it answered as that dialect: it is asked without them first.
            let bare = token.isEmpty || codec.credentialInQuery
            var a = try await ask(d, baseURL: baseURL, credential: bare ? Credential() : codec.credential(token: token), options: options)
            if codec.credentialInQuery, a.verdict == .refusesToken, codec.accepts(token) {
                a = try await ask(d, baseURL: baseURL, credential: codec.credential(token: token), options: options)
            }
            answers.append(a)
        }
        return answers
    }

    static func ask(_ d: Dialect, baseURL: URL, credential: Credential, options: TransportOptions) async throws(GatewayError) -> Answer {
        let transport = try HTTPTransport(baseURL: baseURL, credential: credential, options: options)
        let spec = d.codec.probeRead
        let (method, query) = (spec.method, spec.query)
        let shown = spec.path + (query.isEmpty ? "" : "?" + query.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: "&"))
        do throws(GatewayError) {
            let r = try await transport.send(spec)
            return Answer(dialect: d, request: "\(method) \(shown)", status: r.status, verdict: classify(d, r.status, JSONValue.parse(r.body)))
        } catch {
            return Answer(dialect: d, request: "\(method) \(shown)", status: nil, verdict: .no(error.message))
        }
    }

    /// The dialect the answers point to: the one that answered in its shape with the token
    /// accepted, else the one that refused the token in its own shape; nil when none or
    /// several do equally.
    public static func best(_ answers: [Answer]) -> Dialect? {
        let speaks = answers.filter { $0.verdict == .speaks }
        if speaks.count == 1 { return speaks[0].dialect }
        if speaks.count > 1 { return nil }
        let refusing = answers.filter { $0.verdict == .refusesToken }
        return refusing.count == 1 ? refusing[0].dialect : nil
    }

    /// Reads one dialect's answer, by its codec.
    static func classify(_ d: Dialect, _ status: Int, _ v: JSONValue?) -> Verdict {
        guard let v else { return .no("not JSON") }
        return d.codec.classify(status, v) ?? .no("HTTP \(status), not this dialect's shape")
    }
}
