import Foundation
import FleetIndex
import GatewayKit
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// One webhook the receiver accepted: the events it carried (none for an event the console
/// does not follow), how it proved its origin, and the index rows the events were kept as.
public struct ReceivedWebhook: Sendable {
    public var events: [FleetEvent]
    public var rows: [Int64]
    public var proof: WebhookProof
    public var at: Date
}

public enum WebhookReceiverError: Error, Sendable, CustomStringConvertible {
    case noSecret
    case failedToStart(String)

    public var description: String {
        switch self {
        case .noSecret: "a webhook receiver needs a secret (the gateway's signing key, or a shared secret)"
        case .failedToStart(let why): "the webhook receiver could not start: \(why)"
        }
    }
}

/// A small HTTP server that receives one dialect's webhooks on an address the operator chooses
/// (`wamod listen`): each POST is bounded (`EventDecoding.maxBody`, else 413), proved to come
/// from the gateway (`WebhookVerification`, else 401), decoded (400 when it is not JSON), and
/// its events applied to the index and kept there (`FleetStore.apply`, `appendEvent`) for the
/// console and `wamod guard` to follow. While it runs it writes a heartbeat beside the index
/// (`ListenerHeartbeat`, meta `listener`) every `heartbeatEvery` seconds, and a last one
/// saying it stopped. Any path is accepted (Evolution appends the event's name to the URL when
/// set to; Wawp's URL carries the secret). Nothing it logs or answers holds a secret, a path,
/// or a body.
public final class WebhookReceiver: Sendable {
    public static let heartbeatEvery: TimeInterval = 5

    public let dialect: Dialect
    public let store: FleetStore
    public let host: String
    public let port: Int
    let secret: String
    let defaultSession: String?
    let now: @Sendable () -> Date
    private let output: AsyncStream<ReceivedWebhook>.Continuation
    /// Each webhook as it is accepted (for `wamod listen` to print). One reader.
    public let received: AsyncStream<ReceivedWebhook>

    private struct State {
        var group: ServiceGroup?
        var task: Task<Void, Never>?
        var heartbeat: Task<Void, Never>?
        var address = ""
        var count = 0
        var refused = 0
    }
    private let state = Mutex(State())

    /// `secret` is the gateway's signing key (WAHA's `hmac.key`, Evolution's `jwt_key`) or the
    /// shared secret its webhooks carry (`X-Wamod-Secret`, or Wawp's URL path); from the
    /// environment or a file, never argv. `defaultSession` names the session of events that do
    /// not (WUTS: the token's device).
    public init(dialect: Dialect, store: FleetStore, secret: String, host: String = "127.0.0.1", port: Int,
                defaultSession: String? = nil, now: @escaping @Sendable () -> Date = Date.init) throws(WebhookReceiverError) {
        guard !secret.isEmpty else { throw .noSecret }
        self.dialect = dialect; self.store = store; self.secret = secret; self.host = host; self.port = port
        self.defaultSession = defaultSession; self.now = now
        (received, output) = AsyncStream.makeStream(of: ReceivedWebhook.self, bufferingPolicy: .bufferingNewest(1024))
    }

    /// Webhooks accepted, and refused (401, 413, 400), so far.
    public var counts: (accepted: Int, refused: Int) { state.withLock { ($0.count, $0.refused) } }

    /// Starts listening; returns the bound address (`http://host:port`, the port the system
    /// picked when `port` is 0).
    @discardableResult
    public func start() async throws -> URL {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ReceiverMiddleware(receiver: self))
        var logger = Logger(label: "wamod.listen")
        logger.logLevel = .critical
        let bound = BoundPort()
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
                              onServerRunning: { channel in bound.set(channel.localAddress?.port) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do { try await group.run() } catch { bound.fail(String(describing: error)) }
            bound.fail("the server stopped")
        }
        let port: Int
        do { port = try await bound.wait() } catch {
            task.cancel()
            throw error
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let url = URL(string: "http://\(hostPart):\(port)") else {
            await group.triggerGracefulShutdown()
            throw WebhookReceiverError.failedToStart("bad host")
        }
        let address = "\(hostPart):\(port)"
        state.withLock { s in s.group = group; s.task = task; s.address = address }
        beat()
        let heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(Self.heartbeatEvery))
                guard let self, !Task.isCancelled else { return }
                self.beat()
            }
        }
        state.withLock { $0.heartbeat = heartbeat }
        return url
    }

    /// Stops listening; the heartbeat says so.
    public func stop() async {
        let (group, task, heartbeat) = state.withLock { s in (s.group, s.task, s.heartbeat) }
        heartbeat?.cancel()
        if let group { await group.triggerGracefulShutdown() }
        if let task {
            let watchdog = Task { try? await Task.sleep(for: .seconds(2)); if !Task.isCancelled { task.cancel() } }
            await task.value
            watchdog.cancel()
        }
        beat(stopped: true)
        output.finish()
    }

    private func beat(stopped: Bool = false) {
        let (address, count) = state.withLock { ($0.address, $0.count) }
        let beat = ListenerHeartbeat(dialect: dialect, address: address, pid: ProcessInfo.processInfo.processIdentifier,
                                     at: now(), received: count, stopped: stopped)
        try? store.setMeta(ListenerHeartbeat.metaKey, beat.json)
    }

    // MARK: One webhook

    struct Answer {
        var status: Int
        var body: String
    }

    /// Verifies, decodes and keeps one webhook's events.
    func handle(method: String, path: String, headers: [String: String], body: [UInt8]) -> Answer {
        guard method == "POST" else { return refuse(405, "webhooks are POSTed") }
        switch WebhookVerification.verify(dialect, body: body, headers: headers, path: path, secret: secret, now: now()) {
        case .failure(let why):
            return refuse(401, why.description)
        case .success(let proof):
            let events: [FleetEvent]
            do { events = try EventDecoding.decode(dialect, body: Data(body), headers: headers, defaultSession: defaultSession) } catch {
                return refuse(400, error.description)
            }
            let at = now()
            var rows: [Int64] = []
            do {
                for event in events {
                    try store.apply(event, at: at)
                    rows.append(try store.appendEvent(event, received: at))
                }
            } catch {
                // The gateway retries what is not answered 2xx.
                return Answer(status: 503, body: Self.json(["error": "the index could not keep the events"]))
            }
            state.withLock { $0.count += 1 }
            if !events.isEmpty { beat() }
            output.yield(ReceivedWebhook(events: events, rows: rows, proof: proof, at: at))
            return Answer(status: 200, body: Self.json(["received": events.count]))
        }
    }

    func tooLarge() -> Answer { refuse(413, "the body is larger than \(EventDecoding.maxBody) bytes") }

    private func refuse(_ status: Int, _ why: String) -> Answer {
        state.withLock { $0.refused += 1 }
        return Answer(status: status, body: Self.json(["error": why]))
    }

    static func json(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Every request, whatever its path, to the receiver.
struct ReceiverMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let receiver: WebhookReceiver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let answer: WebhookReceiver.Answer
        do {
            let buffer = try await request.collectBody(upTo: EventDecoding.maxBody)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            answer = receiver.handle(method: request.method.rawValue, path: request.uri.path, headers: headers,
                                     body: Array(buffer.readableBytesView))
        } catch {
            answer = receiver.tooLarge()
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}

/// The port a server bound, once it has.
final class BoundPort: Sendable {
    private struct State {
        var result: Result<Int, WebhookReceiverError>?
        var waiter: CheckedContinuation<Int, any Error>?
    }
    private let state = Mutex(State())

    func set(_ port: Int?) {
        resolve(port.map { .success($0) } ?? .failure(.failedToStart("no local address")))
    }
    func fail(_ why: String) { resolve(.failure(.failedToStart(why))) }

    private func resolve(_ result: Result<Int, WebhookReceiverError>) {
        let waiter = state.withLock { s -> CheckedContinuation<Int, any Error>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { c in
            let ready = state.withLock { s -> Result<Int, WebhookReceiverError>? in
                if let r = s.result { return r }
                s.waiter = c
                return nil
            }
            if let ready { c.resume(with: ready.mapError { $0 as any Error }) }
        }
    }
}
