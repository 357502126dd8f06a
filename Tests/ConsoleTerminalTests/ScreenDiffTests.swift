import Console
import ConsoleTerminal
import Testing

@Suite("Screen diff")
struct ScreenDiffTests {
    private func screen(_ lines: [String], width: Int, style: Style = .normal) -> Screen {
        var s = Screen(width: width, height: lines.count)
        for (y, line) in lines.enumerated() { s.put(0, y, line, style) }
        return s
    }

    @Test func firstDrawWritesEveryCellOneRunPerRowAndStyle() {
        var s = screen(["ab", "cd"], width: 4)
        s.restyle(2, 1, width: 2, .cursor)
        let runs = ScreenDiff.runs(from: nil, to: s)
        #expect(ScreenDiff.needsFullRepaint(from: nil, to: s))
        #expect(runs.map(\.y) == [0, 1, 1])
        #expect(runs.map(\.text) == ["ab  ", "cd", "  "])
        #expect(runs.map(\.style) == [.normal, .normal, .cursor])
        #expect(runs.map(\.x) == [0, 0, 2])
    }

    @Test func identicalScreensWriteNothing() {
        let s = screen(["hello", "world"], width: 8)
        #expect(ScreenDiff.runs(from: s, to: s).isEmpty)
        #expect(!ScreenDiff.needsFullRepaint(from: s, to: s))
    }

    @Test func onlyChangedRunsAreWritten() {
        let old = screen(["hello world", "unchanged"], width: 12)
        let new = screen(["jello worms", "unchanged"], width: 12)
        let runs = ScreenDiff.runs(from: old, to: new)
        #expect(runs.count == 2)
        #expect(runs[0].x == 0 && runs[0].y == 0 && runs[0].text == "j")
        #expect(runs[1].x == 9 && runs[1].text == "ms")
    }

    @Test func styleChangeAloneIsWrittenAndSplitsRuns() {
        let old = screen(["abcd"], width: 4)
        var new = old
        new.restyle(1, 0, width: 1, .cursor)
        new.put(2, 0, "X")
        let runs = ScreenDiff.runs(from: old, to: new)
        #expect(runs.map(\.text) == ["b", "X"])
        #expect(runs.map(\.style) == [.cursor, .normal])
        #expect(runs.map(\.x) == [1, 2])
    }

    @Test func wideGlyphIsOneGlyphAndItsContinuationIsSkipped() {
        let s = screen(["a客b"], width: 5)
        let runs = ScreenDiff.runs(from: nil, to: s)
        #expect(runs.count == 1)
        let glyphs = runs[0].glyphs
        #expect(glyphs.map(\.text) == ["a", "客", "b", " "])
        #expect(glyphs.map(\.x) == [0, 1, 3, 4])
        #expect(glyphs.map(\.width) == [1, 2, 1, 1])
        #expect(runs[0].width == 5)
    }

    @Test func changeUnderAContinuationRewritesTheWholeWideGlyph() {
        let old = screen(["客x"], width: 3)
        var new = old
        new.put(0, 0, "a")     // the wide glyph's head becomes narrow; its other half is blanked
        let runs = ScreenDiff.runs(from: old, to: new)
        #expect(runs.count == 1)
        #expect(runs[0].x == 0)
        #expect(runs[0].glyphs.map(\.text) == ["a", " "])
        #expect(runs[0].glyphs.map(\.width) == [1, 1])
    }

    @Test func narrowToWideAtTheSameColumn() {
        let old = screen(["abc"], width: 3)
        let new = screen(["客c"], width: 3)
        let runs = ScreenDiff.runs(from: old, to: new)
        #expect(runs.count == 1)
        #expect(runs[0].glyphs.map(\.text) == ["客"])
        #expect(runs[0].glyphs[0].width == 2)
        #expect(runs[0].x == 0)
    }

    @Test func zwjEmojiIsOneWideGlyph() {
        let s = screen(["👨‍👩‍👧x"], width: 3)
        let glyphs = ScreenDiff.runs(from: nil, to: s).flatMap(\.glyphs)
        #expect(glyphs.map(\.text) == ["👨‍👩‍👧", "x"])
        #expect(glyphs.map(\.width) == [2, 1])
    }

    @Test func sizeChangeRepaintsEverything() {
        let old = screen(["same", "same"], width: 4)
        let new = screen(["same", "same"], width: 5)
        #expect(ScreenDiff.needsFullRepaint(from: old, to: new))
        let runs = ScreenDiff.runs(from: old, to: new)
        #expect(runs.map(\.text) == ["same ", "same "])
        let taller = screen(["same", "same", "same"], width: 4)
        #expect(ScreenDiff.runs(from: old, to: taller).count == 3)
    }
}
