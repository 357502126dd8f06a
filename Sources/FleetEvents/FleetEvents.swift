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

/// An event source that says when its stream is really open (a WebSocket connected, a
/// listener found alive), so that the follower reports it in use only then, not while it is
/// still trying.
public protocol ReportingEventSource: EventSource {
    /// As `events()`, calling `onOpen` once the stream is open (before any event).
    func events(onOpen: @escaping @Sendable () -> Void) -> AsyncThrowingStream<FleetEvent, any Error>
    /// The events are already in the index (another process applied them: `wamod listen`):
    /// the follower reports them without applying them again.
    var alreadyApplied: Bool { get }
}

extension ReportingEventSource {
    public var alreadyApplied: Bool { false }
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

