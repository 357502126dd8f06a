import Foundation
import WamodModel
import Synchronization

/// The emulator's one in-memory world: sessions, their groups, the groups' members, and
/// WhatsApp's rules over them (see `World+Rules.swift`). Thread-safe; every server (any dialect,
/// any port) over the same world sees the same state.
public final class World: Sendable {
    let state: Mutex<WorldState>
    let clock: SimClock
    /// The seed the world (and its fault dice) was made from.
    public let seed: UInt64
    /// Every change as it is made, for the emulator's WebSocket and webhooks (and tests).
    public let feed: EventFeed

    /// An empty world; fixtures fill it (`World.fixture(_:)`).
    public init(options: WorldOptions = WorldOptions(), seed: UInt64 = 1) {
        let state = WorldState(options: options, seed: seed)
        self.feed = state.feed
        self.state = Mutex(state)
        self.clock = options.clock
        self.seed = seed
    }

    // MARK: Inspection

    /// Every session, in fixture order.
    public func sessions() -> [SimSession] {
        state.withLock { s in s.sessionOrder.compactMap { s.sessions[$0]?.snapshot() } }
    }

    public func session(_ id: String) -> SimSession? {
        state.withLock { $0.sessions[id]?.snapshot() }
    }

    public func session(labeled label: String) -> SimSession? {
        sessions().first { $0.label == label }
    }

    /// The groups `session` is a member of, in fixture order; nil for an unknown session.
    public func groups(session: String) -> [SimGroup]? {
        state.withLock { s -> [SimGroup]? in
            guard let session = s.sessions[session] else { return nil }
            return session.visibleGroups.map { session.snapshot(of: $0) }
        }
    }

    public func group(session: String, jid: JID) -> SimGroup? {
        state.withLock { s -> SimGroup? in
            guard let session = s.sessions[session], let g = session.groups[jid.user], session.isMember(of: g) else { return nil }
            return session.snapshot(of: g)
        }
    }

    /// Members of a group the session belongs to, in the group's order; nil when unknown.
    public func members(session: String, group: JID) -> [SimMember]? {
        state.withLock { s -> [SimMember]? in
            guard let g = try? s.visibleGroup(session: session, group: group) else { return nil }
            return (g.members ?? []).map(\.snapshot)
        }
    }

    public func stats(session: String) -> SimSessionStats {
        state.withLock { s in
            let x = s.sessions[session]
            return SimSessionStats(mutationsServed: x?.mutationsServed ?? 0, rateLimited: x?.rateLimitedCount ?? 0)
        }
    }

    /// Mutating requests served for `session` (not counting those refused by the rate limit).
    public func mutationsServed(session: String) -> Int { stats(session: session).mutationsServed }

    public var options: WorldOptions { state.withLock { $0.options } }
    public var faults: Faults { state.withLock { $0.options.faults } }

    // MARK: Control

    /// Connects or disconnects a session (a disconnected one refuses live actions).
    public func setConnected(_ connected: Bool, session: String, offlineStatus: String = "SCAN_QR_CODE") {
        state.withLock { s in
            s.sessions[session]?.connected = connected
            if !connected { s.sessions[session]?.offlineStatus = offlineStatus }
        }
    }

    /// Sets the world's default rate limit (0 per minute = unlimited).
    public func setRate(perMinute: Int, burst: Int) {
        state.withLock { s in
            s.options.ratePerMinute = perMinute
            s.options.burst = burst
            for id in s.sessionOrder {
                s.sessions[id]?.bucket = TokenBucket()
                s.advertise(perMinute, session: id)
            }
        }
    }

    /// Overrides one session's rate limit; nil restores the world's default.
    public func setRate(session: String, perMinute: Int?, burst: Int? = nil) {
        state.withLock { s in
            guard s.sessions[session] != nil else { return }
            if let perMinute {
                s.sessions[session]?.rateOverride = (perMinute, burst ?? s.options.burst)
                s.advertise(perMinute, session: session)
            } else {
                s.sessions[session]?.rateOverride = nil
            }
            s.sessions[session]?.bucket = TokenBucket()
        }
    }

    public func setFaults(_ faults: Faults) {
        state.withLock { s in
            s.options.faults = faults
            for (id, k) in faults.disconnectAfterMutations where k <= 0 {
                s.sessions[id]?.connected = false
                s.options.faults.disconnectAfterMutations[id] = nil
            }
        }
    }

    /// Changes the faults in place (e.g. `world.updateFaults { $0.dropNext = 1 }`).
    public func updateFaults(_ change: (inout Faults) -> Void) {
        var f = faults
        change(&f)
        setFaults(f)
    }

    public func setWasendPathForms(_ forms: WasendPathForms) {
        state.withLock { $0.options.wasendPathForms = forms }
    }

    /// Which methods Wawp's `/v2/session/info` answers from now on.
    public func setWawpSessionInfo(_ forms: WawpSessionInfoForms) {
        state.withLock { $0.options.wawpSessionInfo = forms }
    }

    public func setPageSizes(groups: Int? = nil, members: Int? = nil) {
        state.withLock { s in
            if let groups { s.options.groupsPageSize = max(1, groups) }
            if let members { s.options.membersPageSize = max(1, members) }
        }
    }

    /// Marks a phone number as not on WhatsApp (add declines it).
    public func markNotOnWhatsApp(_ phoneDigits: String) {
        _ = state.withLock { $0.notOnWhatsApp.insert(phoneDigits) }
    }

    /// Marks a phone number whose privacy settings refuse being added to groups.
    public func markPrivacyRestricted(_ phoneDigits: String) {
        _ = state.withLock { $0.privacyRestricted.insert(phoneDigits) }
    }
}
