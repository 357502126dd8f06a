import Foundation
import Testing
@testable import GatewayKit

/// v1's group administration (gateways.md §9, https://wahost-rama.zeabur.app/docs/api/groups/
/// and …/docs/api/messages/sendMessage).
@Suite("v1 administration")
struct V1AdminTests {
    static let g = JID(kind: .group, user: "120363041234567890")
    static let base = "/api/v1/sessions/01J9ZX8K2QHV0M3T6R7P4N5W8C/groups/120363041234567890%40g.us"
    static let s = "01J9ZX8K2QHV0M3T6R7P4N5W8C"

    @Test("requests: the invite route, PATCH with only the named settings, the sync send with its Idempotency-Key")
    func encoders() throws {
        let read = try #require(V1Codec().inviteLinkRead(session: Self.s, group: Self.g))
        #expect(read.method == "GET" && read.path == "\(Self.base)/invite")
        let reset = try #require(V1Codec().inviteLinkReset(session: Self.s, group: Self.g))
        #expect(reset.method == "DELETE" && reset.path == "\(Self.base)/invite" && reset.body == nil)
        let both = V1Codec().settingsChanges(GroupSettings(announce: true, locked: false), session: Self.s, group: Self.g)
        #expect(both.count == 1 && both[0].spec.method == "PATCH" && both[0].spec.path == Self.base)
        #expect(bodyText(both[0].spec) == #"{"announce":true,"locked":false}"#)
        #expect(both[0].spec.headers["Content-Type"] == "application/json")
        let one = V1Codec().settingsChanges(GroupSettings(locked: true), session: Self.s, group: Self.g)
        #expect(bodyText(one[0].spec) == #"{"locked":true}"#)
        let send = try #require(V1Codec().textMessage(session: Self.s, to: JID(kind: .user, user: "5511900000012"), text: "Você foi removido"))
        #expect(send.method == "POST" && send.path == "/api/v1/sessions/\(Self.s)/messages" && send.query.isEmpty)
        #expect(bodyText(send) == #"{"text":"Você foi removido","to":"5511900000012@s.whatsapp.net","type":"text"}"#)
        let key = try #require(send.headers["Idempotency-Key"])
        #expect(key.hasPrefix("wamod-") && key.count == 38 && !key.contains("Você"))
        // A session with a space is percent-encoded in the path.
        #expect(V1API.sendText(session: "my line", to: Self.g, text: "x").path == "/api/v1/sessions/my%20line/messages")
    }

    @Test("the Idempotency-Key is the same for the same notice and differs for another chat, session or text")
    func idempotencyKey() {
        let a = JID(kind: .user, user: "5511900000012"), b = JID(kind: .user, user: "5511900000013")
        let k = V1API.idempotencyKey(session: "s", to: a, text: "bye")
        #expect(k == V1API.idempotencyKey(session: "s", to: a, text: "bye"))
        #expect(V1API.sendText(session: "s", to: a, text: "bye").headers["Idempotency-Key"] == k)
        #expect(k != V1API.idempotencyKey(session: "s", to: b, text: "bye"))
        #expect(k != V1API.idempotencyKey(session: "t", to: a, text: "bye"))
        #expect(k != V1API.idempotencyKey(session: "s", to: a, text: "bye!"))
        // The fields cannot run into each other: ("s1", text) is not ("s", "1" + text).
        #expect(V1API.idempotencyKey(session: "s1", to: a, text: "x") != V1API.idempotencyKey(session: "s", to: a, text: "1x"))
    }

    @Test("decoders: the invite link, the listing's settings, a sync send and its replay")
    func decoders() throws {
        #expect(try V1Decode.invite(response(200, #"{"invite":"https://chat.whatsapp.com/GmQz7bKxYpL2aN4dTfW9eR"}"#)).code == "GmQz7bKxYpL2aN4dTfW9eR")
        let page = try V1Decode.groups(response(200, V1DialectTests.groupsBody))
        #expect(page.items.first?.settings == GroupSettings(announce: false, locked: false))
        let none = try V1Decode.groups(response(200, #"{"data":[{"groupJid":"1@g.us","subject":"x"}],"nextCursor":null}"#))
        #expect(none.items.first?.settings == nil)
        #expect(V1Decode.sent(response(200, #"{"mode":"sync","waMessageId":"3EB0A1","status":"sent","timestamp":1719662400000}"#)) == .done)
        #expect(V1Decode.sent(response(200, #"{"mode":"sync","waMessageId":"3EB0A1","status":"sent","timestamp":1,"replayed":true}"#)) == .done)
        #expect(V1Decode.sent(response(202, #"{"mode":"async","outboxId":"ob_1"}"#)) == .done)
        #expect(V1Decode.sent(response(200, #"{"mode":"sync","status":"failed"}"#)).kind == "refused")
    }

    @Test("refusals: not an admin 403, offline 501, unknown 404; members:approve's 501 is not 'offline'")
    func errors() {
        let patch = V1API.update(session: Self.s, group: Self.g, announce: true, locked: nil)
        let step = SettingsStep(GroupSettings(announce: true), patch)
        let forbidden = response(403, #"{"error":{"code":"forbidden","message":"not a group admin","details":{}}}"#)
        #expect(V1Codec().settingsStepOutcome(step, forbidden) == .failed(.forbidden("not a group admin")))
        let offline = response(501, #"{"error":{"code":"not_implemented","message":"session not connected","details":{}}}"#)
        #expect(V1Codec().textOutcome(offline, V1API.sendText(session: Self.s, to: Self.g, text: "x")) == .failed(.notConnected("session not connected")))
        let missing = response(404, #"{"error":{"code":"not_found","message":"group not found","details":{}}}"#)
        #expect(failureKind(V1Codec().inviteResetOutcome(missing, V1API.revokeInvite(session: Self.s, group: Self.g))) == "notFound")
        let approve = V1API.approveMembers(session: Self.s, group: Self.g, members: [JID(kind: .user, user: "5511900000012")])
        #expect(approve.method == "POST" && approve.path == "\(Self.base)/members:approve")
        #expect(V1Decode.error(offline, approve) == .notPossible(V1Codec.joinRequestsUnbuilt))
        // A PATCH of both settings refused: the first may have been applied (the gateway applies them in order).
        let both = SettingsStep(GroupSettings(announce: true, locked: true), V1API.update(session: Self.s, group: Self.g, announce: true, locked: true))
        guard case .failed(.forbidden(let words?)) = V1Codec().settingsStepOutcome(both, forbidden) else { Issue.record("expected forbidden"); return }
        #expect(words.contains("only admins send, then only admins edit info") && words.contains("may have been applied"))
    }

    @Test("join requests: off, and the reason says the route answers 501; nothing is sent")
    func joinRequestsOff() async {
        #expect(!V1Codec.capabilities.joinRequests)
        #expect(V1Codec.capabilities.missing(.approve, dialect: .v1)?.contains("501") == true)
        #expect(V1Codec.capabilities.missing(.reject, dialect: .v1)?.contains("members:approve") == true)
        let sender = ScriptedSender()
        let gw = gateway(V1Codec(), sender)
        await #expect(throws: GatewayError.notPossible(V1Codec.joinRequestsUnbuilt)) { try await gw.joinRequests(session: Self.s, group: Self.g) }
        await #expect(throws: GatewayError.notPossible(V1Codec.joinRequestsUnbuilt)) {
            try await gw.answerJoinRequest(approve: false, session: Self.s, group: Self.g, requester: JID(kind: .lid, user: "1"))
        }
        #expect(sender.sent.isEmpty)
    }

    @Test("settings come from the listing, page by page until the group is found")
    func settingsFromListing() async throws {
        let first = #"{"data":[{"groupJid":"1@g.us","subject":"a","isAnnounce":true,"isLocked":true}],"nextCursor":"c2"}"#
        let second = #"{"data":[{"groupJid":"120363041234567890@g.us","subject":"b","isAnnounce":true,"isLocked":false}],"nextCursor":"c3"}"#
        let sender = ScriptedSender(answer(200, first), answer(200, second))
        #expect(try await gateway(V1Codec(), sender).settings(session: Self.s, group: Self.g) == GroupSettings(announce: true, locked: false))
        #expect(sender.sent.map(\.query) == [[], [URLQueryItem(name: "cursor", value: "c2")]])
        let absent = ScriptedSender(answer(200, first.replacingOccurrences(of: "\"c2\"", with: "null")))
        await #expect(throws: GatewayError.self) { try await gateway(V1Codec(), absent).settings(session: Self.s, group: Self.g) }
    }

    @Test("a settings change through the gateway: one PATCH, 204 done")
    func setThroughGateway() async throws {
        let sender = ScriptedSender(answer(204, ""))
        let r = try await gateway(V1Codec(), sender).setSettings(GroupSettings(announce: true, locked: true), session: Self.s, group: Self.g)
        #expect(r.outcome == .done && r.httpStatus == 204 && sender.sent.count == 1)
    }
}
