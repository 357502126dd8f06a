import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// Sending a text (gateways.md §9, what an exit notice needs) in every dialect, client against
/// the emulator: the text arrives in the chat it was sent to, and WhatsApp's refusals come back.
@Suite("sending a text against the emulator", .serialized)
struct SendTextTests {
    let alpha = TinyFixture.alpha
    let carla = TinyFixture.plainMembers[0]

    @Test("every dialect sends texts, as §9's table says")
    func offered() {
        for d in Admin.dialects { #expect(d.capabilities.sendsText, "\(d)") }
    }

    @Test("to a person and to a group: each chat holds exactly its text", arguments: Admin.dialects)
    func send(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let toPerson = "Olá Carla — you are being removed from Team Alpha (spam). 🚫"
            let r = try await h.gateway.sendText(session: alpha, to: carla, text: toPerson)
            #expect(r.outcome == .done, "\(r.outcome)")
            #expect(r.target == carla)
            #expect(h.world.messages(session: alpha, chat: carla).map(\.text) == [toPerson])

            let toGroup = "Reminder: links to other groups are removed.\nThanks!"
            let g = try await h.gateway.sendText(session: alpha, to: TinyFixture.teamAlpha, text: toGroup)
            #expect(g.outcome == .done, "\(g.outcome)")
            #expect(h.world.messages(session: alpha, chat: TinyFixture.teamAlpha).map(\.text) == [toGroup])
            #expect(h.world.messages(session: alpha, chat: carla).count == 1, "the group's text did not go to Carla")
            #expect(h.world.messages().allSatisfy { $0.delivered })
            #expect(Admin.changes(h, "send").count == 2)
        }
    }

    @Test("to a person known only by @lid: their chat holds the text", arguments: Admin.dialects)
    func toLID(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let hidden = TinyFixture.lidOnlyMember
            let r = try await h.gateway.sendText(session: alpha, to: hidden, text: "you are being removed")
            #expect(r.outcome == .done, "\(d): \(r.outcome)")
            #expect(h.world.messages(session: alpha, chat: hidden).map(\.text) == ["you are being removed"], "\(d): \(h.world.messages().map(\.chat))")
        }
    }

    @Test("an offline session: not connected, and nothing is sent", arguments: Admin.dialects)
    func offline(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let (session, _) = Admin.offline(h)
            let r = try await h.gateway.sendText(session: session, to: carla, text: "hello")
            #expect(Admin.failedWith(r.outcome, Admin.isNotConnected), "\(d): \(r.outcome)")
            #expect(h.world.messages().isEmpty)
        }
    }

    @Test("an announce-only group where we are a plain member: forbidden, nothing posted; open again, it posts", arguments: Admin.dialects)
    func announceOnly(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let g = TinyFixture.readers
            h.world.setSettings(GroupSettings(announce: true), session: alpha, group: g)
            let r = try await h.gateway.sendText(session: alpha, to: g, text: "may I?")
            #expect(Admin.failedWith(r.outcome, Admin.isForbidden), "\(d): \(r.outcome)")
            #expect(h.world.messages(session: alpha, chat: g).isEmpty)

            h.world.setSettings(GroupSettings(announce: false), session: alpha, group: g)
            let open = try await h.gateway.sendText(session: alpha, to: g, text: "may I?")
            #expect(open.outcome == .done, "\(d): \(open.outcome)")
            #expect(h.world.messages(session: alpha, chat: g).map(\.text) == ["may I?"])
        }
    }

    @Test("an empty text is refused before anything is sent", arguments: Admin.dialects)
    func empty(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let arrived = h.world.arrivals().count
            let e = await Admin.thrown { () async throws(GatewayError) in _ = try await h.gateway.sendText(session: alpha, to: carla, text: "  \n") }
            guard case .validation? = e else { Issue.record("\(d): \(String(describing: e))"); return }
            #expect(h.world.arrivals().count == arrived)
        }
    }
}
