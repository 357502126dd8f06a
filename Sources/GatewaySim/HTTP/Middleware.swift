import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

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
/// connection, a proxy's HTML page, a 5xx, a 429 storm, a body cut short, a stalled answer.
/// Every request is recorded as it arrives, before any fault. The emulator's admin view
/// (`/_sim/…`) is answered here first, so faults never touch it and it is never recorded.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SimContext
    let world: World
    let routes: any DialectRoutes
    /// The server's token, which the admin view asks for whatever the dialect.
    let token: String
    /// The server's WebSocket and webhooks (the admin view controls them).
    let events: ServerEvents

    func handle(_ request: Request, context: SimContext,
                next: (Request, SimContext) async throws -> Response) async throws -> Response {
        if AdminView.serves(request.uri.path) {
            var request = request
            let sim = try await SimRequest.collect(&request)
            return AdminView(world: world, token: token, events: events).respond(to: sim).hummingbird
        }
        world.recordArrival(method: request.method.rawValue, target: request.uri.path)
        if let hostile = world.takeHostile() { return HostileRendering.respond(hostile, to: request) }
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
        case .truncated(let applied):
            let real = applied ? try await next(request, context) : nil
            return try await Truncation.cutShort(real)
        case .stall(let ms):
            // A slow gateway: the change is made at once, the answer comes after the wait (by
            // then the client may have given up). Making the change first keeps it made
            // whatever becomes of the request's task once the client has hung up.
            let response = try await next(request, context)
            await Self.hold(milliseconds: ms)
            return response
        }
    }

    /// Waits the whole time even if the request's task is cancelled (a client hanging up does
    /// not shorten a stalled gateway's wait).
    static func hold(milliseconds ms: Int) async {
        guard ms > 0 else { return }
        await Task.detached { try? await Task.sleep(for: .milliseconds(ms)) }.value
    }
}

/// A well-formed HTTP answer whose JSON body is cut short, as a gateway that crashes while
/// writing (or a proxy that gives up) sends: Content-Length matches the cut body.
enum Truncation {
    /// What stands in for an answer that had no body (a 204) or a body too short to cut.
    static let stub = Array(#"{"status":"success","data":{"particip"#.utf8)

    /// The real answer with about half its body (at least one byte short); none (a request not
    /// carried out) or an empty one gives `stub`. A 2xx becomes 200; an error keeps its status.
    static func cutShort(_ real: Response?) async throws -> Response {
        var status = 200
        var headers = HTTPFields()
        var bytes: [UInt8] = []
        if let real {
            let sink = ByteSink()
            try await real.body.write(CollectingWriter(sink: sink))
            bytes = sink.bytes
            headers = real.headers
            if !(200..<300).contains(real.status.code) { status = real.status.code }
        }
        let cut = bytes.count >= 2 ? Array(bytes.prefix(bytes.count / 2)) : stub
        headers[.contentLength] = String(cut.count)
        if headers[.contentType] == nil { headers[.contentType] = "application/json; charset=utf-8" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: cut)))
    }
}

/// Collects what a response body writes, to cut it short.
final class ByteSink: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func append(_ buffer: ByteBuffer) { storage.withLock { $0 += buffer.readableBytesView } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}

struct CollectingWriter: ResponseBodyWriter {
    let sink: ByteSink
    mutating func write(_ buffer: ByteBuffer) async throws { sink.append(buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
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
        let sim = try await SimRequest.collect(&request)
        return await routes.respond(to: sim, world: world).hummingbird
    }
}

extension SimRequest {
    /// Reads the whole body (up to `DialectMiddleware.maxBody`) and takes the request apart.
    static func collect(_ request: inout Request) async throws -> SimRequest {
        let buffer = try await request.collectBody(upTo: DialectMiddleware.maxBody)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        return SimRequest(method: request.method.rawValue, target: request.uri.description,
                          authorization: request.headers[.authorization], headers: headers,
                          body: Array(buffer.readableBytesView))
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
