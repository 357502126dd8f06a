import Foundation
import WamodModel
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A running emulator server. Several (any dialects, any ports) can share one `World`.
public struct RunningSim: Sendable {
    public let dialect: Dialect
    public let host: String
    /// The port actually bound (the free one picked when started with port 0).
    public let port: Int
    /// The server's root URL. For v1 the client appends `/api/v1`; Wasend's paths start at the root.
    public let baseURL: URL
    let group: ServiceGroup
    let task: Task<Void, Never>
    let events: ServerEvents

    /// Stops the server: its WebSocket connections and webhooks first, then a graceful
    /// shutdown, then cancellation if connections linger.
    public func stop() async {
        events.stop()
        await group.triggerGracefulShutdown()
        let task = self.task
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(2))
            if !Task.isCancelled { task.cancel() }
        }
        await task.value
        watchdog.cancel()
    }
}

public enum SimServerError: Error, Sendable, CustomStringConvertible {
    case unsupportedDialect(Dialect)
    case failedToStart(String)

    public var description: String {
        switch self {
        case .unsupportedDialect(let d):
            "the emulator does not speak '\(d.rawValue)' yet (it speaks \(SimDialects.supported.map(\.rawValue).joined(separator: ", ")))"
        case .failedToStart(let why): "the emulator could not start: \(why)"
        }
    }
}

public enum SimServer {
    /// Starts a server speaking `dialect` over `world`, accepting `token` as its bearer
    /// token (compared in constant time, never logged). Returns once the port is bound.
    /// Where the dialect's vendor documents pushing events, the server pushes the world's:
    /// WAHA over its WebSocket (`/ws`), and WAHA, Wawp, WUTS and Evolution to `webhooks` (and
    /// to those added through the admin view).
    public static func start(world: World, dialect: Dialect, host: String = "127.0.0.1", port: Int = 0,
                             token: String, webhooks: [SimWebhook] = []) async throws -> RunningSim {
        guard let routes = routes(for: dialect, token: token) else { throw SimServerError.unsupportedDialect(dialect) }
        let events = ServerEvents(dialect: dialect, world: world)
        let router = Router(context: SimContext.self)
        router.add(middleware: EventSocketMiddleware(events: events, token: token))
        router.add(middleware: FaultMiddleware(world: world, routes: routes, token: token, events: events))
        router.add(middleware: DialectMiddleware(world: world, routes: routes))
        var logger = Logger(label: "wamod.sim.\(dialect.rawValue)")
        logger.logLevel = .critical
        let signal = StartSignal()
        let server: HTTPServerBuilder = dialect == .waha
            ? .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 1 << 20))) { request, _, _ in
                EventSocket.shouldUpgrade(request, events: events, token: token)
            }
            : .http1()
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                if let bound = channel.localAddress?.port { signal.resolve(.success(bound)) }
                else { signal.resolve(.failure(SimServerError.failedToStart("no local address"))) }
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do {
                try await group.run()
                signal.resolve(.failure(SimServerError.failedToStart("the server stopped before it started")))
            } catch {
                signal.resolve(.failure(SimServerError.failedToStart(String(describing: error))))
            }
        }
        let bound: Int
        do { bound = try await signal.wait() } catch {
            events.stop()
            task.cancel()
            throw error
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let url = URL(string: "http://\(hostPart):\(bound)") else {
            events.stop()
            await group.triggerGracefulShutdown()
            throw SimServerError.failedToStart("bad host '\(host)'")
        }
        events.started(at: url)
        for hook in webhooks { events.addWebhook(hook) }
        return RunningSim(dialect: dialect, host: host, port: bound, baseURL: url, group: group, task: task, events: events)
    }
}

/// A one-shot result that may arrive before or after someone waits for it.
final class StartSignal: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Int, any Error>?
        var result: Result<Int, any Error>?
    }
    private let state = Mutex(State())

    func resolve(_ result: Result<Int, any Error>) {
        let waiter = state.withLock { s -> CheckedContinuation<Int, any Error>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Result<Int, any Error>? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
