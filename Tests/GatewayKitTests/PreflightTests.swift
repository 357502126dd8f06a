import Foundation
import Testing
@testable import GatewayKit

@Suite("preflight")
struct PreflightTests {
    static let us = JID(kind: .user, user: "5511900000001")
    static let owner = Participant(phone: JID(kind: .user, user: "5511900000002"), lid: nil, name: "Owner", role: .superadmin)
    static let admin = Participant(phone: JID(kind: .user, user: "5511900000003"), lid: nil, name: "Admin", role: .admin)
    static let member = Participant(phone: JID(kind: .user, user: "5511900000004"), lid: JID(kind: .lid, user: "444"), name: "Member", role: .member)
    static let me = Participant(phone: us, lid: nil, name: "Us", role: .admin)
    static let people = [owner, admin, member, me]
    static let session = Session(id: "s", label: "s", account: us, connected: true, status: "working")
    static let stranger = JID(kind: .user, user: "5511900000099")

    func verdicts(_ a: MemberAction, _ targets: [JID], people: [Participant] = people, session: Session = session) -> [Verdict] {
        Preflight.plan(a, targets: targets, participants: people, session: session).rows.map(\.verdict)
    }

    @Test("remove: the owner, a non-member and our own account are not sent")
    func remove() {
        let v = verdicts(.remove, [Self.owner.id, Self.member.id, Self.stranger, Self.us])
        #expect(v[0] == .skip("the owner cannot be removed"))
        #expect(v[1] == .willAct)
        #expect(v[2] == .alreadySo("not a member"))
        #expect(v[3] == .skip("that is this session's own account (use leave)"))
        let plan = Preflight.plan(.remove, targets: [Self.owner.id, Self.member.id], participants: Self.people, session: Self.session)
        #expect(plan.toSend == [Self.member.id])
    }

    @Test("a target named by @lid matches the participant; duplicates are dropped")
    func lidAndDuplicates() {
        let plan = Preflight.plan(.remove, targets: [JID(kind: .lid, user: "444"), Self.member.id], participants: Self.people, session: Self.session)
        #expect(plan.rows.count == 1)
        #expect(plan.rows[0].participant?.name == "Member")
    }

    @Test("demote and promote: already so, owner immunity")
    func roles() {
        #expect(verdicts(.demote, [Self.admin.id, Self.member.id, Self.owner.id]) == [.willAct, .alreadySo("already not an admin"), .skip("the owner cannot be demoted")])
        #expect(verdicts(.promote, [Self.member.id, Self.admin.id, Self.stranger]) == [.willAct, .alreadySo("already an admin"), .skip("not a member")])
        #expect(verdicts(.add, [Self.stranger, Self.member.id]) == [.willAct, .alreadySo("already a member")])
    }

    @Test("blocked when offline, when not an admin, when not a member")
    func blockers() {
        var offline = Self.session
        offline.connected = false
        offline.status = "SCAN_QR_CODE"
        let p1 = Preflight.plan(.remove, targets: [Self.member.id], participants: Self.people, session: offline)
        #expect(p1.blocker == .notConnected(status: "SCAN_QR_CODE"))
        #expect(p1.toSend.isEmpty)
        var demoted = Self.people
        demoted[3].role = .member
        #expect(Preflight.plan(.remove, targets: [Self.member.id], participants: demoted, session: Self.session).blocker == .notAdmin)
        #expect(Preflight.plan(.remove, targets: [Self.member.id], participants: Array(Self.people.prefix(3)), session: Self.session).blocker == .notMember)
        #expect(Preflight.plan(.remove, targets: [Self.member.id], participants: Self.people, session: Self.session).blocker == nil)
    }
}

/// A gateway whose group holds `members`, answering every removal as done (after the first
/// `failFirst` requests, answered 503 without acting), counting requests; for the executor.
final class CountingGateway: Gateway, @unchecked Sendable {
    let dialect = Dialect.v1
    let capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: true, listsSessions: true)
    private let lock = NSLock()
    private var failuresLeft: Int
    private var present: [JID]
    private(set) var sent: [JID] = []
    private(set) var reads = 0
    init(failFirst: Int = 0, members: [JID] = ExecutorTests.targets) { failuresLeft = failFirst; present = members }
    func sessions() async throws(GatewayError) -> [Session] { [] }
    func groups(session: String) async throws(GatewayError) -> [Group] { [] }
    func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        lock.withLock {
            reads += 1
            return present.map { Participant(phone: $0, lid: nil, name: nil, role: .member) }
        }
    }
    func apply(_ action: MemberAction, session: String, group: JID, target: JID) async throws(GatewayError) -> TargetResult {
        let fail: Bool = lock.withLock {
            sent.append(target)
            if failuresLeft > 0 { failuresLeft -= 1; return true }
            if action == .remove { present.removeAll { $0 == target } }
            return false
        }
        if fail { return TargetResult(target: target, outcome: .failed(.server(status: 503, message: "busy"))) }
        return TargetResult(target: target, outcome: .done, httpStatus: 204)
    }
    func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult { TargetResult(target: group, outcome: .done) }
}

@Suite("executor: pacing and retries on a virtual clock")
struct ExecutorTests {
    static let targets = (1...3).map { JID(kind: .user, user: "551190000001\($0)") }
    static let group = JID(kind: .group, user: "120363000000000001")

    @Test("three targets at 10 per minute: one request each, 6 s apart")
    func paced() async {
        let clock = VirtualClock()
        let gw = CountingGateway()
        let events = EventLog()
        let results = await Executor(gateway: gw, pacer: Pacer(ratePerMinute: 10, burst: 1, clock: clock), clock: clock)
            .run(.remove, session: "S", group: Self.group, targets: Self.targets) { events.add($0) }
        #expect(results.map(\.outcome) == [.done, .done, .done])
        #expect(gw.sent == Self.targets)
        #expect(clock.sleeps == [6, 6])
        #expect(events.waits == [6, 6])
    }

    @Test("a 503 is settled by reading the group, then sent again after a backoff; the target ends done")
    func retried() async {
        let clock = VirtualClock()
        let gw = CountingGateway(failFirst: 1)
        let retry = RetryPolicy(random: { 0.5 })
        let results = await Executor(gateway: gw, retry: retry, clock: clock).run(.remove, session: "S", group: Self.group, targets: [Self.targets[0]])
        #expect(results[0].outcome == .done)
        #expect(gw.sent.count == 2)
        #expect(clock.sleeps == [0.5])
        // One read before sending, one after the 503 (which might have come after the gateway acted).
        #expect(gw.reads == 2)
    }

    @Test("a target someone else already acted on is read as already so, and not sent")
    func alreadyBeforeSending() async {
        let gw = CountingGateway(members: [Self.targets[0], Self.targets[2]])
        let results = await Executor(gateway: gw).run(.remove, session: "S", group: Self.group, targets: Self.targets)
        #expect(results.map(\.outcome.kind) == ["done", "already", "done"])
        #expect(gw.sent == [Self.targets[0], Self.targets[2]])
    }

    @Test("5xx failures that stay are resumable, and do not stop the operation")
    func serverErrorsDoNotStop() async {
        let clock = VirtualClock()
        let gw = CountingGateway(failFirst: 3)
        let results = await Executor(gateway: gw, retry: RetryPolicy(random: { 0 }), clock: clock)
            .run(.remove, session: "S", group: Self.group, targets: Self.targets)
        guard case .failed(.server(503, _)) = results[0].outcome else { Issue.record("expected a 503, got \(results[0])"); return }
        #expect(results[0].resumable)
        #expect(results.dropFirst().map(\.outcome) == [.done, .done])
        #expect(gw.sent == [Self.targets[0], Self.targets[0], Self.targets[0], Self.targets[1], Self.targets[2]])
    }

    @Test("cancelled while waiting for its turn: the rest are not sent")
    func cancelled() async {
        let gw = CountingGateway()
        let task = Task {
            await Executor(gateway: gw, pacer: Pacer(ratePerMinute: 1, burst: 1)).run(.remove, session: "S", group: Self.group, targets: Self.targets)
        }
        try? await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let results = await task.value
        #expect(gw.sent == [Self.targets[0]], "only the first went before the 60 s wait")
        #expect(results[0].outcome == .done)
        #expect(results.dropFirst().allSatisfy { $0.outcome.kind == "not-attempted" })
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [OperationEvent] = []
    func add(_ e: OperationEvent) { lock.lock(); events.append(e); lock.unlock() }
    var waits: [Double] {
        lock.lock(); defer { lock.unlock() }
        return events.compactMap { if case .waiting(let s, _) = $0 { s } else { nil } }
    }
}
