import CNCursesW
import Console
@testable import ConsoleTerminal
import Testing

@Suite("Key decoding")
struct KeyDecoderTests {
    private func key(_ c: UInt32) -> InputEvent? { KeyDecoder.decode(.character(c)) }
    private func code(_ c: Int32) -> InputEvent? { KeyDecoder.decode(.keyCode(c)) }

    @Test func printableCharactersIncludingFullUnicode() {
        #expect(key(0x61) == .key(.char("a")))
        #expect(key(0x20) == .key(.char(" ")))
        #expect(key(0x51) == .key(.char("Q")))
        #expect(key(0xE3) == .key(.char("ã")))
        #expect(key(0x5BA2) == .key(.char("客")))
        #expect(key(0x1F389) == .key(.char("🎉")))
    }

    @Test func controlCharacters() {
        #expect(key(1) == .key(.ctrl("a")))
        #expect(key(3) == .key(.ctrl("c")))
        #expect(key(26) == .key(.ctrl("z")))
        #expect(key(9) == .key(.tab))
        #expect(key(13) == .key(.enter))
        #expect(key(10) == .key(.enter))
        #expect(key(27) == .key(.escape))
        #expect(key(127) == .key(.backspace))
        #expect(key(8) == .key(.backspace))
        #expect(key(28) == .key(.ctrl("\\")))
        #expect(key(0x85) == nil) // C1 control, never printable
        #expect(key(0xD800) == nil) // not a scalar
    }

    @Test func cursesKeyCodesHaveTheirUsualValues() {
        // The shim must hand out ncurses' real codes (octal in curses.h).
        #expect(wamod_key_up() == 0o403)
        #expect(wamod_key_btab() == 0o541)
        #expect(wamod_key_resize() == 0o632)
        #expect(wamod_key_f(1) == 0o411)
        #expect(wamod_key_code_yes() == 0o400)
    }

    @Test func namedKeys() {
        #expect(code(0o403) == .key(.up))
        #expect(code(0o402) == .key(.down))
        #expect(code(0o404) == .key(.left))
        #expect(code(0o405) == .key(.right))
        #expect(code(0o523) == .key(.pageUp))
        #expect(code(0o522) == .key(.pageDown))
        #expect(code(0o406) == .key(.home))
        #expect(code(0o550) == .key(.end))
        #expect(code(0o407) == .key(.backspace))
        #expect(code(0o512) == .key(.delete))
        #expect(code(0o541) == .key(.backTab))
        #expect(code(0o527) == .key(.enter))
        #expect(code(0o632) == .resize)
    }

    @Test func functionKeysOneToTwelve() {
        for n in 1...12 {
            #expect(code(wamod_key_f(Int32(n))) == .key(.function(n)))
        }
        #expect(code(wamod_key_f(0)) == nil)
        #expect(code(wamod_key_f(13)) == nil) // Shift-F1 on xterm: not bound
        #expect(code(wamod_key_mouse()) == nil)
    }
}
