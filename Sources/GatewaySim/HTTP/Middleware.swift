import HTTPTypes
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection (to drop it on demand).
struct SimContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

struct DroppedConnection: Error {}

/// Applies the world's injected faults before the dialect sees the request: latency, a dropped
/// connection, a proxy's HTML page, a 5xx, a 429 storm.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SimContext
    let world: World
    let routes: any DialectRoutes

    func handle(_ request: Request, context: SimContext,
                next: (Request, SimContext) async throws -> Response) async throws -> Response {
        let fault = world.nextFault(mutating: request.method != .get && request.method != .head)
        if fault.latencyMs > 0 { try await Task.sleep(for: .milliseconds(fault.latencyMs)) }
        switch fault.action {
        case .none: return try await next(request, context)
        case .drop:
            try? await context.channel.close()
            throw DroppedConnection()
        case .lostAnswer:
            _ = try await next(request, context)
            try? await context.channel.close()
            throw DroppedConnection()
        case .html: return SimResponse.proxyHTML().hummingbird
        case .serverError(let status): return routes.serverError(status: status).hummingbird
        case .rateLimited(let seconds): return routes.rateLimited(retryAfter: seconds).hummingbird
        }
    }
}

/// Hands every request to the dialect's routes (it never calls `next`: the routes answer
/// unknown paths themselves, in the dialect's own 404 shape).
struct DialectMiddleware: RouterMiddleware {
    typealias Context = SimContext
    let world: World
    let routes: any DialectRoutes
    static let maxBody = 1 << 20

    func handle(_ request: Request, context: SimContext,
                next: (Request, SimContext) async throws -> Response) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: Self.maxBody)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let sim = SimRequest(method: request.method.rawValue, target: request.uri.description,
                             authorization: request.headers[.authorization], headers: headers,
                             body: Array(buffer.readableBytesView))
        return await routes.respond(to: sim, world: world).hummingbird
    }
}

extension SimResponse {
    var hummingbird: Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        if status != 204 && status >= 200 { fields[.contentLength] = String(body.count) }
        return Response(status: .init(code: status), headers: fields,
                        body: body.isEmpty ? .init() : .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
