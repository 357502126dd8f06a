import Console
@testable import ConsoleTerminal
import Testing

/// The console's own frame writer, checked by replaying its bytes into a model of a terminal
/// (ANSI cursor addressing, a scrolling region, line feed and reverse index at its edges,
/// UTF-8 with wide and combining characters): the model must then show the new screen, cell
/// for cell and style for style.
@Suite("Frame writer")
struct FrameWriterTests {
    /// Widths as the C library gives them, for the characters these tests use.
    static func width(_ s: Unicode.Scalar) -> Int {
        switch s.value {
        case 0x300...0x36F: 0
        case 0x1100...0x115F, 0x2E80...0x9FFF, 0xAC00...0xD7A3, 0xFF00...0xFF60, 0x1F300...0x1FAFF: 2
        case 0..<0x20, 0x7F: -1
        default: 1
        }
    }

    /// Styles as `ESC [ 1xx m` (100 + the style's number), normal as `ESC [ m`.
    static var codes: FrameWriter.Codes { FrameWriter.Codes(
        moveTo: { y, x, out in out += Array("\u{1B}[\(y + 1);\(x + 1)H".utf8) },
        scrollRegion: { top, bottom, out in out += Array("\u{1B}[\(top + 1);\(bottom + 1)r".utf8) },
        scrollUp: [0x0A], scrollDown: Array("\u{1B}M".utf8),
        style: { _, to, out in out += Array("\u{1B}[\(100 + Int(to.rawValue))m".utf8) },
        reset: Array("\u{1B}[m".utf8),
        wcwidth: { FrameWriterTests.width($0) }) }

    /// A terminal that understands what `codes` sends (and says what else it was sent).
    struct Model {
        let w: Int, h: Int
        var text: [String]
        var style: [Style]
        var y = 0, x = 0
        var top = 0, bottom: Int
        var current: Style = .normal
        var unknown: [String] = []
        var scrolls = 0

        init(_ s: Screen) {
            w = s.width; h = s.height
            text = (0..<(s.width * s.height)).map { i in s[i % s.width, i / s.width].text }
            style = (0..<(s.width * s.height)).map { i in s[i % s.width, i / s.width].style }
            bottom = s.height - 1
        }

        mutating func scrollUp() {
            scrolls += 1
            for row in top..<bottom { for c in 0..<w { text[row * w + c] = text[(row + 1) * w + c]; style[row * w + c] = style[(row + 1) * w + c] } }
            for c in 0..<w { text[bottom * w + c] = " "; style[bottom * w + c] = current }
        }

        mutating func scrollDown() {
            scrolls += 1
            for row in stride(from: bottom, to: top, by: -1) { for c in 0..<w { text[row * w + c] = text[(row - 1) * w + c]; style[row * w + c] = style[(row - 1) * w + c] } }
            for c in 0..<w { text[top * w + c] = " "; style[top * w + c] = current }
        }

        mutating func feed(_ bytes: [UInt8]) {
            var i = 0
            let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
            while i < scalars.count {
                let s = scalars[i]
                if s == "\u{1B}" {
                    if i + 1 < scalars.count, scalars[i + 1] == "M" {
                        if y == top { scrollDown() } else { y = max(0, y - 1) }
                        i += 2
                        continue
                    }
                    // CSI: parameters, then a final letter.
                    var j = i + 2
                    var params = ""
                    while j < scalars.count, !("@"..."~").contains(scalars[j]) { params.unicodeScalars.append(scalars[j]); j += 1 }
                    let final = j < scalars.count ? scalars[j] : "?"
                    let n = params.split(separator: ";").map { Int($0) ?? 0 }
                    switch final {
                    case "H": y = (n.first ?? 1) - 1; x = (n.count > 1 ? n[1] : 1) - 1
                    case "r": top = (n.first ?? 1) - 1; bottom = (n.count > 1 ? n[1] : h) - 1; y = 0; x = 0
                    case "m": current = n.first.map { Style(rawValue: UInt8($0 - 100)) ?? .normal } ?? .normal
                    default: unknown.append("CSI \(params)\(final)")
                    }
                    i = j + 1
                    continue
                }
                if s == "\n" {
                    if y == bottom { scrollUp() } else { y = min(h - 1, y + 1) }
                    i += 1
                    continue
                }
                let cw = FrameWriterTests.width(s)
                if cw == 0 {
                    if x > 0 { text[y * w + x - 1] += String(s) }
                } else if cw > 0, x + cw <= w {
                    text[y * w + x] = String(s)
                    style[y * w + x] = current
                    if cw == 2 { text[y * w + x + 1] = ""; style[y * w + x + 1] = current }
                    x += cw
                } else {
                    unknown.append("unprintable \(s.value)")
                }
                i += 1
            }
        }

        /// Rows where the model differs from `s`, with what each shows.
        func differences(from s: Screen) -> [String] {
            (0..<h).compactMap { row in
                let want = (0..<w).map { c in s[c, row].text }, got = Array(text[(row * w)..<(row * w + w)])
                let wantStyle = (0..<w).map { c in s[c, row].isContinuation ? nil : s[c, row].style }
                let gotStyle = (0..<w).map { c in s[c, row].isContinuation ? nil : style[row * w + c] }
                return want == got && wantStyle == gotStyle ? nil : "row \(row): want \(want.joined()) got \(got.joined())"
            }
        }
    }

    private func screen(_ lines: [String], width: Int) -> Screen {
        var s = Screen(width: width, height: lines.count)
        for (y, line) in lines.enumerated() { _ = s.put(0, y, line) }
        return s
    }

    /// The frame from `old` to `new`, replayed over `old`: the model must show `new`.
    @discardableResult
    private func replay(_ old: Screen, _ new: Screen, sourceLocation: SourceLocation = #_sourceLocation) -> (bytes: [UInt8], model: Model) {
        let writer = FrameWriter(codes: Self.codes)
        let bytes = writer.frame(from: old, to: new)
        var model = Model(old)
        model.feed(bytes)
        #expect(model.unknown.isEmpty, "sent what the terminal does not know: \(model.unknown)", sourceLocation: sourceLocation)
        #expect(model.differences(from: new).isEmpty, "\(model.differences(from: new))", sourceLocation: sourceLocation)
        return (bytes, model)
    }

    private func count(_ needle: String, in bytes: [UInt8]) -> Int {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return 0 }
        return (0...(bytes.count - n.count)).filter { Array(bytes[$0..<($0 + n.count)]) == n }.count
    }

    @Test func nothingChangedSendsNothing() {
        let s = screen(["hello", "world"], width: 8)
        #expect(FrameWriter(codes: Self.codes).frame(from: s, to: s).isEmpty)
    }

    @Test func changedCellsAreWrittenWithOneMovePerRunAndNormalAttributesAtTheEnd() {
        let old = screen(["hello world", "unchanged", "abc"], width: 12)
        var new = screen(["jello worms", "unchanged", "abc"], width: 12)
        new.restyle(0, 2, width: 3, .cursor)
        let (bytes, _) = replay(old, new)
        // Three runs: "j", "ms", and the restyled "abc".
        #expect(count("H", in: bytes) == 3)
        #expect(count("\u{1B}[\(100 + Int(Style.cursor.rawValue))m", in: bytes) == 1)
        #expect(Array(bytes.suffix(3)) == Array("\u{1B}[m".utf8))
    }

    @Test func theFirstFrameAfterCursesDrewStartsFromNormalAttributes() {
        let old = screen(["abc"], width: 4)
        let new = screen(["abd"], width: 4)
        let reset = Array("\u{1B}[m".utf8)
        let plain = FrameWriter(codes: Self.codes).frame(from: old, to: new)
        let first = FrameWriter(codes: Self.codes).frame(from: old, to: new, resetFirst: true)
        // The move, then normal attributes, then the style and the text.
        let move = Array("\u{1B}[1;3H".utf8)
        #expect(Array(first.prefix(move.count + reset.count)) == move + reset)
        #expect(Array(plain.prefix(move.count + reset.count)) != move + reset)
        #expect(first.count == plain.count + reset.count)
        var model = Model(old)
        model.current = .error // what curses may have left
        model.feed(first)
        #expect(model.differences(from: new).isEmpty)
    }

    @Test func adjacentChangesOfTwoStylesShareTheMove() {
        let old = screen(["aaaa"], width: 4)
        var new = screen(["bbbb"], width: 4)
        new.restyle(2, 0, width: 2, .error)
        let (bytes, _) = replay(old, new)
        #expect(count("H", in: bytes) == 1)
    }

    @Test func wideCombiningAndReplacedWideGlyphsKeepTheColumns() {
        let old = screen(["日本語 ok", "e\u{301}te", "│ab│"], width: 10)
        let new = screen(["ab本語 ok", "été 한국", "│a日│"], width: 10)
        replay(old, new)
        // A wide glyph overwritten by narrow ones, and back.
        replay(new, old)
    }

    @Test func aStrayContinuationIsWrittenAsASpace() {
        let old = screen(["日x"], width: 4)
        var new = old
        // Overwriting the wide glyph's first half leaves a blank beside it (Screen.set).
        new.set(0, 0, Cell("a", .normal))
        replay(old, new)
    }

    @Test func aListThatMovedByOneRowIsScrolledByTheTerminal() {
        let rows = (0..<20).map { "member \($0) +55 11 9000-00\($0)" }
        let old = screen(Array(rows[0..<10]), width: 40)
        let new = screen(Array(rows[1..<11]), width: 40)
        let (bytes, model) = replay(old, new)
        #expect(model.scrolls == 1)
        // The region is the whole screen again afterwards.
        #expect(count("\u{1B}[1;10r", in: bytes) == 2)
        #expect(model.top == 0 && model.bottom == 9)
        // Only the new bottom row is written, not all ten.
        let rewritten = replay(old, new, scrolled: false)
        #expect(bytes.count < rewritten)
    }

    @Test func aListThatMovedDownIsScrolledTheOtherWay() {
        let rows = (0..<20).map { "row \($0) of the list" }
        let old = screen(["header"] + Array(rows[5..<14]) + ["status"], width: 30)
        let new = screen(["header"] + Array(rows[3..<12]) + ["status"], width: 30)
        let (_, model) = replay(old, new)
        #expect(model.scrolls == 2)
    }

    @Test func panesSideBySideAreNotScrolled() {
        // Only the right half moved: no whole row is another row of the old screen.
        let left = (0..<10).map { "left \($0)" }
        let right = (0..<12).map { "right \($0)" }
        func pad(_ s: String) -> String { s + String(repeating: " ", count: 12 - s.count) }
        let old = screen((0..<10).map { pad(left[$0]) + right[$0] }, width: 24)
        let new = screen((0..<10).map { pad(left[$0]) + right[$0 + 1] }, width: 24)
        let (_, model) = replay(old, new)
        #expect(model.scrolls == 0)
    }

    @Test func scrollingIsLeftAloneWhereTheTerminalCannot() {
        var codes = Self.codes
        codes.scrollRegion = nil
        let rows = (0..<12).map { "row \($0)" }
        let old = screen(Array(rows[0..<10]), width: 12), new = screen(Array(rows[1..<11]), width: 12)
        let bytes = FrameWriter(codes: codes).frame(from: old, to: new)
        var model = Model(old)
        model.feed(bytes)
        #expect(model.scrolls == 0)
        #expect(model.differences(from: new).isEmpty)
    }

    @Test func randomEditsAlwaysEndAsTheNewScreen() {
        var rng = SplitMix(seed: 16)
        let pieces = ["a", "Z", " ", "é", "日", "│", "★", "9", "ü", "한"]
        for _ in 0..<200 {
            let w = 6 + Int(rng.next() % 20), h = 4 + Int(rng.next() % 8)
            func random() -> Screen {
                var s = Screen(width: w, height: h)
                for _ in 0..<(w * h / 2) {
                    let x = Int(rng.next() % UInt64(w)), y = Int(rng.next() % UInt64(h))
                    let style = Style.allCases[Int(rng.next() % UInt64(Style.allCases.count))]
                    _ = s.put(x, y, pieces[Int(rng.next() % UInt64(pieces.count))], style)
                }
                return s
            }
            let a = random()
            var b = a
            if rng.next() % 3 == 0 {
                // A scroll of a random block, with a row or two of other changes.
                b = Screen(width: w, height: h)
                let by = Int(rng.next() % 3) + 1
                for y in 0..<h { for x in 0..<w { b.set(x, y, a[x, min(h - 1, y + by)]) } }
            }
            for _ in 0..<Int(rng.next() % 6) {
                _ = b.put(Int(rng.next() % UInt64(w)), Int(rng.next() % UInt64(h)), pieces[Int(rng.next() % UInt64(pieces.count))], .cursor)
            }
            replay(a, b)
        }
    }

    /// The bytes without the terminal's scrolling (every moved row rewritten).
    private func replay(_ old: Screen, _ new: Screen, scrolled: Bool) -> Int {
        var codes = Self.codes
        if !scrolled { codes.scrollRegion = nil }
        return FrameWriter(codes: codes).frame(from: old, to: new).count
    }
}

/// A small deterministic generator, so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
