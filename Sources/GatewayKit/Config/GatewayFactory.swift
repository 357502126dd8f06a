import Foundation

/// Builds a `Gateway` for a dialect, base URL and token.
public enum GatewayFactory {
    /// The credential each dialect presents.
    public static func credential(for dialect: Dialect, token: String) -> Credential {
        switch dialect {
        case .v1, .wasend, .wuts: .bearer(token)
        case .waha: .header("X-Api-Key", token)
        case .evolution: .header("apikey", token)
        case .wawp: wawpCredential(token)
        }
    }

    /// Wawp's two secrets, `instance_id` and `access_token`, travel as query parameters (masked in
    /// every log; never in a logged path, an error or the audit file). The profile's one token
    /// holds both as `INSTANCE_ID:ACCESS_TOKEN`, split at the first colon.
    static func wawpCredential(_ token: String) -> Credential {
        guard let colon = token.firstIndex(of: ":") else {
            return Credential(queryItems: [URLQueryItem(name: "access_token", value: token)])
        }
        return Credential(queryItems: [URLQueryItem(name: "instance_id", value: String(token[..<colon])),
                                       URLQueryItem(name: "access_token", value: String(token[token.index(after: colon)...]))])
    }

    public static func make(dialect: Dialect, baseURL: URL, token: String, options: TransportOptions = .init(),
                            observer: RequestObserver? = nil) throws(GatewayError) -> any Gateway {
        if dialect == .wawp, !isWawpToken(token) {
            throw .configuration("a wawp token is INSTANCE_ID:ACCESS_TOKEN (the instance id and the access token joined by a colon); check the profile's token source")
        }
        let transport = try HTTPTransport(baseURL: baseURL, credential: credential(for: dialect, token: token),
                                          options: options, observer: observer)
        switch dialect {
        case .v1: return V1Gateway(transport: transport)
        case .wasend: return WasendGateway(transport: transport)
        case .waha: return WAHAGateway(transport: transport)
        case .wuts: return WUTSGateway(transport: transport)
        case .wawp: return WawpGateway(transport: transport)
        case .evolution: return EvolutionGateway(transport: transport)
        }
    }

    /// Whether a wawp token has both parts, `INSTANCE_ID:ACCESS_TOKEN`.
    static func isWawpToken(_ token: String) -> Bool {
        guard let colon = token.firstIndex(of: ":") else { return false }
        return colon != token.startIndex && token.index(after: colon) != token.endIndex
    }

    /// A gateway for a profile: resolves its token and applies its settings.
    public static func make(profile: Profile, environment: [String: String] = ProcessInfo.processInfo.environment,
                            observer: RequestObserver? = nil) throws(GatewayError) -> any Gateway {
        let token = try TokenResolver.resolve(profile.token, environment: environment)
        let options = TransportOptions(timeout: profile.timeout, allowInsecureHTTP: profile.allowHTTP, maxAnswerBytes: profile.maxAnswerMB << 20)
        return try make(dialect: profile.dialect, baseURL: profile.baseURL, token: token, options: options, observer: observer)
    }
}
