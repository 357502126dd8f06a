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

    /// The read each dialect is asked, as (method, path, query).
    static func read(_ d: Dialect) -> (String, String, [URLQueryItem]) {
        switch d {
        case .v1: ("GET", "/api/v1/sessions", [])
        case .wasend: ("GET", "/sessions", [])
        case .waha: ("GET", "/api/sessions", [URLQueryItem(name: "all", value: "true")])
        case .wuts: ("GET", "/groups", [])
        case .wawp: ("GET", "/v2/session/info", [])
        case .evolution: ("GET", "/instance/fetchInstances", [])
        }
    }

    /// Asks every dialect's read, one after the other; `token` may be empty (then only the
    /// refusals can tell).
    public static func run(baseURL: URL, token: String, options: TransportOptions = .init(timeout: 8)) async throws(GatewayError) -> [Answer] {
        var answers: [Answer] = []
        for d in Dialect.allCases {
            // Wawp's secrets travel in the query, where a server of another dialect would log
            // them: it is asked without them first, and with them only once it answered as Wawp.
            var a = try await ask(d, baseURL: baseURL, credential: token.isEmpty || d == .wawp ? Credential() : GatewayFactory.credential(for: d, token: token), options: options)
            if d == .wawp, a.verdict == .refusesToken, GatewayFactory.isWawpToken(token) {
                a = try await ask(d, baseURL: baseURL, credential: GatewayFactory.credential(for: d, token: token), options: options)
            }
            answers.append(a)
        }
        return answers
    }

    static func ask(_ d: Dialect, baseURL: URL, credential: Credential, options: TransportOptions) async throws(GatewayError) -> Answer {
        let transport = try HTTPTransport(baseURL: baseURL, credential: credential, options: options)
        let (method, path, query) = read(d)
        let shown = path + (query.isEmpty ? "" : "?" + query.map { "\($0.name)=\($0.value ?? "")" }.joined(separator: "&"))
        do throws(GatewayError) {
            let r = try await transport.send(HTTPRequestSpec(method: method, path: path, query: query))
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

    /// Reads one dialect's answer.
    static func classify(_ d: Dialect, _ status: Int, _ v: JSONValue?) -> Verdict {
        guard let v else { return .no("not JSON") }
        let ok = (200..<300).contains(status)
        switch d {
        case .v1:
            if ok, v["data"]?.array != nil { return .speaks }
            if status == 401 || status == 403, v["error"]?["code"]?.string != nil { return .refusesToken }
        case .wasend:
            if ok, v["sessions"]?.array != nil { return .speaks }
            if status == 401, v["success"]?.bool == false, v["error"] != nil { return .refusesToken }
        case .waha:
            if ok, let rows = v.array, rows.allSatisfy({ $0["name"]?.string != nil && $0["status"]?.string != nil }) { return .speaks }
            if status == 401, v["statusCode"]?.int == 401, v["message"] != nil, v["exception"] == nil { return .refusesToken }
        case .wuts:
            if ok, v["success"]?.bool == true, v["groups"]?.array != nil { return .speaks }
            // A device that is not ready still answers in WUTS's envelope.
            if v["error_code"]?.string != nil { return status == 401 ? .refusesToken : .speaks }
        case .wawp:
            if ok, v["status"] != nil || v["name"] != nil || v["me"] != nil { return .speaks }
            if (400...401).contains(status), v["status"] != nil, v["message"]?.string != nil, v["error"] != nil { return .refusesToken }
        case .evolution:
            if ok, let rows = v.array, rows.allSatisfy({ $0["connectionStatus"] != nil || $0["instance"] != nil }) { return .speaks }
            if status == 401, v["response"] != nil || v["error"]?.string == "Unauthorized" { return .refusesToken }
        }
        return .no("HTTP \(status), not this dialect's shape")
    }
}
