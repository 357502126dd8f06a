import Foundation
import Synchronization
import Testing
import GatewayKit
import GatewaySim
import TestSupport
@testable import FleetIndex

/// A fresh directory under the system's temporary one, removed after `body`.
func withTempDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-index-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await body(dir)
}

/// An emulator world over loopback with a client that surfaces a 429 or a 5xx at once
/// (no retries in the transport), so the sync's own handling is what is seen.
func withSim(_ dialect: Dialect = .v1, fixture: Fixture = .demo, retries: Bool = true,
             _ body: (Harness) async throws -> Void) async throws {
    let options = retries ? TransportOptions(timeout: 30)
        : TransportOptions(timeout: 30, rateLimitRetries: 0, readRetries: 0)
    let h = try await Harness.start(dialect, fixture: fixture, options: options)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

/// Wall time for the index that moves with a virtual clock.
func wallTime(_ clock: VirtualClock, base: Double = 1_750_000_000) -> @Sendable () -> Date {
    { Date(timeIntervalSince1970: base + clock.now()) }
}

func user(_ digits: String) -> JID { JID(kind: .user, user: digits) }
func lid(_ digits: String) -> JID { JID(kind: .lid, user: digits) }

/// Person `n` of the tests: a phone JID and an `@lid`.
func person(_ n: Int, role: Role = .member, name: String? = nil, phone: Bool = true, withLID: Bool = true) -> Participant {
    Participant(phone: phone ? user("55119000\(String(format: "%05d", n))") : nil,
                lid: withLID ? lid("2000000\(String(format: "%08d", n))") : nil,
                name: name ?? "Person \(n)", role: role)
}

func session(_ id: String, label: String? = nil, connected: Bool = true, account: JID? = nil) -> Session {
    Session(id: id, label: label ?? id, account: account, connected: connected, status: connected ? "WORKING" : "STOPPED")
}

func group(_ n: Int, subject: String? = nil, size: Int? = nil) -> Group {
    Group(jid: JID(kind: .group, user: "1203630000\(String(format: "%08d", n))"), subject: subject ?? "Group \(n)",
          size: size, owner: nil, ourRole: nil)
}

func date(_ t: Double) -> Date { Date(timeIntervalSince1970: 1_750_000_000 + t) }

/// The participants reads (`GET …/members`) that reached the emulator (v1's paths).
func memberReads(_ world: World) -> [String] {
    world.arrivals().filter { $0.method == "GET" && $0.path.hasSuffix("/members") }.map(\.path)
}

/// The connected sessions of a world and their groups, as the gateway lists them.
func connectedGroups(_ world: World) -> [(session: SimSession, groups: [SimGroup])] {
    world.sessions().filter(\.connected).map { ($0, world.groups(session: $0.id) ?? []) }
}

/// A task that can be cancelled from inside its own progress callback (the cancel asked for
/// before the task is known is carried out as soon as it is).
final class CancelBox: Sendable {
    private let state = Mutex<(task: Task<SyncReport, Never>?, wanted: Bool)>((nil, false))

    func set(_ task: Task<SyncReport, Never>) {
        let cancelNow = state.withLock { s -> Bool in s.task = task; return s.wanted }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { s -> Task<SyncReport, Never>? in s.wanted = true; return s.task }
        task?.cancel()
    }
}

/// A counter shared with `@Sendable` callbacks.
final class Counter: Sendable {
    private let value = Mutex(0)
    @discardableResult func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    var count: Int { value.withLock { $0 } }
}

/// Passes every call to the real client and records, on the sync's clock, when each read
/// of which session started, and how many sessions (and reads of one session) were in
/// flight at once.
final class ObservedGateway: Gateway {
    struct Call: Sendable { var session: String; var at: Double }
    private struct State {
        var calls: [Call] = []
        var inFlight: [String: Int] = [:]
        var maxSessions = 0
        var maxPerSession = 0
    }

    let inner: any Gateway
    let clock: any OperationClock
    private let state = Mutex(State())

    init(_ inner: any Gateway, clock: any OperationClock) { self.inner = inner; self.clock = clock }

    var dialect: Dialect { inner.dialect }
    var capabilities: Capabilities { inner.capabilities }
    var calls: [Call] { state.withLock { $0.calls } }
    var maxSessionsAtOnce: Int { state.withLock { $0.maxSessions } }
    var maxReadsOfOneSession: Int { state.withLock { $0.maxPerSession } }

    private func begin(_ session: String) {
        let at = clock.now()
        state.withLock { s in
            s.calls.append(Call(session: session, at: at))
            s.inFlight[session, default: 0] += 1
            s.maxPerSession = max(s.maxPerSession, s.inFlight[session]!)
            s.maxSessions = max(s.maxSessions, s.inFlight.values.filter { $0 > 0 }.count)
        }
    }

    private func end(_ session: String) { state.withLock { $0.inFlight[session, default: 1] -= 1 } }

    func sessions() async throws(GatewayError) -> [Session] { try await inner.sessions() }

    func groups(session: String) async throws(GatewayError) -> [Group] {
        begin(session)
        defer { end(session) }
        return try await inner.groups(session: session)
    }

    func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        begin(session)
        defer { end(session) }
        return try await inner.participants(session: session, group: group)
    }

    func apply(_ action: MemberAction, session: String, group: JID, target: JID) async throws(GatewayError) -> TargetResult {
        try await inner.apply(action, session: session, group: group, target: target)
    }

    func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult { try await inner.leave(session: session, group: group) }
}
