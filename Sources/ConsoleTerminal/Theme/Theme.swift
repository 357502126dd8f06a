import Console

/// The eight ANSI colours every colour terminal has; `terminalDefault` is the terminal's own
/// foreground or background (so light and dark themes both keep their background).
public enum TerminalColor: Int16, Sendable, Hashable {
    case terminalDefault = -1
    case black = 0, red, green, yellow, blue, magenta, cyan, white
}

/// Text attributes, independent of curses (mapped to `A_*` by the blitter).
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let dim = TextAttributes(rawValue: 1 << 1)
    public static let reverse = TextAttributes(rawValue: 1 << 2)
    public static let underline = TextAttributes(rawValue: 1 << 3)
}

/// How one `Style` role looks: foreground, background, attributes.
public struct CellLook: Sendable, Hashable {
    public var fg: TerminalColor
    public var bg: TerminalColor
    public var attributes: TextAttributes

    public init(fg: TerminalColor = .terminalDefault, bg: TerminalColor = .terminalDefault, _ attributes: TextAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    /// Uses no colour at all.
    public var isMonochrome: Bool { fg == .terminalDefault && bg == .terminalDefault }
}

/// Colours by semantic role, or a monochrome theme of bold / reverse / underline / dim.
public enum Theme: Sendable, Hashable {
    case color
    case monochrome

    /// The theme to use: monochrome when `NO_COLOR` is set (any value, even empty), when the
    /// caller asked for no colour (`--no-color`), or when the terminal has fewer than 8 colours.
    public static func choose(colorRequested: Bool, environment: [String: String], terminalColors: Int, hasColors: Bool = true) -> Theme {
        if !colorRequested || environment["NO_COLOR"] != nil || !hasColors || terminalColors < 8 { return .monochrome }
        return .color
    }

    /// How `style` looks in this theme.
    public func look(_ style: Style) -> CellLook {
        switch self {
        case .color: Theme.colorLook(style)
        case .monochrome: Theme.monoLook(style)
        }
    }

    // Readable on dark and light backgrounds: no white or yellow text on the default
    // background; highlighted rows use reverse video or a light-grey bar with black text.
    static func colorLook(_ style: Style) -> CellLook {
        switch style {
        case .normal: CellLook()
        case .dim: CellLook([.dim])
        case .border: CellLook([.dim])
        case .borderFocused: CellLook(fg: .blue, [.bold])
        case .title: CellLook([.bold])
        case .titleFocused: CellLook(fg: .blue, [.bold])
        case .header: CellLook([.bold, .underline])
        case .cursor: CellLook(fg: .black, bg: .cyan)
        // Without focus the cursor row is only underlined, so the focused pane is the one with a bar.
        case .cursorInactive: CellLook([.underline])
        case .tagged: CellLook(fg: .magenta, [.bold])
        case .ok: CellLook(fg: .green, [.bold])
        case .warn: CellLook(fg: .black, bg: .yellow)
        case .error: CellLook(fg: .red, [.bold])
        case .owner: CellLook(fg: .magenta)
        case .admin: CellLook(fg: .blue)
        case .badge: CellLook(fg: .white, bg: .red, [.bold])
        case .status: CellLook(fg: .black, bg: .white)
        case .statusKey: CellLook(fg: .blue, bg: .white, [.bold])
        case .dialog: CellLook()
        case .dialogTitle: CellLook([.bold])
        case .dialogDanger: CellLook(fg: .white, bg: .red, [.bold])
        case .input: CellLook([.underline])
        case .button: CellLook([.bold])
        case .buttonFocused: CellLook([.reverse, .bold])
        }
    }

    static func monoLook(_ style: Style) -> CellLook {
        switch style {
        case .normal, .border, .dialog, .admin, .ok, .title: CellLook()
        case .dim: CellLook([.dim])
        case .borderFocused, .titleFocused, .dialogTitle, .owner, .tagged, .warn, .button: CellLook([.bold])
        case .header: CellLook([.bold, .underline])
        case .cursor, .status, .badge, .buttonFocused: CellLook([.reverse])
        case .cursorInactive, .input: CellLook([.underline])
        case .error: CellLook([.bold, .underline])
        case .statusKey, .dialogDanger: CellLook([.reverse, .bold])
        }
    }
}
