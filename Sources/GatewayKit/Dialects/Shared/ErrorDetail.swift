import Foundation

extension GatewayError {
    /// The gateway's own words, where the error carries them.
    public var detail: String? {
        switch self {
        case .unauthorized(let m), .forbidden(let m), .notConnected(let m): m
        case .notFound(let m), .validation(let m), .transport(let m), .configuration(let m), .storage(let m), .notPossible(let m): m
        case .server(_, let m): m
        case .rateLimited, .undecodable, .noSuchRoute, .tooLarge: nil
        }
    }
}
