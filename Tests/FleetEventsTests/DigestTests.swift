import Foundation
import Testing
import GatewayKit

/// The digests the webhook signatures rest on, against the standards' vectors and WAHA's own
/// documented example.
@Suite struct DigestTests {
    private func hex(_ s: String) -> String { Digest.hex(Digest.hash(.sha256, Array(s.utf8))) }

    @Test func sha2OfKnownMessages() {
        // FIPS 180-2 appendix examples.
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.hex(Digest.hash(.sha512, Array("abc".utf8)))
            == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        // Two blocks (56 and 112 bytes of message cross the padding boundary).
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Digest.hex(Digest.hash(.sha512, Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)))
            == "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
    }

    @Test func hmacRFC4231() {
        // Test case 2.
        let data = Array("what do ya want for nothing?".utf8)
        #expect(Digest.hex(Digest.hmac(.sha256, key: "Jefe", message: data)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Digest.hex(Digest.hmac(.sha512, key: "Jefe", message: data))
            == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        // Test case 6: a key longer than the block is hashed first.
        let key = [UInt8](repeating: 0xaa, count: 131)
        let long = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(Digest.hex(Digest.hmac(.sha256, key: key, message: long)) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(Digest.hex(Digest.hmac(.sha512, key: key, message: long))
            == "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")
    }

    @Test func wahaDocumentedWebhookHMAC() {
        // https://waha.devlike.pro/docs/how-to/events/ "HMAC authentication": this body, this
        // key, sha512, this X-Webhook-Hmac.
        let body = Array(#"{"event":"message","session":"default","engine":"WEBJS"}"#.utf8)
        #expect(Digest.hex(Digest.hmac(.sha512, key: "my-secret-key", message: body))
            == "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89")
    }

    @Test func hexAndBase64URLRoundTripAndRefuseJunk() {
        let bytes: [UInt8] = [0, 1, 0xfe, 0xff, 0x7f]
        #expect(Digest.bytes(hex: Digest.hex(bytes)) == bytes)
        #expect(Digest.bytes(hex: "ABCDEF") == [0xab, 0xcd, 0xef])
        #expect(Digest.bytes(hex: "abc") == nil)
        #expect(Digest.bytes(hex: "zz") == nil)
        #expect(Digest.bytes(base64URL: Digest.base64URL(bytes)) == bytes)
        #expect(Digest.bytes(base64URL: "a+b/") == nil)
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(Digest.constantTimeEqual("secret", "secret"))
        #expect(!Digest.constantTimeEqual("secret", "secreT"))
        #expect(!Digest.constantTimeEqual("secret", "secret2"))
        #expect(!Digest.constantTimeEqual("", "x"))
        #expect(Digest.constantTimeEqual([UInt8](), []))
    }
}
