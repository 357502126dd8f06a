import Foundation
import GatewayKit

/// How a webhook proved it came from the operator's gateway.
public enum WebhookProof: String, Sendable, Hashable {
    /// WAHA's `X-Webhook-Hmac`: HMAC-SHA512 of the raw body under the session's `hmac.key`.
    case wahaHMAC
    /// Evolution's webhook JWT: `Authorization: Bearer <HS256 JWT>` made from the webhook's
    /// `jwt_key` header setting.
    case evolutionJWT
    /// The shared secret in `X-Wamod-Secret`, sent as a custom header the gateway's webhook
    /// settings let the operator add (WAHA `customHeaders`, Evolution and WUTS `headers`).
    case sharedHeader
    /// The shared secret as a segment of the path the gateway posts to, for a gateway that can
    /// add nothing to its webhooks (Wawp).
    case pathSecret
}

/// Why a webhook was refused (answered 401). Says what was missing or wrong, never a secret.
public enum WebhookRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(String)
    case badSignature(String)
    case expired

    public var description: String {
        switch self {
        case .missing(let what): "not signed: \(what)"
        case .badSignature(let what): "bad signature: \(what)"
        case .expired: "the signature's token has expired"
        }
    }
}

/// Checks that a webhook came from the gateway, the way each vendor documents it, else by the
/// operator's shared secret. Every comparison is in constant time.
///
/// - WAHA: `X-Webhook-Hmac` (hex HMAC of the raw body) with `X-Webhook-Hmac-Algorithm: sha512`
///   (https://waha.devlike.pro/docs/how-to/events/ "HMAC authentication": the session's
///   `config.webhooks[].hmac.key`, or `WHATSAPP_HOOK_HMAC_KEY`); or `X-Wamod-Secret` through
///   its `customHeaders`. WAHA signs only the body: a captured webhook can be replayed, which
///   costs at most a repeated event (the index follows events idempotently).
/// - Evolution: `Authorization: Bearer <JWT>` as its webhook controller makes it from a
///   `jwt_key` in the webhook's `headers` (HS256, `exp` 10 minutes on; evolution-api 2.3.6
///   `webhook.controller.ts`); or `X-Wamod-Secret` in those `headers`.
/// - WUTS: `X-Wamod-Secret` in the webhook's custom `headers` (https://docs.wuts.com.br/webhooks/
///   configureWebhook/). Its `secret` field is documented without saying how deliveries are
///   signed, so it is not relied on.
/// - Wawp: its webhook settings (https://api.wawp.net/en/docs/v2/session/webhook) take only a
///   URL and events, so the secret is a segment of that URL's path (`…/hook/<secret>`); the
///   header is taken too.
public enum WebhookVerification {
    public static let secretHeader = "x-wamod-secret"
    /// How far a JWT's `iat` may be ahead of our clock, and its `exp` behind.
    public static let clockLeeway: TimeInterval = 120

    public static func verify(_ dialect: Dialect, body: [UInt8], headers: [String: String], path: String,
                              secret: String, now: Date = Date()) -> Result<WebhookProof, WebhookRefusal> {
        guard !secret.isEmpty else { return .failure(.missing("no secret is configured")) }
        var lower: [String: String] = [:]
        for (k, v) in headers { lower[k.lowercased()] = v }
        if let given = lower[secretHeader] {
            return Digest.constantTimeEqual(given, secret) ? .success(.sharedHeader) : .failure(.badSignature("X-Wamod-Secret does not match"))
        }
        switch dialect {
        case .waha:
            guard let signature = lower["x-webhook-hmac"] else {
                return .failure(.missing("no X-Webhook-Hmac (set the webhook's hmac.key) and no X-Wamod-Secret"))
            }
            let algorithm = (lower["x-webhook-hmac-algorithm"] ?? "sha512").lowercased()
            guard let algo = Digest.Algorithm(rawValue: algorithm) else {
                return .failure(.badSignature("X-Webhook-Hmac-Algorithm '\(Limits.clamp(algorithm, 16))' is not sha512"))
            }
            let expected = Digest.hmac(algo, key: secret, message: body)
            guard let given = Digest.bytes(hex: signature.trimmingCharacters(in: .whitespaces)),
                  Digest.constantTimeEqual(given, expected)
            else { return .failure(.badSignature("X-Webhook-Hmac does not match the body")) }
            return .success(.wahaHMAC)
        case .evolution:
            guard let auth = lower["authorization"], auth.lowercased().hasPrefix("bearer ") else {
                return .failure(.missing("no Authorization: Bearer (set jwt_key in the webhook's headers) and no X-Wamod-Secret"))
            }
            return verifyJWT(String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces), secret: secret, now: now)
        case .wawp:
            let segments = path.split(separator: "?", maxSplits: 1).first?.split(separator: "/") ?? []
            let decoded = segments.map { $0.removingPercentEncoding ?? String($0) }
            // Every segment is compared, whatever matches, so the time says nothing of which.
            var found = false
            for s in decoded where Digest.constantTimeEqual(s, secret) { found = true }
            return found ? .success(.pathSecret) : .failure(.missing("the webhook's URL has no secret segment (…/hook/<secret>) and no X-Wamod-Secret"))
        case .wuts, .v1, .wasend:
            return .failure(.missing("no X-Wamod-Secret header (add it to the webhook's headers)"))
        }
    }

    /// An HS256 JWT under `secret`, not expired.
    static func verifyJWT(_ token: String, secret: String, now: Date) -> Result<WebhookProof, WebhookRefusal> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 4096,
              let header = Digest.bytes(base64URL: String(parts[0])),
              let claims = Digest.bytes(base64URL: String(parts[1])),
              let signature = Digest.bytes(base64URL: String(parts[2]))
        else { return .failure(.badSignature("the bearer token is not a JWT")) }
        guard let h = (try? JSONSerialization.jsonObject(with: Data(header))) as? [String: Any],
              (h["alg"] as? String) == "HS256"
        else { return .failure(.badSignature("the JWT is not HS256")) }
        let expected = Digest.hmac(.sha256, key: secret, message: Array((parts[0] + "." + parts[1]).utf8))
        guard Digest.constantTimeEqual(signature, expected) else { return .failure(.badSignature("the JWT's signature does not match")) }
        guard let c = (try? JSONSerialization.jsonObject(with: Data(claims))) as? [String: Any] else {
            return .failure(.badSignature("the JWT's claims are not an object"))
        }
        let t = now.timeIntervalSince1970
        if let exp = (c["exp"] as? NSNumber)?.doubleValue, exp + clockLeeway < t { return .failure(.expired) }
        if let iat = (c["iat"] as? NSNumber)?.doubleValue, iat - clockLeeway > t { return .failure(.badSignature("the JWT is issued in the future")) }
        return .success(.evolutionJWT)
    }

    /// A JWT as Evolution makes one for its webhooks (for tests and the emulator's twin).
    public static func evolutionJWT(secret: String, now: Date = Date()) -> String {
        let iat = Int(now.timeIntervalSince1970)
        let header = Digest.base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims = Digest.base64URL(Array(#"{"iat":\#(iat),"exp":\#(iat + 600),"app":"evolution","action":"webhook"}"#.utf8))
        let signature = Digest.base64URL(Digest.hmac(.sha256, key: secret, message: Array((header + "." + claims).utf8)))
        return header + "." + claims + "." + signature
    }
}
