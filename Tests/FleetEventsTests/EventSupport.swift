import Foundation
import FleetEvents
import FleetIndex
import GatewayKit
import GatewaySim
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TestSupport

struct Timeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "waited too long for \(what)" }
}

/// The next element of `stream` that `matching` accepts, waiting at most `seconds` (a bound
/// so a broken test ends, not a timing assertion: every wait is generous).
func next<S: AsyncSequence & Sendable>(_ stream: S, within seconds: Double = 30, _ what: String,
                                       matching: @escaping @Sendable (S.Element) -> Bool = { _ in true }) async throws -> S.Element
where S.Element: Sendable {
    try await withThrowingTaskGroup(of: S.Element?.self) { group in
        group.addTask {
            for try await item in stream where matching(item) { return item }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let item = first else { throw Timeout(what: what) }
        return item
    }
}

/// Waits until `condition` holds, checking every 50 ms for at most `seconds`.
func eventually(within seconds: Double = 30, _ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw Timeout(what: what)
}

/// A webhook as the sink received it.
struct Delivered: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
}

/// A loopback HTTP server that keeps every request, to see what the emulator's webhooks send.
final class WebhookSink: Sendable {
    let requests: AsyncStream<Delivered>
    private let input: AsyncStream<Delivered>.Continuation
    private let status: Int
    private struct State { var group: ServiceGroup?; var task: Task<Void, Never>?; var all: [Delivered] = [] }
    private let state = Mutex(State())

    init(status: Int = 200) {
        self.status = status
        (requests, input) = AsyncStream.makeStream(of: Delivered.self)
    }

    var all: [Delivered] { state.withLock { $0.all } }

    func start() async throws -> URL {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SinkMiddleware(sink: self))
        var logger = Logger(label: "test.sink")
        logger.logLevel = .critical
        let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ch in portInput.yield(ch.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { do { try await group.run() } catch {} }
        state.withLock { $0.group = group; $0.task = task }
        let port = try await next(ports, "the sink to start")
        return URL(string: "http://127.0.0.1:\(port)")!
    }

    func stop() async {
        let (group, task) = state.withLock { ($0.group, $0.task) }
        await group?.triggerGracefulShutdown()
        await task?.value
        input.finish()
    }

    fileprivate func keep(_ d: Delivered) -> Int {
        state.withLock { $0.all.append(d) }
        input.yield(d)
        return status
    }
}

private struct SinkMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let sink: WebhookSink
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for f in request.headers { headers[f.name.canonicalName] = f.value }
        let status = sink.keep(Delivered(method: request.method.rawValue, path: request.uri.path, headers: headers,
                                         body: Data(body.readableBytesView)))
        return Response(status: .init(code: status))
    }
}

/// Runs `body` with a sink, always stopping it.
func withSink(status: Int = 200, _ body: (WebhookSink, URL) async throws -> Void) async throws {
    let sink = WebhookSink(status: status)
    let url = try await sink.start()
    do { try await body(sink, url) } catch {
        await sink.stop()
        throw error
    }
    await sink.stop()
}

/// A fresh index in a temporary directory, removed afterwards.
func withStore(_ body: (FleetStore) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-events-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try FleetStore(path: dir.appendingPathComponent("index.sqlite").path)
    try await body(store)
}

/// A webhook's body as JSON, for building vendors' examples.
func data(_ text: String) -> Data { Data(text.utf8) }

/// `withHarness` with the client token each dialect needs (Wawp's names its instance).
func withEventHarness(_ dialect: Dialect, _ body: (Harness) async throws -> Void) async throws {
    let token = dialect == .wawp ? "\(TinyFixture.alpha):\(Harness.token)" : nil
    try await withHarness(dialect, clientToken: token, body)
}
