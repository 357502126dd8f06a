import WamodModel

/// One gateway dialect's routes. To add a dialect, write a type
/// conforming to this in `Routes/`, then return it from `routes(for:token:world:)`.
protocol DialectRoutes: Sendable {
    /// Answers a request (auth, routing, rules, rendering) in the dialect's own shapes.
    func respond(to request: SimRequest, world: World) async -> SimResponse
    /// The dialect's body for an injected 5xx.
    func serverError(status: Int) -> SimResponse
    /// The dialect's 429 (injected storms use it too).
    func rateLimited(retryAfter: Int) -> SimResponse
}

/// The dialects the emulator speaks so far.
public enum SimDialects {
    public static let supported: [Dialect] = [.v1, .wasend, .waha, .wuts, .wawp, .evolution]
}

func routes(for dialect: Dialect, token: String) -> (any DialectRoutes)? {
    switch dialect {
    case .v1: V1Routes(token: token)
    case .wasend: WasendRoutes(token: token)
    case .waha: WAHARoutes(token: token)
    case .wuts: WUTSRoutes(token: token)
    case .wawp: WawpRoutes(token: token)
    case .evolution: EvolutionRoutes(token: token)
    }
}
