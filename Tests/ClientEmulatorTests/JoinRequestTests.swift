import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// Join requests (gateways.md §9): WAHA alone lists and answers them; v1 names a route that
/// answers 501 to everyone; the others have none. Client against the emulator.
@Suite("join requests against the emulator", .serialized)
struct JoinRequestTests {
    let alpha = TinyFixture.alpha
    let team = TinyFixture.teamAlpha
    let gabriel = TinyFixture.requesters[0], helena = TinyFixture.requesters[1]

    @Test("only WAHA offers join requests")
    func offered() {
        #expect(Admin.dialects.filter { $0.capabilities.joinRequests } == [.waha])
    }

    @Test("WAHA: the list is the World's pending requests, with their numbers and @lids")
    func list() async throws {
        try await Admin.with(.waha) { h in
            let world = try #require(h.world.pendingRequests(session: alpha, group: team))
            #expect(world.count == 2)
            let listed = try await h.gateway.joinRequests(session: alpha, group: team)
            #expect(listed.map(\.requester) == world.map(\.lid))
            #expect(listed.map(\.phone) == world.map(\.phone))
            #expect(listed.map(\.phone) == TinyFixture.requesters.map { Optional($0) })
            #expect(listed.allSatisfy { $0.method == "invite_link" && $0.at != nil })

            // One more, asked for since: the next read has it too.
            h.world.addJoinRequest(TinyFixture.outsider, session: alpha, group: team)
            let again = try await h.gateway.joinRequests(session: alpha, group: team)
            #expect(again.map(\.requester) == (h.world.pendingRequests(session: alpha, group: team) ?? []).map(\.lid))
            #expect(again.count == 3)
        }
    }

    @Test("WAHA: approving makes a member; rejecting drops the request and makes no member")
    func answer() async throws {
        try await Admin.with(.waha) { h in
            let approved = try await h.gateway.answerJoinRequest(approve: true, session: alpha, group: team, requester: gabriel)
            #expect(approved.outcome == .done, "\(approved.outcome)")
            #expect(h.isMember(gabriel, of: team))
            #expect(h.world.pendingRequests(session: alpha, group: team)?.contains { $0.matches(gabriel) } == false)

            // Named by the @lid this time, as the list names them.
            let rejected = try await h.gateway.answerJoinRequest(approve: false, session: alpha, group: team, requester: TinyFixture.lidOf(helena))
            #expect(rejected.outcome == .done, "\(rejected.outcome)")
            #expect(!h.isMember(helena, of: team))
            #expect(h.world.pendingRequests(session: alpha, group: team)?.isEmpty == true)
            #expect(Admin.changes(h, "approve").map(\.target) == [gabriel.string])
            #expect(Admin.changes(h, "reject").map(\.target) == [helena.string])
            #expect(try await h.gateway.joinRequests(session: alpha, group: team).isEmpty)
        }
    }

    @Test("WAHA: answering someone who is not pending is that target's refusal, not a thrown error")
    func notPending() async throws {
        try await Admin.with(.waha) { h in
            for approve in [true, false] {
                let r = try await h.gateway.answerJoinRequest(approve: approve, session: alpha, group: team, requester: TinyFixture.outsider)
                #expect(r.outcome.kind == "refused", "approve \(approve): \(r.outcome)")
                #expect(r.target == TinyFixture.outsider)
            }
            #expect(!h.isMember(TinyFixture.outsider, of: team))
            #expect(h.world.pendingRequests(session: alpha, group: team)?.count == 2, "the real requests are untouched")
            #expect(Admin.changes(h, "approve").isEmpty && Admin.changes(h, "reject").isEmpty)
        }
    }

    @Test("WAHA: not an admin (Readers) is forbidden; offline says not connected")
    func refusals() async throws {
        try await Admin.with(.waha) { h in
            h.world.addJoinRequest(TinyFixture.outsider, session: alpha, group: TinyFixture.readers)
            let e = await Admin.thrown { () async throws(GatewayError) in _ = try await h.gateway.joinRequests(session: alpha, group: TinyFixture.readers) }
            #expect(Admin.isForbidden(e), "\(String(describing: e))")
            let r = try await h.gateway.answerJoinRequest(approve: true, session: alpha, group: TinyFixture.readers, requester: TinyFixture.outsider)
            #expect(Admin.failedWith(r.outcome, Admin.isForbidden), "\(r.outcome)")
            #expect(!h.isMember(TinyFixture.outsider, of: TinyFixture.readers))

            h.world.addJoinRequest(TinyFixture.outsider, session: TinyFixture.offline, group: TinyFixture.offlineGroup)
            let off = await Admin.thrown { () async throws(GatewayError) in
                _ = try await h.gateway.joinRequests(session: TinyFixture.offline, group: TinyFixture.offlineGroup)
            }
            #expect(Admin.isNotConnected(off), "\(String(describing: off))")
            #expect(Admin.changes(h, "approve").isEmpty)
        }
    }

    @Test("without join requests: list, approve and reject throw notPossible and send nothing; v1 says its route answers 501",
          arguments: Admin.dialects.filter { $0 != .waha })
    func lacking(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let arrived = h.world.arrivals().count
            let calls: [(String, () async throws(GatewayError) -> Void)] = [
                ("list", { () async throws(GatewayError) in _ = try await h.gateway.joinRequests(session: alpha, group: team) }),
                ("approve", { () async throws(GatewayError) in _ = try await h.gateway.answerJoinRequest(approve: true, session: alpha, group: team, requester: gabriel) }),
                ("reject", { () async throws(GatewayError) in _ = try await h.gateway.answerJoinRequest(approve: false, session: alpha, group: team, requester: helena) }),
            ]
            for (what, call) in calls {
                let e = await Admin.thrown(call)
                guard case .notPossible(let why)? = e else { Issue.record("\(d) \(what): \(String(describing: e))"); continue }
                if d == .v1 {
                    #expect(why.contains("501") || why.lowercased().contains("not implemented") || why.contains("not_implemented"), "\(why)")
                } else {
                    #expect(why.contains(d.rawValue), "\(why)")
                }
            }
            #expect(h.world.arrivals().count == arrived, "no request was sent")
            #expect(h.world.pendingRequests(session: alpha, group: team)?.count == 2)
            #expect(!h.isMember(gabriel, of: team))
            if d == .v1 {
                #expect(h.gateway.capabilities.missing(.approve, dialect: d)?.contains("501") == true)
            }
        }
    }
}
