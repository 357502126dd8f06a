import CNCursesW
import Console

/// A `Theme` made real in curses: one colour pair per `Style` role (pair = rawValue + 1) and
/// the `A_*` attributes. Built once on the UI thread after `start_color`.
struct Palette {
    struct Look {
        var attrs: attr_t
        var pair: Int16
    }

    let theme: Theme
    private var looks: [Look]

    /// Sets up colours for `theme`. With `defaultColors` false (`use_default_colors` failed)
    /// the terminal's default colours are approximated as white on black.
    init(theme: Theme, defaultColors: Bool) {
        self.theme = theme
        looks = []
        for style in Style.allCases {
            let look = theme.look(style)
            var pair: Int16 = 0
            if theme == .color && !look.isMonochrome {
                pair = Int16(style.rawValue) + 1
                let fg = Palette.resolve(look.fg, isBackground: false, defaultColors: defaultColors)
                let bg = Palette.resolve(look.bg, isBackground: true, defaultColors: defaultColors)
                init_pair(pair, fg, bg)
            }
            looks.append(Look(attrs: Palette.attrs(look.attributes), pair: pair))
        }
    }

    func look(_ style: Style) -> Look {
        let i = Int(style.rawValue)
        return i < looks.count ? looks[i] : Look(attrs: wamod_a_normal(), pair: 0)
    }

    static func resolve(_ color: TerminalColor, isBackground: Bool, defaultColors: Bool) -> Int16 {
        if color == .terminalDefault && !defaultColors {
            return isBackground ? TerminalColor.black.rawValue : TerminalColor.white.rawValue
        }
        return color.rawValue
    }

    static func attrs(_ a: TextAttributes) -> attr_t {
        var out = wamod_a_normal()
        if a.contains(.bold) { out |= wamod_a_bold() }
        if a.contains(.dim) { out |= wamod_a_dim() }
        if a.contains(.reverse) { out |= wamod_a_reverse() }
        if a.contains(.underline) { out |= wamod_a_underline() }
        return out
    }
}
