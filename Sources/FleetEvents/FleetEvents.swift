import Foundation
import FleetIndex
import GatewayKit

/// Where the console and `wamod guard` learn of changes: a gateway's event stream where it
/// pushes them (`websocket`), webhooks received by `wamod listen` into the index
/// (`webhook`), else polling within the read budget.
public enum EventSourceKind: String, Sendable, Hashable {
    case websocket, webhook, polling
}

/// A stream of a gateway's events, decoded.
public protocol EventSource: Sendable {
    var kind: EventSourceKind { get }
    /// What to show the operator: "WAHA WebSocket", "webhooks via wamod listen".
    var description: String { get }
    /// Events until the stream ends (it dropped: the error says why) or the task is cancelled.
    func events() -> AsyncThrowingStream<FleetEvent, any Error>
}

/// What following the fleet did, as it happens.
public enum FollowUpdate: Sendable {
    /// Now following by this (`detail` says why when it is polling: no events in this dialect,
    /// or the stream dropped and why).
    case source(EventSourceKind, detail: String)
    /// An event applied to the index, and what it changed there.
    case event(FleetEvent, ParticipantDiff)
    /// A polling round (or the first sync) finished.
    case synced(SyncReport)
    case failed(String)
}

/// Keeps the index current: applies a source's events as they come; when there is no source,
/// or it drops, polls by `FleetSync` every `pollEvery` seconds (and tries the source again
/// with backoff).
public final class Follower: Sendable {
    public let store: FleetStore
    public let sync: FleetSync
    public let source: (any EventSource)?
    public let pollEvery: TimeInterval

    public init(store: FleetStore, sync: FleetSync, source: (any EventSource)?, pollEvery: TimeInterval = 300,
                clock: any OperationClock = SystemOperationClock()) {
        self.store = store; self.sync = sync; self.source = source; self.pollEvery = pollEvery
        fatalError("Follower: not built yet")
    }

    /// Runs until the consuming task is cancelled.
    public func updates() -> AsyncStream<FollowUpdate> { fatalError() }
}

/// The event source a profile's gateway offers, if any.
public enum EventSources {
    /// WAHA (and the dialects built on it that document its WebSocket): its `/ws`; a profile
    /// whose gateway sends webhooks: what `wamod listen` keeps in the index; else nil (poll).
    public static func source(dialect: Dialect, baseURL: URL, token: String?, sessions: [String], store: FleetStore) -> (any EventSource)? {
        fatalError("EventSources: not built yet")
    }
}
