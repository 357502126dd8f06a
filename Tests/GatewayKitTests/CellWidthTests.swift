import Testing
@testable import GatewayKit

@Suite("cell widths")
struct CellWidthTests {
    @Test("widths per grapheme", arguments: [
        ("abc", 3), ("Ação", 4), ("客服", 4), ("🎉", 2), ("👩‍👩‍👧", 2), ("👍🏽", 2), ("🇧🇷", 2),
        ("שלום", 4), ("مرحبا", 5), ("e\u{301}", 1), ("❤️", 2), ("한국", 4),
    ])
    func widths(_ s: String, _ w: Int) {
        #expect(CellWidth.of(s) == w)
    }

    @Test("truncate and fit never split a wide glyph or exceed the width")
    func fit() {
        #expect(CellWidth.truncate("客服支持群", to: 5) == "客服…")
        #expect(CellWidth.of(CellWidth.fit("客服支持群", to: 5)) == 5)
        #expect(CellWidth.fit("ab", to: 4) == "ab  ")
        #expect(CellWidth.fit("ab", to: 4, alignRight: true) == "  ab")
        #expect(CellWidth.truncate("VIP 🎉🎉", to: 6) == "VIP …")
        #expect(CellWidth.truncate("abc", to: 0) == "")
    }

    @Test("control characters and bidi overrides are neutralised")
    func sanitize() {
        #expect(CellWidth.sanitize("a\u{1B}[2Jb") == "a\u{FFFD}[2Jb")
        #expect(CellWidth.sanitize("x\u{202E}y") == "x\u{FFFD}y")
        #expect(CellWidth.sanitize("Ana Souza") == "Ana Souza")
    }
}
