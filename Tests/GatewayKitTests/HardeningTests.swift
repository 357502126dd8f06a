import Foundation
import Testing
@testable import GatewayKit

/// Answers a gateway should never send, and secrets a gateway might echo.
@Suite("hostile answers")
struct HardeningTests {
    @Test("an absurd Retry-After is capped or refused, and its message never traps", arguments: ["1e20", "inf", "nan", "-5", "9999999999999999999999"])
    func retryAfter(_ value: String) {
        let s = HTTPTransport.parseRetryAfter(value)
        if let s { #expect(s.isFinite && s >= 0 && s <= 86_400) }
        #expect(!GatewayError.rateLimited(retryAfter: .infinity).message.isEmpty)
        #expect(!GatewayError.rateLimited(retryAfter: 1e20).message.isEmpty)
    }

    @Test("secrets echoed as JSON members or query pairs are masked in excerpts")
    func excerptsAreScrubbed() {
        let body = #"{"error":"bad","access_token":"s3cr3t-value","apikey": "k3y","note":"instance_id=abc&x=1"}"#
        let e = GatewayError.excerpt(Data(body.utf8), limit: 500)
        #expect(!e.contains("s3cr3t-value") && !e.contains("k3y") && !e.contains("instance_id=abc"))
        #expect(e.contains("\"error\":\"bad\""))
    }

    @Test("a row is the target's by id, never by position: several rows naming others, or one naming another phone, are not its")
    func noPositionalGuessing() {
        let a = JID(kind: .user, user: "5511900000012"), b = JID(kind: .user, user: "5511900000013")
        let rows = [WAHADecode.Row(ids: [JID(kind: .lid, user: "1")], code: 403), WAHADecode.Row(ids: [JID(kind: .lid, user: "2")], code: 200)]
        #expect(MemberRows.outcome(.remove, target: a, rows: rows).kind == "refused")
        #expect(MemberRows.outcome(.remove, target: a, rows: rows).reason?.contains("no row") == true)
        // The answer's only row, naming only an @lid: the one target's.
        #expect(MemberRows.outcome(.remove, target: a, rows: [rows[1]]) == .done)
        // The only row, naming someone else's phone: not the target's.
        #expect(MemberRows.outcome(.remove, target: a, rows: [WAHADecode.Row(ids: [b], code: 200)]).reason?.contains("no row") == true)
        // Its own row wins over a row before it.
        #expect(MemberRows.outcome(.remove, target: a, rows: [WAHADecode.Row(ids: [b], code: 403), WAHADecode.Row(ids: [a], code: 200)]) == .done)
    }

    @Test("a WUTS promote whose row still shows a member is not done")
    func wutsContradiction() throws {
        let body = #"{"success":true,"participants":[{"jid":"5511900000012@s.whatsapp.net","is_admin":false,"is_super_admin":false}]}"#
        let r = response(200, body)
        let rows = try WUTSDecode.rows(r, action: .promote).get()
        let out = MemberRows.outcome(.promote, target: JID(kind: .user, user: "5511900000012"), rows: rows)
        guard case .refused(let why) = out else { Issue.record("\(out)"); return }
        #expect(why.contains("not promoted"))
        let removed = MemberRows.outcome(.remove, target: JID(kind: .user, user: "5511900000012"), rows: try WUTSDecode.rows(r, action: .remove).get())
        #expect(removed == .done)
    }
}
