import Foundation
import Testing
@testable import Console
import GatewayKit

@Suite("remapping keys from [keys]")
struct KeyRemapTests {
    @Test("the config file's [keys] section is read beside the profiles")
    func parsed() throws {
        let config = try ConfigFile.parse("""
        [profile a]
        dialect = v1
        url = https://gw.example.com
        token_env = T

        [keys]
        remove = X
        find = f, Ctrl-F
        """)
        #expect(config.profiles["a"] != nil)
        #expect(config.keys.map(\.command) == ["remove", "find"])
        #expect(config.keys.first?.line == 7)
    }

    @Test("a remapped command answers to its new keys only; help and hints name them")
    func remap() throws {
        let keys = try KeyMap.standard.remapped([("remove", "X", 1), ("find", "f, Ctrl-F, F5", 2)])
        #expect(keys.command(for: .char("X")) == .remove)
        #expect(keys.command(for: .char("x")) == nil)
        #expect(keys.command(for: .ctrl("f")) == .find)
        #expect(keys.command(for: .function(5)) == .find)
        // Ctrl-F was page down's second key: page down keeps PgDn.
        #expect(keys.binding(.pageDown)?.keys == [.pageDown])
        var s = Fixtures.loaded()
        let r = Reducer(keys: keys)
        #expect(r.reduce(&s, .key(.char("x"))).isEmpty)
        #expect(r.reduce(&s, .key(.char("X"))) == [.preflight(Fixtures.alphaKey)])
        s.dialog = nil
        let help = RootView(keys: keys).render({ var h = s; h.showHelp = true; return h }()).text
        #expect(help.contains("X") && help.contains("remove the tagged"))
    }

    @Test("unknown names, taken keys and unsafe keys are refused with the line")
    func refused() {
        #expect(throws: KeyRemapError.unknownCommand("explode", line: 3)) { try KeyMap.standard.remapped([("explode", "e", 3)]) }
        #expect(throws: KeyRemapError.unknownKey("Hyper-Q", line: 4)) { try KeyMap.standard.remapped([("find", "Hyper-Q", 4)]) }
        // q is quit's only key: it cannot be taken.
        #expect(throws: KeyRemapError.conflict(key: "q", first: "quit", second: "find", line: 5)) { try KeyMap.standard.remapped([("find", "q", 5)]) }
        #expect(throws: KeyRemapError.unsafe(key: "Enter", command: "remove", line: 6)) { try KeyMap.standard.remapped([("remove", "Enter", 6)]) }
        #expect(Key(name: "Space") == .char(" "))
        #expect(Key(name: "ctrl-w") == .ctrl("w"))
        #expect(Key(name: "PgDn") == .pageDown)
    }

    @Test("each context's keys are data: the status line and the help are made from them")
    func contexts() {
        var s = Fixtures.loaded()
        #expect(KeyContext.of(s) == .main)
        #expect(KeyMap.standard.hints(s).contains(ContextKey("x", "remove")))
        _ = Fixtures.press(&s, .char("/"))
        #expect(KeyContext.of(s) == .filter)
        #expect(KeyMap.standard.hints(s) == KeyMap.standard.table(.filter).hints)
        #expect(RootView().render(s).line(23).contains("Ctrl-W word"))
        _ = Fixtures.press(&s, .escape)
        s.showHelp = true
        let help = HelpView(state: s, keys: .standard).lines().map(\.0)
        #expect(help.contains("A typed confirmation"))
        #expect(help.contains { $0.contains("the name as shown, or the count") })
        // Availability lives in the key table: a remapped map gives the same reasons.
        let remapped = try? KeyMap.standard.remapped([("remove", "X", 1)])
        s.showHelp = false
        s.focus = .sessions
        #expect(remapped?.disabledReason(.remove, s) == "focus the participants pane first (Tab, or l)")
    }
}
