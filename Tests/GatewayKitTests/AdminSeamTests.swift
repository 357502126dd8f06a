import Foundation
import Testing
@testable import GatewayKit

/// A codec of the tests' own: one PUT per setting (answered `true`), a text and an invite
/// link, so the gateway's administration flows are tested apart from any vendor.
struct PerSettingCodec: DialectCodec {
    static let dialect = Dialect.waha
    static let capabilities = Capabilities(batching: false, perRowResults: false, idempotentRemove: false, listsSessions: true,
                                           inviteLinks: true, readsSettings: [.announce, .locked], setsSettings: [.announce, .locked, .approval],
                                           sendsText: true)
    init() {}
    static func credential(token: String) -> Credential { .bearer(token) }
    static var probeRead: HTTPRequestSpec { HTTPRequestSpec(method: "GET", path: "/probe") }
    static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict? { nil }
    func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError { DialectSupport.byStatus(r.status, nil, notFound: "group") }
    func sessions(_ gw: HTTPGateway<PerSettingCodec>) async throws(GatewayError) -> [Session] { [] }
    func groups(_ gw: HTTPGateway<PerSettingCodec>, session: String) async throws(GatewayError) -> [Group] { [] }
    func participants(_ gw: HTTPGateway<PerSettingCodec>, session: String, group: JID) async throws(GatewayError) -> [Participant] { [] }
    func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec { HTTPRequestSpec(method: "POST", path: "/m") }
    func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading { .outcome(.done) }
    func leave(session: String, group: JID) -> HTTPRequestSpec { HTTPRequestSpec(method: "POST", path: "/leave") }
    func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome { .done }

    func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { HTTPRequestSpec(method: "GET", path: "/invite") }
    func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { HTTPRequestSpec(method: "POST", path: "/invite/reset") }
    func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink { try AdminShapes.inviteLink(r, keys: ["invite"]) }
    func settingsReads(session: String, group: JID) -> [SettingsRead] {
        [SettingsRead([.announce], HTTPRequestSpec(method: "GET", path: "/announce")), SettingsRead([.locked], HTTPRequestSpec(method: "GET", path: "/locked"))]
    }
    func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings {
        var s = GroupSettings()
        s[read.settings[0]] = AdminShapes.flag(JSONValue.parse(r.body), "on")
        return s
    }
    func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] {
        change.known.map { s, on in
            var one = GroupSettings()
            one[s] = on
            return SettingsStep(one, .json("PUT", "/\(s.rawValue)", body: ["on": on]))
        }
    }
    func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(error(r, step.spec)) }
        return JSONValue.parse(r.body) == .bool(false) ? .refused("answered false") : .done
    }
    func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? { .json("POST", "/send", body: ["to": chat.string, "text": text]) }
}

@Suite("administration through the seam: sent once, each setting's request in turn, unknown effects said")
struct AdminSeamTests {
    static let group = JID(kind: .group, user: "120363041234567890")
    static let person = JID(kind: .user, user: "5511900000012")

    @Test("a change of three settings: one request each, in order, done when every one took")
    func allApplied() async throws {
        let sender = ScriptedSender(answer(200, "true", latency: 2), answer(200, "true", latency: 3), answer(200, "true", latency: 4))
        let r = try await gateway(PerSettingCodec(), sender).setSettings(GroupSettings(announce: true, locked: true, approval: false), session: "s", group: Self.group)
        #expect(r.outcome == .done && r.target == Self.group && r.httpStatus == 200 && r.latencyMs == 9)
        #expect(sender.sent.map(\.path) == ["/announce", "/locked", "/approval"])
        #expect(sender.sent.map(bodyText) == [#"{"on":true}"#, #"{"on":true}"#, #"{"on":false}"#])
    }

    @Test("a refusal after one setting took stops the rest and says what was applied and what was not sent")
    func partlyApplied() async throws {
        let sender = ScriptedSender(answer(200, "true"), answer(403, "{}"), answer(200, "true"))
        let r = try await gateway(PerSettingCodec(), sender).setSettings(GroupSettings(announce: true, locked: true, approval: true), session: "s", group: Self.group)
        #expect(sender.sent.count == 2)
        guard case .failed(.forbidden(let words?)) = r.outcome else { Issue.record("\(r.outcome)"); return }
        #expect(words.contains("applied before this: only admins send") && words.contains("not sent: approval for new members"))
        #expect(r.httpStatus == 403)
        // Still a forbidden: the operation stops as it would for any forbidden.
        #expect(r.outcome.reason?.contains("forbidden") == true)
        // The first request refused: nothing applied, the error as it is.
        let first = ScriptedSender(answer(403, "{}"))
        let alone = try await gateway(PerSettingCodec(), first).setSettings(GroupSettings(announce: true), session: "s", group: Self.group)
        #expect(alone.outcome == .failed(.forbidden(nil)))
        // A step the gateway answers false: refused, with the note.
        let no = ScriptedSender(answer(200, "true"), answer(200, "false"))
        let refused = try await gateway(PerSettingCodec(), no).setSettings(GroupSettings(announce: true, locked: true), session: "s", group: Self.group)
        #expect(refused.outcome == .refused("answered false (applied before this: only admins send)"))
    }

    @Test("an unreadable 2xx is a failure of unknown effect, never sent again here; no answer is the target's failure")
    func unknownEffects() async throws {
        let cut = ScriptedSender(answer(200, #"{"succ"#))
        let r = try await gateway(PerSettingCodec(), cut).setSettings(GroupSettings(locked: false), session: "s", group: Self.group)
        #expect(failureKind(r.outcome) == "undecodable" && cut.sent.count == 1)
        let dropped = ScriptedSender([.failure(.transport("the connection dropped before the answer"))])
        let sent = try await gateway(PerSettingCodec(), dropped).sendText(session: "s", to: Self.person, text: "You were removed")
        #expect(sent.outcome == .failed(.transport("the connection dropped before the answer")) && dropped.sent.count == 1)
        #expect(Executor.effectUnknown(.transport("the connection dropped before the answer")))
        let text = ScriptedSender(answer(200, "<html>proxy</html>"))
        #expect(failureKind(try await gateway(PerSettingCodec(), text).sendText(session: "s", to: Self.group, text: "hi").outcome) == "undecodable")
    }

    @Test("what cannot be attempted throws, and nothing is sent: an empty change or text, a setting the dialect cannot set, no join requests")
    func nothingAttempted() async {
        let sender = ScriptedSender()
        let gw = gateway(PerSettingCodec(), sender)
        await #expect(throws: GatewayError.validation("the change names no setting")) {
            try await gw.setSettings(GroupSettings(), session: "s", group: Self.group)
        }
        do {
            _ = try await gw.setSettings(GroupSettings(announce: true, adminsAdd: true), session: "s", group: Self.group)
            Issue.record("expected notPossible")
        } catch {
            guard case .notPossible(let m) = error else { Issue.record("\(error)"); return }
            #expect(m.contains("cannot set: only admins add members") && !m.contains("only admins send"))
        }
        await #expect(throws: GatewayError.validation("the message is empty")) { try await gw.sendText(session: "s", to: Self.person, text: "  \n") }
        await #expect(throws: GatewayError.self) { try await gw.joinRequests(session: "s", group: Self.group) }
        await #expect(throws: GatewayError.self) { try await gw.answerJoinRequest(approve: true, session: "s", group: Self.group, requester: Self.person) }
        #expect(sender.sent.isEmpty)
    }

    @Test("settings: each read merged; a read whose route the server lacks leaves its setting unknown")
    func settingsReads() async throws {
        let both = ScriptedSender(answer(200, #"{"on":true}"#), answer(200, #"{"on":false}"#))
        #expect(try await gateway(PerSettingCodec(), both).settings(session: "s", group: Self.group) == GroupSettings(announce: true, locked: false))
        // The test codec's error never says "no such route"; a 404 of the API is thrown.
        let missing = ScriptedSender(answer(200, #"{"on":true}"#), answer(404, "{}"))
        await #expect(throws: GatewayError.notFound("group")) { try await gateway(PerSettingCodec(), missing).settings(session: "s", group: Self.group) }
    }

    @Test("an invite link is read; an answer it cannot read names its size, never its body")
    func inviteSecrecy() async throws {
        let ok = ScriptedSender(answer(200, #"{"invite":"https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv"}"#))
        #expect(try await gateway(PerSettingCodec(), ok).inviteLink(session: "s", group: Self.group).code == "AbCdEfGhIjKlMnOpQrStUv")
        let cut = ScriptedSender(answer(200, #"{"invite":"https://chat.whatsapp.com/AbCdEfGhIj"#))
        do {
            _ = try await gateway(PerSettingCodec(), cut).inviteLink(session: "s", group: Self.group)
            Issue.record("expected undecodable")
        } catch {
            #expect(V1DialectTests.kindName(error) == "undecodable" && !error.message.contains("AbCdEf") && error.message.contains("not shown"))
        }
        let reset = ScriptedSender(answer(200, #"{"invite":"https://chat.whatsapp.com/ZyXw"#))
        let r = try await gateway(PerSettingCodec(), reset).resetInviteLink(session: "s", group: Self.group)
        #expect(failureKind(r.outcome) == "undecodable" && r.outcome.reason?.contains("ZyXw") == false)
        let done = ScriptedSender(answer(200, #"{"invite":"https://chat.whatsapp.com/New0Code"}"#))
        #expect(try await gateway(PerSettingCodec(), done).resetInviteLink(session: "s", group: Self.group).outcome == .done)
    }

    @Test("the note of a partial change goes where the error has words, and leaves a transport failure's words alone")
    func noting() {
        #expect(AdminShapes.noting(.forbidden(nil), "x") == .forbidden("x"))
        #expect(AdminShapes.noting(.notConnected("offline"), "x") == .notConnected("offline; x"))
        #expect(AdminShapes.noting(.transport("connection refused"), "x") == .transport("connection refused"))
        #expect(AdminShapes.noting(.rateLimited(retryAfter: 3), "x") == .rateLimited(retryAfter: 3))
        #expect(AdminShapes.partly(.done, applied: [.announce], notSent: []) == .done)
        #expect(AdminShapes.partly(.failed(.server(status: 502, message: nil)), applied: [], notSent: []) == .failed(.server(status: 502, message: nil)))
    }

    @Test("invite answers: a JSON string, raw text, a link under a key; a bool or an HTML page is no code")
    func inviteShapes() throws {
        #expect(try AdminShapes.inviteLink(answer(200, #""AbC123""#), keys: []).code == "AbC123")
        #expect(try AdminShapes.inviteLink(answer(200, "AbC123\n", type: "text/html"), keys: []).code == "AbC123")
        #expect(try AdminShapes.inviteLink(answer(200, #"{"data":{"link":"https://chat.whatsapp.com/AbC123?x=1"}}"#), keys: ["link"]).code == "AbC123")
        for body in ["true", "<html><body>502</body></html>", #"{"other":"x"}"#, ""] {
            #expect(throws: GatewayError.self) { try AdminShapes.inviteLink(answer(200, body), keys: ["invite"]) }
        }
    }

    @Test("SHA-256 as FIPS 180-4's examples give it")
    func digest() {
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Digest.sha256Hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // The padding's edges: 55, 56 and 64 bytes.
        #expect(Digest.sha256Hex(String(repeating: "a", count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(Digest.sha256Hex(String(repeating: "a", count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(Digest.sha256Hex(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
