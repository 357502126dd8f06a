import Foundation
import WamodModel
import Synchronization

/// Something that changed in the world, as the emulator pushes it to WebSockets and webhooks:
/// the neutral event (the model every dialect's event is decoded into), rendered in each
/// dialect's shape by `SimEventRendering`.
public struct SimEvent: Sendable, Hashable {
    /// 1, 2, 3… over the whole world, in the order the changes were made (a join request is
    /// an event but not a ledger change, so this is not the ledger's `seq`).
    public var seq: Int
    public var event: FleetEvent
    /// The session's own account (WAHA's `me`, Evolution's `sender`).
    public var me: SimMember?
    /// The session's label (WAHA's `me.pushName`).
    public var label: String
    /// The ledger's action word that made it (`add`, `join`, `subject`, `request`, …).
    public var action: String
}

/// Fans the world's changes out to whoever listens (each WebSocket connection, each server's
/// webhook dispatcher). Publishing never blocks and never waits for a listener: each has a
/// bounded buffer, and a listener that falls behind loses the oldest events it has not read
/// (counted in `dropped`). Safe to call with the world's lock held.
public final class EventFeed: Sendable {
    /// Events buffered per listener before the oldest are dropped.
    public static let bufferPerListener = 1024

    private struct State {
        var listeners: [Int: AsyncStream<SimEvent>.Continuation] = [:]
        var next = 0
        var dropped = 0
        var seq = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// A new listener: its id (to `stop` it) and its events, from now on.
    public func listen() -> (id: Int, events: AsyncStream<SimEvent>) {
        let (stream, continuation) = AsyncStream.makeStream(of: SimEvent.self, bufferingPolicy: .bufferingNewest(Self.bufferPerListener))
        let id = state.withLock { s -> Int in
            s.next += 1
            s.listeners[s.next] = continuation
            return s.next
        }
        continuation.onTermination = { [weak self] _ in self?.forget(id) }
        return (id, stream)
    }

    /// Ends a listener's stream (its reader sees the end).
    public func stop(_ id: Int) {
        let c = state.withLock { $0.listeners.removeValue(forKey: id) }
        c?.finish()
    }

    private func forget(_ id: Int) { _ = state.withLock { $0.listeners.removeValue(forKey: id) } }

    public var listenerCount: Int { state.withLock { $0.listeners.count } }
    /// Events listeners lost because they fell behind.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Numbers the event (its `seq` and the `evt_…` id) and hands it to every listener.
    func publish(_ make: (Int) -> SimEvent) {
        let (event, listeners) = state.withLock { s -> (SimEvent, [AsyncStream<SimEvent>.Continuation]) in
            s.seq += 1
            return (make(s.seq), Array(s.listeners.values))
        }
        var lost = 0
        for c in listeners {
            if case .dropped = c.yield(event) { lost += 1 }
        }
        if lost > 0 { state.withLock { $0.dropped += lost } }
    }
}

extension WorldState {
    /// Publishes the event a ledger change makes, if it makes one. `person` is whom it is
    /// about; `by` who did it (nil: the session's own account for what a session asks, nobody
    /// for a join by link or a leave); `via` how someone came in.
    mutating func publishChange(session: String, place: String, action: String, person: Person?,
                                detail: String?, by: JID?? = nil, via: JoinVia? = nil) {
        guard let group = JID.lenient(place), group.kind == .group, let me = sessions[session] else { return }
        let ours = me.account.jid
        let kind: FleetEvent.Kind
        var role = Role.member
        var who: JID? = ours
        var how: JoinVia?
        var subject: String?
        switch action {
        case "add": kind = .joined; how = via ?? .added
        case "join": kind = .joined; how = via ?? .invite; who = nil
        case "approve": kind = .joined; how = .approved
        case "remove": kind = .left
        case "leave": kind = .left; who = nil
        case "promote": kind = .promoted; role = .admin
        case "demote": kind = .demoted
        case "subject": kind = .groupChanged; subject = detail
        case "description", "settings": kind = .groupChanged
        case "request": kind = .joinRequest; who = nil; how = .invite
        default: return
        }
        if let by { who = by }
        let people = person.map { [Participant(phone: $0.phone.map { JID(kind: .user, user: $0) }, lid: JID(kind: .lid, user: $0.lid),
                                                name: $0.name.isEmpty ? nil : $0.name, role: role)] } ?? []
        if kind != .groupChanged && people.isEmpty { return }
        let meMember = Member(person: me.account, role: .member, rowId: 0, firstSeenAt: 0).snapshot
        let label = me.label
        feed.publish { seq in
            let event = FleetEvent(kind: kind, session: session, group: group, participants: people, by: who, via: how,
                                   subject: subject, at: Date(), eventID: "evt_\(seq)")
            return SimEvent(seq: seq, event: event, me: meMember, label: label, action: action)
        }
    }
}
