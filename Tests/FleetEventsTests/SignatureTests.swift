import Foundation
import Testing
import FleetEvents
import GatewayKit

/// Webhook proofs, each good, bad and missing.
@Suite struct SignatureTests {
    let body = Array(#"{"event":"message","session":"default","engine":"WEBJS"}"#.utf8)
    let documented = "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89"

    private func verify(_ d: Dialect, _ headers: [String: String], path: String = "/", secret: String = "my-secret-key",
                        body: [UInt8]? = nil, now: Date = Date()) -> Result<WebhookProof, WebhookRefusal> {
        WebhookVerification.verify(d, body: body ?? self.body, headers: headers, path: path, secret: secret, now: now)
    }

    @Test func wahaHMACFromItsDocumentedExample() {
        #expect(verify(.waha, ["X-Webhook-Hmac": documented, "X-Webhook-Hmac-Algorithm": "sha512"]) == .success(.wahaHMAC))
        // Header names in any case; upper-case hex.
        #expect(verify(.waha, ["x-webhook-hmac": documented.uppercased()]) == .success(.wahaHMAC))
    }

    @Test func wahaHMACBadOrMissing() {
        var tampered = body
        tampered[3] ^= 1
        guard case .failure(.badSignature) = verify(.waha, ["X-Webhook-Hmac": documented], body: tampered) else {
            Issue.record("a changed body passed"); return
        }
        guard case .failure(.badSignature) = verify(.waha, ["X-Webhook-Hmac": documented], secret: "another-key") else {
            Issue.record("another key passed"); return
        }
        guard case .failure(.badSignature) = verify(.waha, ["X-Webhook-Hmac": "zz" + documented.dropFirst(2)]) else {
            Issue.record("junk hex passed"); return
        }
        guard case .failure(.badSignature) = verify(.waha, ["X-Webhook-Hmac": documented, "X-Webhook-Hmac-Algorithm": "md5"]) else {
            Issue.record("an unknown algorithm passed"); return
        }
        guard case .failure(.missing) = verify(.waha, [:]) else { Issue.record("an unsigned webhook passed"); return }
    }

    @Test func sharedSecretHeaderInEveryDialect() {
        for d in [Dialect.waha, .wawp, .wuts, .evolution] {
            #expect(verify(d, ["X-Wamod-Secret": "my-secret-key"]) == .success(.sharedHeader), "\(d)")
            guard case .failure(.badSignature) = verify(d, ["X-Wamod-Secret": "my-secret-kez"]) else { Issue.record("\(d)"); continue }
            guard case .failure(.badSignature) = verify(d, ["X-Wamod-Secret": ""]) else { Issue.record("\(d) empty"); continue }
        }
        guard case .failure(.missing) = verify(.wuts, [:]) else { Issue.record("WUTS without the header passed"); return }
    }

    @Test func evolutionJWT() {
        let now = Date()
        let good = WebhookVerification.evolutionJWT(secret: "my-secret-key", now: now)
        #expect(verify(.evolution, ["Authorization": "Bearer " + good], now: now) == .success(.evolutionJWT))
        let other = WebhookVerification.evolutionJWT(secret: "another", now: now)
        guard case .failure(.badSignature) = verify(.evolution, ["Authorization": "Bearer " + other], now: now) else {
            Issue.record("another key's JWT passed"); return
        }
        // Ten minutes of life, and two of leeway: an hour later it has expired.
        #expect(verify(.evolution, ["Authorization": "Bearer " + good], now: now.addingTimeInterval(3600)) == .failure(.expired))
        guard case .failure(.badSignature) = verify(.evolution, ["Authorization": "Bearer not.a.jwt!"], now: now) else {
            Issue.record("junk passed"); return
        }
        // alg none is refused whatever it claims.
        let none = Digest.base64URL(Array(#"{"alg":"none"}"#.utf8)) + "." + Digest.base64URL(Array("{}".utf8)) + "."
        guard case .failure(.badSignature) = verify(.evolution, ["Authorization": "Bearer " + none], now: now) else {
            Issue.record("alg none passed"); return
        }
        guard case .failure(.missing) = verify(.evolution, [:]) else { Issue.record("no token passed"); return }
    }

    @Test func wawpSecretInThePath() {
        #expect(verify(.wawp, [:], path: "/hook/my-secret-key") == .success(.pathSecret))
        #expect(verify(.wawp, [:], path: "/hook/my%2Dsecret%2Dkey") == .success(.pathSecret))
        guard case .failure(.missing) = verify(.wawp, [:], path: "/hook/my-secret") else { Issue.record("a wrong path passed"); return }
        // Another dialect does not take the path.
        guard case .failure = verify(.wuts, [:], path: "/hook/my-secret-key") else { Issue.record("WUTS took a path secret"); return }
    }

    @Test func refusalsNeverShowTheSecretAndNoSecretRefusesAll() {
        guard case .failure(let why) = verify(.waha, ["X-Webhook-Hmac": documented], secret: "s3cr3t-value") else { return }
        #expect(!why.description.contains("s3cr3t-value"))
        guard case .failure = verify(.waha, ["X-Wamod-Secret": ""], secret: "") else { Issue.record("an empty secret let one in"); return }
    }
}
