import GatewayKit
import Synchronization

/// What a cell means, not how it looks: the terminal maps roles to colours or, in the
/// monochrome theme, to bold / reverse / underline.
public enum Style: UInt8, Sendable, Hashable, CaseIterable {
    case normal
    case dim
    case border
    case borderFocused
    case title
    case titleFocused
    case header
    /// The cursor row in the focused pane.
    case cursor
    /// The cursor row in a pane without focus.
    case cursorInactive
    case tagged
    case ok
    case warn
    case error
    case owner
    case admin
    case badge
    case status
    case statusKey
    case dialog
    case dialogTitle
    case dialogDanger
    case input
    case button
    case buttonFocused
}

/// One terminal cell: a grapheme and its style. A wide grapheme occupies its cell and
/// the next, which holds a continuation (`text == ""`).
///
/// The grapheme is held as a number, not a `String`: a frame writes and compares thousands
/// of cells, and a number is copied and compared without reference counting. A grapheme of
/// one scalar is that scalar's value; a longer one (an emoji sequence, a letter with marks)
/// is numbered in `GraphemeTable`.
public struct Cell: Sendable, Hashable {
    /// 0: a continuation; below 0x110000: one scalar; else a `GraphemeTable` number.
    public var code: UInt32
    public var style: Style

    public init(_ text: String = " ", _ style: Style = .normal) {
        code = GraphemeTable.code(text)
        self.style = style
    }

    public init(code: UInt32, _ style: Style) {
        self.code = code
        self.style = style
    }

    public var text: String {
        get { GraphemeTable.text(code) }
        set { code = GraphemeTable.code(newValue) }
    }

    public static let blank = Cell()
    static let continuation = Cell(code: 0, .normal)
    public var isContinuation: Bool { code == 0 }
}

/// Numbers for the graphemes of more than one scalar that cells hold, shared by every
/// screen (`shared`). Bounded: past `capacity` distinct ones (a hostile gateway's names could
/// hold any number of them), a new one is drawn as U+FFFD.
public final class GraphemeTable: Sendable {
    public static let shared = GraphemeTable(capacity: 1 << 16)
    static let base: UInt32 = 0x20_0000

    let capacity: Int
    private struct Table: Sendable {
        var numbers: [String: UInt32] = [:]
        var texts: [String] = []
    }
    private let table = Mutex(Table())

    init(capacity: Int) { self.capacity = capacity }

    public static func code(_ text: String) -> UInt32 { shared.code(text) }
    public static func text(_ code: UInt32) -> String { shared.text(code) }

    func code(_ text: String) -> UInt32 {
        let scalars = text.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.index(after: scalars.startIndex) == scalars.endIndex { return first.value }
        return table.withLock { t in
            if let n = t.numbers[text] { return n }
            guard t.texts.count < capacity else { return 0xFFFD }
            let n = Self.base + UInt32(t.texts.count)
            t.texts.append(text)
            t.numbers[text] = n
            return n
        }
    }

    func text(_ code: UInt32) -> String {
        if code == 0 { return "" }
        if code < Self.base { return Unicode.Scalar(code).map { String(Character($0)) } ?? "\u{FFFD}" }
        return table.withLock { t in
            let i = Int(code - Self.base)
            return i < t.texts.count ? t.texts[i] : "\u{FFFD}"
        }
    }
}

/// A grid of cells that views draw into. Pure data: rendered to text in tests (golden files)
/// and blitted to the terminal, cell by changed cell, by ConsoleTerminal.
public struct Screen: Sendable, Hashable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]
    /// Draw ASCII instead of box-drawing characters (no UTF-8 locale).
    public var ascii: Bool

    public init(width: Int, height: Int, ascii: Bool = false) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.ascii = ascii
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    public mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        // Overwriting half of a wide glyph blanks its other half, so nothing is left dangling.
        let i = y * width + x
        if cells[i].isContinuation, x > 0 { cells[i - 1] = Cell(" ", cells[i - 1].style) }
        if x + 1 < width, cells[i + 1].isContinuation, CellWidth.of(cells[i].text) == 2 { cells[i + 1] = Cell(" ", cells[i].style) }
        cells[i] = cell
    }

    /// Writes `text` from (x, y), at most `maxWidth` cells, cutting by grapheme. Returns the cells used.
    @discardableResult
    public mutating func put(_ x: Int, _ y: Int, _ text: String, _ style: Style = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(maxWidth ?? (width - x), width - x)
        guard limit > 0 else { return 0 }
        return write(x, y, TextLayout.glyphs(text, limit: limit, fit: .none), style)
    }

    /// Writes `text` cleaned and cut to `width - 2` cells with a space either side (a box's
    /// title), laid out once per text and width.
    @discardableResult
    mutating func putFramed(_ x: Int, _ y: Int, _ text: String, width w: Int, _ style: Style) -> Int {
        guard w > 2, y >= 0, y < height else { return 0 }
        return write(x, y, TextLayout.glyphs(text, limit: min(w, width - x), fit: .framed(w - 2)), style)
    }

    private mutating func write(_ x: Int, _ y: Int, _ glyphs: [TextLayout.Glyph], _ style: Style) -> Int {
        var col = x
        for g in glyphs {
            if col >= 0 {
                set(col, y, Cell(code: g.code, style))
                if g.width == 2 { set(col + 1, y, .continuation) }
            }
            col += Int(g.width)
        }
        return col - x
    }

    /// Fills a rectangle with spaces of a style.
    public mutating func fill(_ rect: Rect, _ style: Style = .normal, _ text: String = " ") {
        let cell = Cell(text, style)
        for y in rect.y..<(rect.y + rect.height) {
            for x in rect.x..<(rect.x + rect.width) { set(x, y, cell) }
        }
    }

    /// Writes `text` padded or cut to exactly `width` cells.
    public mutating func putFitted(_ x: Int, _ y: Int, _ text: String, width w: Int, _ style: Style = .normal, alignRight: Bool = false) {
        put(x, y, text, width: w, fit: alignRight ? .right(w) : .left(w), style)
    }

    /// Writes a number or id cut at the front and padded to exactly `width` cells
    /// ("…7461-2345"): people with the same first name are told apart by its end.
    public mutating func putNumber(_ x: Int, _ y: Int, _ text: String, width w: Int, _ style: Style = .normal) {
        put(x, y, text, width: w, fit: .tail(w), style)
    }

    /// Writes `text` made exactly `w` cells wide as `fit` says, clipped at the screen's edge.
    private mutating func put(_ x: Int, _ y: Int, _ text: String, width w: Int, fit: TextLayout.Fit, _ style: Style) {
        guard w > 0, y >= 0, y < height else { return }
        let limit = min(w, width - x)
        guard limit > 0 else { return }
        _ = write(x, y, TextLayout.glyphs(text, limit: limit, fit: fit), style)
    }

    /// Sets the style of a run of cells without changing their text.
    public mutating func restyle(_ x: Int, _ y: Int, width w: Int, _ style: Style) {
        guard y >= 0, y < height else { return }
        for cx in max(0, x)..<min(width, x + w) { cells[y * width + cx].style = style }
    }

    /// The text of one row, continuation cells dropped (for golden files and tmux-like checks).
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        for x in 0..<width where !cells[y * width + x].isContinuation { s += cells[y * width + x].text }
        return s
    }

    /// Every row as text, trailing spaces trimmed.
    public var text: String {
        (0..<height).map { y in
            var l = line(y)
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }
}

/// What `Screen.put` makes of a text for a width: cleaned where it meets the terminal (a secret
/// masked, controls and bidirectional characters replaced), cut with an ellipsis, split into
/// graphemes with their widths. The same text at the same width comes out the same, so it is
/// remembered: a frame redraws every visible row, and measuring every name of every row again
/// was most of what a key cost. Bounded; forgotten when the secrets to mask change.
enum TextLayout {
    struct Glyph: Sendable, Hashable {
        /// The grapheme, as a cell holds it (`GraphemeTable`).
        var code: UInt32
        var width: Int8
    }

    enum Fit: Sendable, Hashable {
        case none
        /// Padded or cut to exactly this many cells (`CellWidth.fit`), left or right aligned.
        case left(Int), right(Int)
        /// A number or id cut at the front to this many cells, then padded (`NumberText.fit`).
        case tail(Int)
        /// Cleaned, cut to this many cells, and a space either side (a box's title).
        case framed(Int)
    }

    struct Key: Hashable, Sendable {
        var text: String
        var limit: Int
        var fit: Fit
    }

    struct Table: Sendable {
        var generation = -1
        var layouts: [Key: [Glyph]] = [:]
    }

    /// Entries kept before the table starts again; texts longer than `longest` bytes are not kept.
    static let capacity = 16_384
    static let longest = 512
    private static let table = Mutex(Table())

    static func glyphs(_ text: String, limit: Int, fit: Fit) -> [Glyph] {
        guard text.utf8.count <= longest else { return make(text, limit: limit, fit: fit) }
        let key = Key(text: text, limit: limit, fit: fit)
        let generation = Secrets.generation
        if let hit = table.withLock({ $0.generation == generation ? $0.layouts[key] : nil }) { return hit }
        let made = make(text, limit: limit, fit: fit)
        table.withLock { t in
            if t.generation != generation || t.layouts.count >= capacity { t = Table(generation: generation) }
            t.layouts[key] = made
        }
        return made
    }

    static func make(_ text: String, limit: Int, fit: Fit) -> [Glyph] {
        var source = text
        switch fit {
        case .none: break
        case .left(let w): source = CellWidth.fit(text, to: w)
        case .right(let w): source = CellWidth.fit(text, to: w, alignRight: true)
        case .tail(let w): source = NumberText.fit(text, to: w)
        case .framed(let w): source = " " + CellWidth.truncate(TerminalText.clean(text), to: w) + " "
        }
        // Where text meets the terminal: a secret a gateway echoed back (in a label, a name,
        // an error) is masked, controls and bidirectional and invisible characters replaced.
        var clean = TerminalText.clean(source)
        // Cut text ends in an ellipsis, everywhere (a cell never holds more bytes than it has
        // UTF-8, so short text is not measured).
        if clean.utf8.count > limit { clean = CellWidth.truncate(clean, to: limit) }
        var out: [Glyph] = []
        var used = 0
        for ch in clean {
            var g = String(ch)
            var w = CellWidth.of(ch)
            if w == 0 {
                if let u = ch.unicodeScalars.first, u.value < 0x20 || (0x7F..<0xA0).contains(u.value) { g = "\u{FFFD}"; w = 1 } else { continue }
            }
            if used + w > limit { break }
            out.append(Glyph(code: GraphemeTable.code(g), width: Int8(w)))
            used += w
        }
        return out
    }
}

/// A rectangle of cells.
public struct Rect: Sendable, Hashable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
}
