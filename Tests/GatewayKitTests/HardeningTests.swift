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

    @Test("rows that name no target are not handed out by position when more than one is left")
    func noPositionalGuessing() {
        let a = JID(kind: .user, user: "5511900000012"), b = JID(kind: .user, user: "5511900000013")
        let rows = [WAHADecode.Row(ids: [JID(kind: .lid, user: "1")], code: 403), WAHADecode.Row(ids: [JID(kind: .lid, user: "2")], code: 200)]
        let r = WAHADecode.results(.remove, targets: [a, b], rows: rows, response(200, "[]"))
        #expect(r.allSatisfy { if case .refused = $0.outcome { true } else { false } }, "\(r)")
        // One and one: the row is theirs.
        let one = WAHADecode.results(.remove, targets: [a], rows: [rows[1]], response(200, "[]"))
        #expect(one.first?.outcome == .done)
    }

    @Test("a WUTS promote whose row still shows a member is not done")
    func wutsContradiction() throws {
        let body = #"{"success":true,"participants":[{"jid":"5511900000012@s.whatsapp.net","is_admin":false,"is_super_admin":false}]}"#
        let r = response(200, body)
        let rows = try WUTSDecode.rows(r, action: .promote).get()
        let out = WAHADecode.results(.promote, targets: [JID(kind: .user, user: "5511900000012")], rows: rows, r)
        guard case .refused(let why)? = out.first?.outcome else { Issue.record("\(out)"); return }
        #expect(why.contains("not promoted"))
        let removed = WAHADecode.results(.remove, targets: [JID(kind: .user, user: "5511900000012")], rows: try WUTSDecode.rows(r, action: .remove).get(), r)
        #expect(removed.first?.outcome == .done)
    }
}
