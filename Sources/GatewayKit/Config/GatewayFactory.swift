import Foundation

/// Builds a `Gateway` for a dialect, base URL and token, from the dialect's codec (`Dialect.codec`).
public enum GatewayFactory {
    /// The credential each dialect presents.
    public static func credential(for dialect: Dialect, token: String) -> Credential {
        dialect.codec.credential(token: token)
    }

    public static func make(dialect: Dialect, baseURL: URL, token: String, options: TransportOptions = .init(),
                            observer: RequestObserver? = nil) throws(GatewayError) -> any Gateway {
        let codec = dialect.codec
        try codec.checkToken(token)
        let transport = try HTTPTransport(baseURL: baseURL, credential: codec.credential(token: token),
                                          options: options, observer: observer)
        return codec.gateway(transport: transport)
    }

    /// A gateway for a profile: resolves its token and applies its settings.
    public static func make(profile: Profile, environment: [String: String] = ProcessInfo.processInfo.environment,
                            observer: RequestObserver? = nil) async throws(GatewayError) -> any Gateway {
        let token = try await TokenResolver.resolve(profile, environment: environment)
        return try make(profile: profile, token: token, observer: observer)
    }

    /// A gateway for a profile whose token is already resolved (one command run for the
    /// gateway and the event stream both).
    public static func make(profile: Profile, token: String, observer: RequestObserver? = nil) throws(GatewayError) -> any Gateway {
        let options = TransportOptions(timeout: profile.timeout, allowInsecureHTTP: profile.allowHTTP, maxAnswerBytes: profile.maxAnswerMB << 20)
        return try make(dialect: profile.dialect, baseURL: profile.baseURL, token: token, options: options, observer: observer)
    }
}
