import Console
@testable import ConsoleTerminal
import Testing

@Suite("Theme")
struct ThemeTests {
    @Test func colourWhenAskedAndAvailable() {
        #expect(Theme.choose(colorRequested: true, environment: [:], terminalColors: 256) == .color)
        #expect(Theme.choose(colorRequested: true, environment: ["TERM": "xterm"], terminalColors: 8) == .color)
    }

    @Test func monochromeForNoColorAnyValue() {
        #expect(Theme.choose(colorRequested: true, environment: ["NO_COLOR": "1"], terminalColors: 256) == .monochrome)
        #expect(Theme.choose(colorRequested: true, environment: ["NO_COLOR": ""], terminalColors: 256) == .monochrome)
    }

    @Test func monochromeForFlagAndPoorTerminals() {
        #expect(Theme.choose(colorRequested: false, environment: [:], terminalColors: 256) == .monochrome)
        #expect(Theme.choose(colorRequested: true, environment: [:], terminalColors: 2) == .monochrome)
        #expect(Theme.choose(colorRequested: true, environment: [:], terminalColors: 256, hasColors: false) == .monochrome)
    }

    @Test func monochromeUsesNoColourAndStillDistinguishesRoles() {
        for style in Style.allCases {
            #expect(Theme.monochrome.look(style).isMonochrome, "\(style)")
        }
        let mono = Theme.monochrome
        #expect(mono.look(.cursor).attributes.contains(.reverse))
        #expect(mono.look(.cursor) != mono.look(.normal))
        #expect(mono.look(.cursorInactive) != mono.look(.cursor))
        #expect(mono.look(.error) != mono.look(.normal))
        #expect(mono.look(.status).attributes.contains(.reverse))
        #expect(mono.look(.dim).attributes == [.dim])
    }

    @Test func colourThemeKeepsTheTerminalBackground() {
        for style: Style in [.normal, .border, .title, .header, .ok, .error, .tagged, .dialog] {
            #expect(Theme.color.look(style).bg == .terminalDefault, "\(style)")
        }
        #expect(Theme.color.look(.normal) == CellLook())
    }

    @Test func colourThemeIsReadableOnLightAndDarkBackgrounds() {
        for style in Style.allCases {
            let look = Theme.color.look(style)
            // White or yellow text on the terminal's own background vanishes on a light theme.
            if look.bg == .terminalDefault {
                #expect(look.fg != .white && look.fg != .yellow, "\(style)")
            }
            // A coloured bar never keeps the default foreground (unknown contrast).
            if look.bg != .terminalDefault {
                #expect(look.fg != .terminalDefault, "\(style)")
                #expect(look.fg != look.bg, "\(style)")
            }
        }
        #expect(Theme.color.look(.error).fg == .red)
        #expect(Theme.color.look(.ok).fg == .green)
        let cursor = Theme.color.look(.cursor)
        #expect(cursor.attributes.contains(.reverse) || cursor.bg != .terminalDefault)
    }
}
