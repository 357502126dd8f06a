import Foundation

/// Builds a `Gateway` for a dialect, base URL and token.
public enum GatewayFactory {
    /// The credential each dialect presents.
    public static func credential(for dialect: Dialect, token: String) -> Credential {
        switch dialect {
        case .v1, .wasend, .wuts: .bearer(token)
        case .waha: .header("X-Api-Key", token)
        case .evolution: .header("apikey", token)
        case .wawp: .header("access-token", token)
        }
    }

    public static func make(dialect: Dialect, baseURL: URL, token: String, options: TransportOptions = .init(),
                            observer: RequestObserver? = nil) throws(GatewayError) -> any Gateway {
        let transport = try HTTPTransport(baseURL: baseURL, credential: credential(for: dialect, token: token),
                                          options: options, observer: observer)
        switch dialect {
        case .v1: return V1Gateway(transport: transport)
        case .wasend: return WasendGateway(transport: transport)
        case .waha: return WAHAGateway(transport: transport)
        case .wuts, .wawp, .evolution:
            throw .configuration("the \(dialect.rawValue) dialect is not supported yet; supported now: v1, wasend, waha")
        }
    }

    /// A gateway for a profile: resolves its token and applies its settings.
    public static func make(profile: Profile, environment: [String: String] = ProcessInfo.processInfo.environment,
                            observer: RequestObserver? = nil) throws(GatewayError) -> any Gateway {
        let token = try TokenResolver.resolve(profile.token, environment: environment)
        let options = TransportOptions(timeout: profile.timeout, allowInsecureHTTP: profile.allowHTTP)
        return try make(dialect: profile.dialect, baseURL: profile.baseURL, token: token, options: options, observer: observer)
    }
}
