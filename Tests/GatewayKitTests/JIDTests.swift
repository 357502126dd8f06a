import Testing
@testable import GatewayKit

@Suite("JID")
struct JIDTests {
    @Test("user JIDs parse and compare equal across @c.us and @s.whatsapp.net")
    func userForms() throws {
        let a = try JID(parsing: "5511999999999@s.whatsapp.net")
        let b = try JID(parsing: "5511999999999@c.us")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.kind == .user)
        #expect(b.string == "5511999999999@s.whatsapp.net")
        #expect(b.cUs == "5511999999999@c.us")
        #expect(a.phoneNumber == "+5511999999999")
    }

    @Test("phone numbers become user JIDs", arguments: [
        "+5511999999999", "5511999999999", "+55 11 99999-9999", "+55 (11) 99999.9999", " 5511999999999 ",
    ])
    func phones(_ input: String) throws {
        let j = try JID(parsing: input)
        #expect(j == JID(kind: .user, user: "5511999999999"))
    }

    @Test("lid and group ids", arguments: [
        ("205227043110953@lid", JID.Kind.lid, "205227043110953"),
        ("120363041234567890@g.us", .group, "120363041234567890"),
        ("5511999999999-1600000000@g.us", .group, "5511999999999-1600000000"),
        ("5511999999999:12@s.whatsapp.net", .user, "5511999999999"),
        ("5511999999999@S.WHATSAPP.NET", .user, "5511999999999"),
    ])
    func otherKinds(_ input: String, _ kind: JID.Kind, _ user: String) throws {
        let j = try JID(parsing: input)
        #expect(j.kind == kind)
        #expect(j.user == user)
    }

    @Test("malformed ids are refused with a clear message", arguments: [
        "", "   ", "abc", "+55 11 abc", "12345", "1234567890123456", "55a19@s.whatsapp.net", "123456789012345678901@s.whatsapp.net",
        "5511999999999@example.com", "abc@g.us", "1-2-3@g.us", "@g.us", "5511999999999@", "x@lid", "++5511999999999",
    ])
    func malformed(_ input: String) {
        #expect(throws: JIDError.self) { try JID(parsing: input) }
        do { _ = try JID(parsing: input) } catch {
            #expect(error.description.contains("is not a WhatsApp id"))
            #expect(error.description.contains("@g.us"))
        }
    }

    @Test("member and group parsing refuse the wrong kind")
    func kinds() throws {
        #expect(throws: JIDError.self) { try JID.member("120363041234567890@g.us") }
        #expect(throws: JIDError.self) { try JID.group("5511999999999") }
        #expect(try JID.member("205227043110953@lid").kind == .lid)
        #expect(try JID.group("120363041234567890@g.us").isGroup)
    }

    @Test("lenient parsing returns nil for junk and empty values")
    func lenient() {
        #expect(JID.lenient(nil) == nil)
        #expect(JID.lenient("") == nil)
        #expect(JID.lenient("not a jid") == nil)
        #expect(JID.lenient("123456789@c.us") == JID(kind: .user, user: "123456789"))
    }

    @Test("participants match by phone JID or by @lid")
    func participantMatch() throws {
        let p = Participant(phone: try JID(parsing: "5511988887777"), lid: try JID(parsing: "99887766@lid"), name: "Ana", role: .admin)
        #expect(p.matches(try JID(parsing: "5511988887777@c.us")))
        #expect(p.matches(try JID(parsing: "99887766@lid")))
        #expect(!p.matches(try JID(parsing: "5511988887778")))
        #expect(p.id.kind == .user)
        let hidden = Participant(phone: nil, lid: try JID(parsing: "42424242@lid"), name: nil, role: .member)
        #expect(hidden.id.kind == .lid)
        #expect(hidden.numberText == "42424242@lid")
    }

    @Test("JIDs encode as their canonical string and decode from any form")
    func codable() throws {
        let j = try JID(parsing: "5511999999999@c.us")
        let data = try JSONEncoder().encode([j])
        #expect(String(decoding: data, as: UTF8.self) == "[\"5511999999999@s.whatsapp.net\"]")
        let back = try JSONDecoder().decode([JID].self, from: Data("[\"5511999999999@c.us\"]".utf8))
        #expect(back == [j])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([JID].self, from: Data("[\"nope\"]".utf8)) }
    }

    /// Canonical ids are read from their bytes; a space in front sends the same text the
    /// long way (trimmed first). Both must give the same id, or the same refusal.
    @Test("the byte-level reading of canonical ids agrees with the long way", arguments: [
        "5511999999999@s.whatsapp.net", "5511999999999@c.us", "1@c.us", "12345678901234567890@c.us", "123456789012345678901@c.us",
        "99887766@lid", "123456789012345678901234@lid", "1234567890123456789012345@lid",
        "120363000000000856@g.us", "5511999999999-1600000000@g.us", "-1@g.us", "1-@g.us", "1--2@g.us", "1-2-3@g.us",
        "@g.us", "@c.us", "12a@c.us", "1-2@c.us", "1@G.US", "1@example.com", "1@@c.us", "1@c.us@g.us",
        String(repeating: "1", count: 40) + "@g.us", String(repeating: "1", count: 41) + "@g.us",
    ])
    func canonicalAgrees(_ text: String) {
        let quick = Result { () throws(JIDError) -> JID in try JID(parsing: text) }
        let long = Result { () throws(JIDError) -> JID in try JID(parsing: " " + text) }
        switch (quick, long) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
            #expect(a.kind == b.kind)
            #expect(a.user == b.user)
        case (.failure, .failure): break
        default: Issue.record("\(text): \(quick) the quick way, \(long) the long way")
        }
    }
}

import Foundation
