import Foundation

/// How a dialect presents its token. The secret itself lives only here and in the
/// request headers or query; `description` never shows it.
public struct Credential: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let headers: [String: String]
    public let queryItems: [URLQueryItem]

    public init(headers: [String: String] = [:], queryItems: [URLQueryItem] = []) {
        self.headers = headers; self.queryItems = queryItems
        // Whatever a gateway echoes back of these is masked wherever it would be shown or kept.
        for (name, value) in headers {
            Secrets.register(name.lowercased() == "authorization" && value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : value)
        }
        for item in queryItems { if let v = item.value { Secrets.register(v) } }
    }

    public static func bearer(_ token: String) -> Credential {
        Credential(headers: ["Authorization": "Bearer \(token)"])
    }

    public static func header(_ name: String, _ token: String) -> Credential {
        Credential(headers: [name: token])
    }

    public var description: String { "Credential(\(Redaction.mask))" }
    public var debugDescription: String { description }
}
