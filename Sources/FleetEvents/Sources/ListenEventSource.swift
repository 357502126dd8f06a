import Foundation
import FleetIndex
import GatewayKit

/// What `wamod listen` (a `WebhookReceiver`) writes beside the index as it runs, under the meta
/// key `listener`, so that another process (the console, `wamod guard`) knows webhooks are
/// being received and from what.
public struct ListenerHeartbeat: Sendable, Hashable, Codable {
    public var dialect: Dialect
    /// Where it listens (`host:port`).
    public var address: String
    public var pid: Int32
    /// When it last said it was alive (seconds since 1970).
    public var at: Double
    public var received: Int
    /// Written as it stops: no one is listening any more.
    public var stopped: Bool

    public init(dialect: Dialect, address: String, pid: Int32, at: Date, received: Int, stopped: Bool = false) {
        self.dialect = dialect; self.address = address; self.pid = pid; self.at = at.timeIntervalSince1970
        self.received = received; self.stopped = stopped
    }

    public static let metaKey = "listener"

    public var json: String { (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}" }

    public static func read(_ store: FleetStore) -> ListenerHeartbeat? {
        guard let text = try? store.meta(metaKey), text.utf8.count <= 4096 else { return nil }
        return try? JSONDecoder().decode(ListenerHeartbeat.self, from: Data(text.utf8))
    }

    /// Alive: not stopped, and heard from within `staleAfter` seconds.
    public func isAlive(now: Date = Date(), staleAfter: TimeInterval) -> Bool {
        !stopped && now.timeIntervalSince1970 - at <= staleAfter && at - now.timeIntervalSince1970 <= staleAfter
    }
}

/// Why a webhook source stopped giving events.
public enum ListenSourceError: Error, Sendable, CustomStringConvertible {
    case noListener
    case listenerStopped
    case listenerSilent(TimeInterval)
    case store(String)

    public var description: String {
        switch self {
        case .noListener: "no webhook listener has run for this profile (start `wamod listen`)"
        case .listenerStopped: "the webhook listener (`wamod listen`) has stopped"
        case .listenerSilent(let s): "the webhook listener has not been heard from for \(Age.text(s))"
        case .store(let why): "the index could not be read: \(why)"
        }
    }
}

/// The events `wamod listen` received as webhooks and kept in the index, read back by another
/// process: polled every `every` seconds from the last event seen, while the listener's
/// heartbeat is fresh. The stream ends with an error when no listener is alive, so the
/// follower polls the gateway instead (and tries again later). These events are already
/// applied to the index by the listener (`alreadyApplied`).
public struct ListenEventSource: EventSource, ReportingEventSource {
    public let store: FleetStore
    public let every: TimeInterval
    /// A heartbeat older than this means the listener is gone.
    public let staleAfter: TimeInterval
    let clock: any OperationClock

    public init(store: FleetStore, every: TimeInterval = 1, staleAfter: TimeInterval = WebhookReceiver.heartbeatEvery * 4,
                clock: any OperationClock = SystemOperationClock()) {
        self.store = store; self.every = max(0.05, every); self.staleAfter = staleAfter; self.clock = clock
    }

    public var kind: EventSourceKind { .webhook }
    public var description: String { "webhooks via wamod listen" }
    public var alreadyApplied: Bool { true }

    public func events() -> AsyncThrowingStream<FleetEvent, any Error> { events(onOpen: {}) }

    public func events(onOpen: @escaping @Sendable () -> Void) -> AsyncThrowingStream<FleetEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: FleetEvent.self, throwing: (any Error).self,
                                                                     bufferingPolicy: .bufferingNewest(4096))
        let task = Task { [store, every, staleAfter, clock] in
            do {
                try Self.checkAlive(store, staleAfter: staleAfter)
                var last: Int64
                do { last = try store.lastEventID() } catch { throw ListenSourceError.store(String(describing: error)) }
                onOpen()
                while !Task.isCancelled {
                    let batch: [StoredEvent]
                    do { batch = try store.events(after: last, limit: 500) } catch { throw ListenSourceError.store(String(describing: error)) }
                    for stored in batch {
                        continuation.yield(stored.event)
                        last = max(last, stored.id)
                    }
                    if batch.count < 500 {
                        try Self.checkAlive(store, staleAfter: staleAfter)
                        try await clock.sleep(seconds: every)
                    }
                }
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    static func checkAlive(_ store: FleetStore, staleAfter: TimeInterval) throws {
        guard let beat = ListenerHeartbeat.read(store) else { throw ListenSourceError.noListener }
        if beat.stopped { throw ListenSourceError.listenerStopped }
        let age = Date().timeIntervalSince1970 - beat.at
        if !beat.isAlive(staleAfter: staleAfter) { throw ListenSourceError.listenerSilent(max(0, age)) }
    }
}
