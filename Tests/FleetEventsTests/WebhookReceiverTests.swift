import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import FleetEvents
import FleetIndex
import GatewayKit
import GatewaySim
import TestSupport

/// `wamod listen`'s receiver: the emulator's webhooks into the index, and everything refused.
@Suite struct WebhookReceiverTests {
    let team = TinyFixture.teamAlpha
    let alpha = TinyFixture.alpha
    let secret = "listen-secret-0123456789"

    private func withReceiver(_ dialect: Dialect, _ store: FleetStore, session: String? = nil,
                              _ body: (WebhookReceiver, URL) async throws -> Void) async throws {
        let receiver = try WebhookReceiver(dialect: dialect, store: store, secret: secret, port: 0, defaultSession: session)
        let url = try await receiver.start()
        do { try await body(receiver, url) } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    @Test(arguments: [Dialect.waha, .wawp, .evolution, .wuts])
    func theEmulatorsWebhooksLandInTheIndex(_ dialect: Dialect) async throws {
        try await withStore { store in
            try await withReceiver(dialect, store) { receiver, url in
                try await withEventHarness(dialect) { h in
                    let hook = dialect == .wawp ? url.appendingPathComponent("hook/\(secret)") : url.appendingPathComponent("hook")
                    h.sim.addWebhook(SimWebhook(url: hook, secret: secret))
                    // Someone joins by the link, through the admin view.
                    _ = try h.world.rehearse(session: alpha, group: team, add: [TinyFixture.outsider], via: .invite)
                    let got = try await next(receiver.received, "the webhook") { !$0.events.isEmpty }
                    #expect(got.events.map(\.kind) == [.joined])
                    #expect(got.rows.count == 1)
                    // The session as the dialect names it: WAHA by its name (the label).
                    let people = try store.participants(session: dialect == .waha ? TinyFixture.alphaLabel : alpha, group: team)
                    let joined = try #require(people.first { $0.participant.matches(TinyFixture.outsider) })
                    #expect(!joined.baseline)
                    #expect(joined.joinedVia == .invite)
                    // Kept for other processes to follow.
                    let kept = try store.events(after: 0)
                    #expect(kept.map(\.event.kind) == [.joined])
                    #expect(receiver.counts.accepted == 1)
                }
            }
        }
    }

    @Test func theHeartbeatSaysAliveThenStopped() async throws {
        try await withStore { store in
            let receiver = try WebhookReceiver(dialect: .wuts, store: store, secret: secret, port: 0)
            let url = try await receiver.start()
            let beat = try #require(ListenerHeartbeat.read(store))
            #expect(beat.dialect == .wuts)
            #expect(beat.isAlive(staleAfter: 30))
            #expect(url.port.map { beat.address.hasSuffix(":\($0)") } == true)
            await receiver.stop()
            let last = try #require(ListenerHeartbeat.read(store))
            #expect(last.stopped)
            #expect(!last.isAlive(staleAfter: 30))
        }
    }

    @Test func unsignedBadlySignedOversizedAndBrokenAreRefused() async throws {
        try await withStore { store in
            try await withReceiver(.waha, store) { receiver, url in
                let body = #"{"event":"group.v2.participants","session":"s","payload":{"type":"join","group":{"id":"1@g.us"},"participants":["5511222@c.us"]}}"#
                func post(_ text: String, headers: [String: String]) async throws -> Int {
                    var request = URLRequest(url: url.appendingPathComponent("hook"))
                    request.httpMethod = "POST"
                    request.httpBody = Data(text.utf8)
                    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
                    let (_, response) = try await makeSession().data(for: request)
                    return (response as? HTTPURLResponse)?.statusCode ?? 0
                }
                let good = Digest.hex(Digest.hmac(.sha512, key: secret, message: Array(body.utf8)))
                let bad = Digest.hex(Digest.hmac(.sha512, key: "not-the-secret", message: Array(body.utf8)))
                #expect(try await post(body, headers: [:]) == 401)
                #expect(try await post(body, headers: ["X-Webhook-Hmac": bad]) == 401)
                #expect(try await post(body, headers: ["X-Wamod-Secret": "wrong"]) == 401)
                #expect(try await post(String(repeating: " ", count: EventDecoding.maxBody + 10), headers: [:]) == 413)
                let cut = String(body.prefix(30))
                #expect(try await post(cut, headers: ["X-Webhook-Hmac": Digest.hex(Digest.hmac(.sha512, key: secret, message: Array(cut.utf8)))]) == 400)
                #expect(try store.events(after: 0).isEmpty)
                #expect(try await post(body, headers: ["X-Webhook-Hmac": good]) == 200)
                #expect(try store.events(after: 0).count == 1)
                #expect(receiver.counts.refused == 5)
                let get = try await send("GET", url, "/hook", token: nil)
                #expect(get.status == 405)
                // No refusal repeats a secret.
                let refusal = try await send("POST", url, "/hook", token: secret, header: "X-Wamod-Secret-Typo", json: ["event": "x"])
                #expect(refusal.status == 401)
                #expect(!refusal.text.contains(secret))
            }
        }
    }

    @Test func anEventTheConsoleDoesNotFollowIsAcceptedAndKeptNowhere() async throws {
        try await withStore { store in
            try await withReceiver(.evolution, store) { receiver, url in
                let answer = try await send("POST", url, "/hook/messages-upsert", token: secret, header: "X-Wamod-Secret",
                                            json: ["event": "messages.upsert", "instance": "i", "data": ["key": ["id": "x"]]])
                #expect(answer.status == 200)
                #expect(try store.events(after: 0).isEmpty)
                #expect(receiver.counts.accepted == 1)
            }
        }
    }

    @Test func noSecretNoReceiver() async throws {
        try await withStore { store in
            #expect(throws: WebhookReceiverError.self) { _ = try WebhookReceiver(dialect: .waha, store: store, secret: "", port: 0) }
        }
    }
}
