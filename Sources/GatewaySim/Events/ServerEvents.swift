import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import WamodModel
import Synchronization

/// A webhook the emulator posts its events to, as the vendor's gateway would: a URL, and the
/// secret it signs with (WAHA's `hmac.key`, Evolution's `jwt_key`) or sends (WUTS's custom
/// header). Wawp's gateway can do neither: its URL carries the secret in its path.
public struct SimWebhook: Sendable, Hashable {
    /// How a webhook proves where it came from.
    public enum Proof: String, Sendable, Hashable {
        /// As the vendor documents: WAHA `X-Webhook-Hmac` (sha512), Evolution's JWT, WUTS's
        /// custom header; Wawp nothing (the URL's path).
        case vendor
        /// `X-Wamod-Secret: <secret>`, as a gateway's custom headers setting sends it.
        case header
    }

    public var url: URL
    public var secret: String?
    public var proof: Proof

    public init(url: URL, secret: String? = nil, proof: Proof = .vendor) {
        self.url = url; self.secret = secret; self.proof = proof
    }
}

/// What became of a webhook's deliveries (the admin view shows it; no secret, and no path,
/// which for Wawp holds the secret).
public struct SimWebhookStatus: Sendable, Hashable {
    /// Scheme, host and port of the URL.
    public var destination: String
    public var delivered: Int
    /// Answered other than 2xx, or not answered in time.
    public var failed: Int
    /// Never sent: the queue was full (the receiver is slower than the world).
    public var dropped: Int
    public var lastError: String?
}

/// One server's events: its WebSocket connections (WAHA's `/ws`) and its webhooks, both in
/// the server's dialect. Nothing here ever waits on a listener: the feed buffers each listener
/// boundedly, and each webhook has a bounded queue, a timeout and one request at a time.
final class ServerEvents: Sendable {
    static let queueLimit = 256
    static let deliveryTimeout: TimeInterval = 5

    let dialect: Dialect
    let world: World

    private struct State {
        var serverURL = ""
        var webhooks: [Delivery] = []
        /// The feed listener that hands events to the webhooks (started with the first one).
        var dispatcher: (id: Int, task: Task<Void, Never>)?
        var socketsOpen = true
        /// Each open WebSocket's feed listener.
        var sockets: Set<Int> = []
        var stopped = false
    }
    private let state = Mutex(State())

    init(dialect: Dialect, world: World) {
        self.dialect = dialect
        self.world = world
    }

    var pushes: Bool { SimEventRendering.pushing.contains(dialect) }

    func started(at url: URL) { state.withLock { $0.serverURL = url.absoluteString } }

    // MARK: Webhooks

    /// Adds a webhook; false when this dialect documents none.
    @discardableResult
    func addWebhook(_ hook: SimWebhook) -> Bool {
        guard pushes else { return false }
        let delivery = Delivery(hook: hook, dialect: dialect)
        let start = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.webhooks.append(delivery)
            return s.dispatcher == nil
        }
        if start { startDispatcher() }
        return true
    }

    func removeWebhooks() {
        let old = state.withLock { s -> [Delivery] in
            defer { s.webhooks = [] }
            return s.webhooks
        }
        for d in old { d.stop() }
    }

    func webhookStatus() -> [SimWebhookStatus] { state.withLock { $0.webhooks }.map { $0.status() } }

    private func startDispatcher() {
        let (id, events) = world.feed.listen()
        let task = Task { [weak self] in
            for await event in events {
                guard let self else { return }
                let (targets, serverURL) = self.state.withLock { ($0.webhooks, $0.serverURL) }
                for target in targets {
                    guard let (_, body) = SimEventRendering.render(event, dialect: self.dialect, serverURL: serverURL,
                                                                   destination: target.hook.url.absoluteString)
                    else { continue }
                    target.enqueue(event: event, body: Array(body.text.utf8))
                }
            }
        }
        let keep = state.withLock { s -> Bool in
            guard !s.stopped, s.dispatcher == nil else { return false }
            s.dispatcher = (id, task)
            return true
        }
        if !keep {
            world.feed.stop(id)
            task.cancel()
        }
    }

    // MARK: WebSocket

    var socketsOpen: Bool { state.withLock { $0.socketsOpen } }

    /// Opens or closes the WebSocket: closing ends every connection and refuses new ones
    /// (a refused upgrade) until it is opened again, to rehearse an event stream that drops.
    func setSocketsOpen(_ open: Bool) {
        let ids = state.withLock { s -> Set<Int> in
            s.socketsOpen = open
            if open { return [] }
            defer { s.sockets = [] }
            return s.sockets
        }
        for id in ids { world.feed.stop(id) }
    }

    /// Ends every open WebSocket connection (new ones are still accepted).
    func closeSockets() {
        let ids = state.withLock { s -> Set<Int> in
            defer { s.sockets = [] }
            return s.sockets
        }
        for id in ids { world.feed.stop(id) }
    }

    var openSockets: Int { state.withLock { $0.sockets.count } }

    /// A new connection's events; nil when the WebSocket is closed (or the server stopping).
    func listenForSocket() -> (id: Int, events: AsyncStream<SimEvent>)? {
        let (id, events) = world.feed.listen()
        let kept = state.withLock { s -> Bool in
            guard s.socketsOpen, !s.stopped else { return false }
            s.sockets.insert(id)
            return true
        }
        if !kept { world.feed.stop(id); return nil }
        return (id, events)
    }

    func socketClosed(_ id: Int) {
        _ = state.withLock { $0.sockets.remove(id) }
        world.feed.stop(id)
    }

    // MARK: Stopping

    func stop() {
        let (dispatcher, hooks, sockets) = state.withLock { s -> ((id: Int, task: Task<Void, Never>)?, [Delivery], Set<Int>) in
            s.stopped = true
            defer { s.dispatcher = nil; s.webhooks = []; s.sockets = [] }
            return (s.dispatcher, s.webhooks, s.sockets)
        }
        if let dispatcher { world.feed.stop(dispatcher.id); dispatcher.task.cancel() }
        for d in hooks { d.stop() }
        for id in sockets { world.feed.stop(id) }
    }
}

/// One webhook's bounded queue and its sender.
final class Delivery: Sendable {
    struct Job: Sendable {
        var body: [UInt8]
        var seq: Int
        var at: Date
    }
    struct Counters {
        var delivered = 0, failed = 0, dropped = 0
        var lastError: String?
    }
    final class Tally: Sendable {
        let counts = Mutex(Counters())
    }

    let hook: SimWebhook
    let dialect: Dialect
    private let queue: AsyncStream<Job>.Continuation
    private let task: Task<Void, Never>
    private let tally: Tally

    init(hook: SimWebhook, dialect: Dialect) {
        self.hook = hook
        self.dialect = dialect
        let (stream, continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingOldest(ServerEvents.queueLimit))
        self.queue = continuation
        let tally = Tally()
        self.tally = tally
        let session = Delivery.makeSession()
        task = Task {
            for await job in stream {
                if Task.isCancelled { break }
                let outcome = await Delivery.post(job, hook: hook, dialect: dialect, session: session)
                tally.counts.withLock { c in
                    if let outcome { c.failed += 1; c.lastError = outcome } else { c.delivered += 1 }
                }
            }
            session.invalidateAndCancel()
        }
    }

    func enqueue(event: SimEvent, body: [UInt8]) {
        if case .dropped = queue.yield(Job(body: body, seq: event.seq, at: event.event.at ?? Date())) {
            tally.counts.withLock { $0.dropped += 1; $0.lastError = "queue full: an event was dropped" }
        }
    }

    func stop() {
        queue.finish()
        task.cancel()
    }

    func status() -> SimWebhookStatus {
        var destination = "\(hook.url.scheme ?? "http")://\(hook.url.host ?? "?")"
        if let port = hook.url.port { destination += ":\(port)" }
        return tally.counts.withLock { c in
            SimWebhookStatus(destination: destination, delivered: c.delivered, failed: c.failed, dropped: c.dropped, lastError: c.lastError)
        }
    }

    private static func makeSession() -> URLSession {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = ServerEvents.deliveryTimeout
        config.timeoutIntervalForResource = ServerEvents.deliveryTimeout * 2
        return URLSession(configuration: config)
    }

    /// Posts one event; nil when it was answered 2xx, else what went wrong (no secret, no path).
    static func post(_ job: Job, hook: SimWebhook, dialect: Dialect, session: URLSession) async -> String? {
        var request = URLRequest(url: hook.url, timeoutInterval: ServerEvents.deliveryTimeout)
        request.httpMethod = "POST"
        request.httpBody = Data(job.body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in signature(job, hook: hook, dialect: dialect) { request.setValue(value, forHTTPHeaderField: name) }
        do {
            let (_, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return (200..<300).contains(status) ? nil : "answered \(status)"
        } catch {
            return "not delivered (\((error as NSError).code == NSURLErrorTimedOut ? "timed out" : "connection failed"))"
        }
    }

    /// The headers a vendor's gateway adds to a webhook.
    static func signature(_ job: Job, hook: SimWebhook, dialect: Dialect) -> [(String, String)] {
        var headers: [(String, String)] = []
        if dialect == .waha || dialect == .wawp {
            // https://waha.devlike.pro/docs/how-to/events/ "Headers".
            headers.append(("X-Webhook-Request-Id", "req_" + SimEventRendering.ulidLike(job.seq)))
            headers.append(("X-Webhook-Timestamp", String(Int(job.at.timeIntervalSince1970 * 1000))))
        }
        guard let secret = hook.secret, !secret.isEmpty else { return headers }
        if hook.proof == .header {
            headers.append(("X-Wamod-Secret", secret))
            return headers
        }
        switch dialect {
        case .waha:
            headers.append(("X-Webhook-Hmac", Digest.hex(Digest.hmac(.sha512, key: secret, message: job.body))))
            headers.append(("X-Webhook-Hmac-Algorithm", "sha512"))
        case .evolution:
            headers.append(("Authorization", "Bearer " + evolutionJWT(secret: secret, now: job.at)))
        case .wuts:
            headers.append(("X-Wamod-Secret", secret))
        case .wawp, .v1, .wasend:
            break
        }
        return headers
    }

    /// As Evolution's webhook controller makes it from `jwt_key`: HS256, `iat`, `exp` ten
    /// minutes on, `app` and `action`.
    static func evolutionJWT(secret: String, now: Date) -> String {
        let iat = Int(now.timeIntervalSince1970)
        let header = Digest.base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims = Digest.base64URL(Array(#"{"iat":\#(iat),"exp":\#(iat + 600),"app":"evolution","action":"webhook"}"#.utf8))
        return header + "." + claims + "." + Digest.base64URL(Digest.hmac(.sha256, key: secret, message: Array((header + "." + claims).utf8)))
    }
}
