import ConsoleTerminal
import Testing

@Suite("Glyph plan")
struct GlyphPlanTests {
    /// A wcwidth like glibc's in a UTF-8 locale, for the characters used here.
    private static func width(_ u: Unicode.Scalar) -> Int {
        switch u.value {
        case 0x200D, 0xFE0F, 0x301: return 0               // ZWJ, VS16, combining acute
        case 0x5BA2, 0x1F389, 0x1F468, 0x1F469, 0x1F467, 0x1F44D, 0x1F3FD: return 2
        case 0x1F1E7, 0x1F1F7, 0x2764: return 1            // regional indicators, heavy heart
        case 0..<0x20: return -1
        default: return 1
        }
    }

    private static func asciiWidth(_ u: Unicode.Scalar) -> Int { u.value < 0x80 ? (u.value < 0x20 ? -1 : 1) : -1 }

    private func plan(_ s: String, _ w: Int, unicode: Bool = true) -> [[Unicode.Scalar]] {
        GlyphPlan.cells(for: s, width: w, unicode: unicode, wcwidth: unicode ? Self.width : Self.asciiWidth)
    }

    private func columns(_ cells: [[Unicode.Scalar]], unicode: Bool = true) -> Int {
        cells.reduce(0) { $0 + (unicode ? Self.width($1[0]) : Self.asciiWidth($1[0])) }
    }

    @Test func simpleGlyphsAreWrittenAsIs() {
        #expect(plan("a", 1) == [["a"]])
        #expect(plan("客", 2) == [["客"]])
        #expect(plan("🎉", 2) == [["🎉"]])
        #expect(plan("e\u{301}", 1) == [["e", "\u{301}"]]) // base + combining in one cell
    }

    @Test func zwjFamilyKeepsItsFirstMember() {
        let cells = plan("👨‍👩‍👧", 2)
        #expect(cells == [["👨"]])
        #expect(columns(cells) == 2)
    }

    @Test func skinToneKeepsTheBaseEmoji() {
        #expect(plan("👍🏽", 2) == [["👍"]])
    }

    @Test func narrowBaseOfAWideGlyphIsPaddedSoColumnsDoNotShift() {
        // A flag is its two regional indicators, a cell each: both are sent, the terminal
        // draws the flag, and the columns add up.
        let flag = plan("🇧🇷", 2)
        #expect(columns(flag) == 2)
        #expect(flag == [["🇧"], ["🇷"]])
        let heart = plan("❤️", 2)
        #expect(heart == [["❤"], [" "]])
    }

    @Test func disagreementFallsBackToReplacement() {
        // The screen says 1 cell but ncurses counts 2: replacement, one column.
        #expect(plan("客", 1) == [["\u{FFFD}"]])
        // Unprintable in this locale.
        #expect(plan("\u{1}", 1) == [["\u{FFFD}"]])
    }

    @Test func asciiLocaleUsesQuestionMarksAndKeepsWidths() {
        let cjk = plan("客", 2, unicode: false)
        #expect(cjk == [["?"], [" "]])
        #expect(columns(cjk, unicode: false) == 2)
        #expect(plan("é", 1, unicode: false) == [["?"]])
        #expect(plan("a", 1, unicode: false) == [["a"]])
    }

    @Test func tooManyCombiningMarksKeepTheBase() {
        let zalgo = "a" + String(repeating: "\u{301}", count: 8)
        #expect(plan(zalgo, 1) == [["a"]])
    }

    @Test func everyPlanCoversExactlyItsWidth() {
        for (text, w) in [("a", 1), ("客", 2), ("👨‍👩‍👧", 2), ("🇧🇷", 2), ("❤️", 2), ("👍🏽", 2), ("客", 1), ("", 2), ("", 1)] {
            #expect(columns(plan(text, w)) == w, "\(text)")
        }
    }
}
