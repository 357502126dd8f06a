import Testing
import WamodModel

/// Masking matches a secret's bytes wherever they are, however the text around them is made.
@Suite("secrets: masked as bytes")
struct SecretsMaskTests {
    // Each test registers its own secret: the list is process-wide and other suites add theirs.
    @Test("every occurrence, at the start, inside and at the end, is masked; other text is kept")
    func everyOccurrence() {
        let secret = "mask-bytes-7Qz91xT"
        Secrets.register(secret)
        #expect(Secrets.mask("\(secret) in \(secret)") == "*** in ***")
        #expect(Secrets.mask("token=\(secret)") == "token=***")
        #expect(Secrets.mask("\(secret)\(secret)") == "******")
        #expect(Secrets.mask("mask-bytes-7Qz91x") == "mask-bytes-7Qz91x", "a prefix alone is not the secret")
        #expect(Secrets.mask("nothing to hide in this long enough line of text") == "nothing to hide in this long enough line of text")
    }

    @Test("non-ASCII text around the secret, and a combining mark after it, do not hide it")
    func unicodeAround() {
        let secret = "mask-uni-Rk28pWq"
        Secrets.register(secret)
        #expect(Secrets.mask("São Paulo 📦 \(secret) ✓") == "São Paulo 📦 *** ✓")
        // The secret's last letter joined by a combining accent into one character: a
        // character-wise search would not find it; the bytes are still the secret's.
        let masked = Secrets.mask("x\(secret)\u{301}y")
        #expect(!masked.contains("Rk28pWq"))
        #expect(masked.unicodeScalars.map(\.value) == Array("x***".unicodeScalars.map(\.value)) + [0x301, 0x79])
    }

    @Test("its base64 and percent-encoded forms are masked too")
    func encodedForms() {
        let secret = "mask enc/9Ld+"
        Secrets.register(secret)
        let b64 = "bWFzayBlbmMvOUxkKw=="
        #expect(Secrets.mask("Basic \(b64)") == "Basic ***")
        #expect(Secrets.mask("?t=mask%20enc%2F9Ld%2B&x") == "?t=***&x")
    }
}
