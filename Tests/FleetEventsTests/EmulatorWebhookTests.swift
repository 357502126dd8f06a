import Foundation
import Testing
import FleetEvents
import GatewayKit
import GatewaySim
import TestSupport

/// The emulator's webhooks over loopback, in each dialect's shape and signed as its vendor signs.
@Suite struct EmulatorWebhookTests {
    let team = TinyFixture.teamAlpha
    let alpha = TinyFixture.alpha
    let secret = "hook-secret-0123456789"

    /// The path the emulator posts to: Wawp's secret rides in it.
    private func hookURL(_ base: URL, _ d: Dialect) -> URL {
        base.appendingPathComponent(d == .wawp ? "hook/\(secret)" : "hook")
    }

    @Test(arguments: [Dialect.waha, .wawp, .evolution, .wuts])
    func anAPIChangeIsPostedSignedAndDecodes(_ dialect: Dialect) async throws {
        try await withSink { sink, base in
            try await withEventHarness(dialect) { h in
                #expect(h.sim.addWebhook(SimWebhook(url: hookURL(base, dialect), secret: secret)))
                _ = try await h.gateway.apply(.add, session: alpha, group: team, target: TinyFixture.outsider)
                let hook = try await next(sink.requests, "the webhook")
                #expect(hook.method == "POST")
                #expect(hook.header("Content-Type")?.hasPrefix("application/json") == true)
                // Signed as the vendor signs, and the client's check takes it.
                let proof = WebhookVerification.verify(dialect, body: Array(hook.body), headers: hook.headers, path: hook.path, secret: secret)
                let expected: WebhookProof = switch dialect {
                case .waha: .wahaHMAC
                case .evolution: .evolutionJWT
                case .wawp: .pathSecret
                default: .sharedHeader
                }
                #expect(proof == .success(expected))
                if dialect == .waha { #expect(hook.header("X-Webhook-Hmac-Algorithm") == "sha512") }
                let events = try EventDecoding.decode(dialect, body: hook.body)
                #expect(events.map(\.kind) == [.joined])
                #expect(events.first?.participants.first?.matches(TinyFixture.outsider) == true)
                #expect(events.first?.session == (dialect == .waha ? TinyFixture.alphaLabel : alpha))
                #expect(events.first?.group == team)
            }
        }
    }

    @Test(arguments: [Dialect.waha, .evolution, .wuts, .wawp])
    func aChangeThroughTheAdminViewIsPostedToo(_ dialect: Dialect) async throws {
        try await withSink { sink, base in
            try await withEventHarness(dialect) { h in
                // The webhook added over the admin view, as a rehearsal would.
                let added = try await send("POST", h.sim.baseURL, "/_sim/webhooks", token: Harness.token,
                                           json: ["url": hookURL(base, dialect).absoluteString, "secret": secret, "proof": "header"])
                #expect(added.status == 200)
                let changed = try await send("POST", h.sim.baseURL, "/_sim/participants", token: Harness.token,
                                             json: ["session": alpha, "group": team.string, "remove": [TinyFixture.plainMembers[1].string],
                                                    "by": TinyFixture.otherAdmin.string])
                #expect(changed.status == 200)
                #expect((changed.object["removed"] as? [String]) == [TinyFixture.plainMembers[1].string])
                let hook = try await next(sink.requests, "the webhook")
                #expect(hook.header("X-Wamod-Secret") == secret)
                let e = try #require(try EventDecoding.decode(dialect, body: hook.body).first)
                #expect(e.kind == .left)
                #expect(e.by == TinyFixture.otherAdmin)
                // The admin view shows the webhook's destination, never its path or secret.
                let status = try await send("GET", h.sim.baseURL, "/_sim/webhooks", token: Harness.token)
                #expect(!status.text.contains(secret))
                #expect(!status.text.contains("/hook"))
                let sim = h.sim
                try await eventually("the delivery to be counted") { sim.webhookStatus().first?.delivered == 1 }
            }
        }
    }

    @Test func aDeadReceiverNeitherBlocksNorBreaksTheEmulator() async throws {
        try await withHarness(.waha) { h in
            // Nothing listens on port 9 of loopback (discard): every delivery fails at once.
            h.sim.addWebhook(SimWebhook(url: URL(string: "http://127.0.0.1:9/hook")!, secret: secret))
            for target in TinyFixture.plainMembers.prefix(3) {
                let r = try await h.gateway.apply(.promote, session: alpha, group: team, target: target)
                #expect(r.outcome == .done)
            }
            let sim = h.sim
            try await eventually("the failures to be counted") { sim.webhookStatus().first?.failed == 3 }
            #expect(h.sim.webhookStatus().first?.lastError?.contains("not delivered") == true)
        }
    }

    @Test func aReceiverAnsweringErrorsIsCountedNotRetriedForever() async throws {
        try await withSink(status: 500) { sink, base in
            try await withHarness(.evolution) { h in
                h.sim.addWebhook(SimWebhook(url: base.appendingPathComponent("hook"), secret: secret))
                _ = try await h.gateway.apply(.add, session: alpha, group: team, target: TinyFixture.outsider)
                _ = try await next(sink.requests, "the webhook")
                let sim = h.sim
                try await eventually("the failure to be counted") { sim.webhookStatus().first?.failed == 1 }
                #expect(h.sim.webhookStatus().first?.lastError == "answered 500")
            }
        }
    }

    @Test func dialectsWithoutWebhooksHaveNoWebhookRoute() async throws {
        for dialect in [Dialect.v1, .wasend] {
            try await withEventHarness(dialect) { h in
                #expect(!h.sim.addWebhook(SimWebhook(url: URL(string: "http://127.0.0.1:9/")!)))
                let answer = try await send("POST", h.sim.baseURL, "/_sim/webhooks", token: Harness.token, json: ["url": "http://127.0.0.1:9/"])
                #expect(answer.status == 404)
                #expect(!h.sim.pushesEvents)
            }
        }
    }

    @Test func rehearsalRoutesRefuseBadInput() async throws {
        try await withHarness(.waha) { h in
            let base = h.sim.baseURL
            #expect(try await send("POST", base, "/_sim/participants", token: Harness.token, json: ["session": alpha]).status == 400)
            #expect(try await send("POST", base, "/_sim/participants", token: Harness.token,
                                   json: ["session": alpha, "group": team.string, "add": ["not a number"]]).status == 400)
            #expect(try await send("POST", base, "/_sim/participants", token: Harness.token,
                                   json: ["session": "nobody", "group": team.string, "add": ["+5511900000050"]]).status == 404)
            #expect(try await send("POST", base, "/_sim/participants", token: Harness.token,
                                   json: ["session": alpha, "group": team.string, "add": ["+5511900000050"], "via": "teleport"]).status == 400)
            #expect(try await send("POST", base, "/_sim/webhooks", token: Harness.token, json: ["url": "ftp://x/"]).status == 400)
            #expect(try await send("POST", base, "/_sim/group", token: Harness.token,
                                   json: ["session": alpha, "group": team.string, "announce": "yes"]).status == 400)
            // The creator cannot be removed, by anyone.
            let creator = try await send("POST", base, "/_sim/participants", token: Harness.token,
                                         json: ["session": alpha, "group": team.string, "remove": [TinyFixture.creator.string]])
            #expect(creator.status == 200)
            #expect((creator.object["skipped"] as? [[String: Any]])?.first?["why"] as? String == "the group's creator")
            #expect(h.isMember(TinyFixture.creator, of: team))
            // Without the server's token: 401.
            #expect(try await send("POST", base, "/_sim/participants", token: nil,
                                   json: ["session": alpha, "group": team.string, "add": ["+5511900000050"]]).status == 401)
        }
    }
}
