/// Remapping keys from the config file's `[keys]` section:
///
/// ```
/// [keys]
/// remove = X            # x no longer removes; X does
/// find = f, Ctrl-F      # several keys, comma-separated
/// ```
///
/// The names are the commands' (`wamod` lists them when one is wrong); keys are written as
/// the help shows them: a character, `Space`, `Enter`, `Esc`, `Tab`, `Shift-Tab`,
/// `Backspace`, `Del`, `Up` `Down` `Left` `Right` (or ↑ ↓ ← →), `PgUp`, `PgDn`, `Home`,
/// `End`, `F1`…`F12`, `Ctrl-A`…`Ctrl-Z`.
public enum KeyRemapError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCommand(String, line: Int)
    case unknownKey(String, line: Int)
    case conflict(key: String, first: String, second: String, line: Int)
    case unsafe(key: String, command: String, line: Int)

    public var description: String {
        switch self {
        case .unknownCommand(let c, let line):
            "[keys] line \(line): no command '\(c)' (known: \(Command.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .unknownKey(let k, let line):
            "[keys] line \(line): '\(k)' is not a key name (a character, Space, Enter, Esc, Tab, PgUp, F5, Ctrl-F, …)"
        case .conflict(let k, let first, let second, let line):
            "[keys] line \(line): \(k) would be both \(first) and \(second)"
        case .unsafe(let k, let c, let line):
            "[keys] line \(line): \(c) acts on people and cannot be bound to \(k), a key pressed to move or confirm"
        }
    }
}

extension Key {
    /// A key from its written name (as `description` writes it, or the usual spellings).
    public init?(name raw: String) {
        let n = raw.trimmingCharacters(in: .whitespaces)
        guard !n.isEmpty else { return nil }
        let lower = n.lowercased()
        let named: [String: Key] = [
            "space": .char(" "), "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape, "tab": .tab,
            "shift-tab": .backTab, "backtab": .backTab, "backspace": .backspace, "del": .delete, "delete": .delete,
            "up": .up, "↑": .up, "down": .down, "↓": .down, "left": .left, "←": .left, "right": .right, "→": .right,
            "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown, "home": .home, "end": .end,
        ]
        if let k = named[lower] { self = k; return }
        if lower.hasPrefix("ctrl-"), n.count == 6, let c = lower.last, c.isLetter { self = .ctrl(c); return }
        if lower.hasPrefix("f"), let num = Int(lower.dropFirst()), (1...12).contains(num) { self = .function(num); return }
        if n.count == 1, let c = n.first, !c.isWhitespace { self = .char(c); return }
        return nil
    }
}

extension KeyMap {
    /// This map with the `[keys]` overrides applied: each named command gets exactly the keys
    /// given (its defaults go), a key taken from another command moves to this one only if
    /// that command keeps another key, and keys that move or confirm (Enter, Space, arrows,
    /// Tab, j, k, y) are refused for commands that act on people.
    public func remapped(_ overrides: [(command: String, keys: String, line: Int)]) throws(KeyRemapError) -> KeyMap {
        var map = self
        let guarded: Set<Key> = [.enter, .char(" "), .up, .down, .left, .right, .tab, .backTab, .char("j"), .char("k"), .char("y"), .char("n")]
        for o in overrides {
            guard let command = Command(rawValue: o.command) ?? Command.allCases.first(where: { $0.rawValue.lowercased() == o.command.lowercased() }) else {
                throw .unknownCommand(o.command, line: o.line)
            }
            var keys: [Key] = []
            for part in o.keys.split(separator: ",") {
                guard let k = Key(name: String(part)) else { throw .unknownKey(String(part).trimmingCharacters(in: .whitespaces), line: o.line) }
                if !keys.contains(k) { keys.append(k) }
            }
            guard !keys.isEmpty else { throw .unknownKey(o.keys, line: o.line) }
            let dangerous = map.binding(command)?.dangerous ?? false
            if dangerous, let k = keys.first(where: guarded.contains) { throw .unsafe(key: k.description, command: command.rawValue, line: o.line) }
            // A key another command holds leaves it, if that command keeps a key.
            for i in map.bindings.indices where map.bindings[i].command != command {
                let taken = map.bindings[i].keys.filter(keys.contains)
                guard !taken.isEmpty else { continue }
                let rest = map.bindings[i].keys.filter { !keys.contains($0) }
                if rest.isEmpty {
                    throw .conflict(key: taken[0].description, first: map.bindings[i].command.rawValue, second: command.rawValue, line: o.line)
                }
                map.bindings[i].keys = rest
            }
            if let i = map.bindings.firstIndex(where: { $0.command == command }) { map.bindings[i].keys = keys }
        }
        return map
    }
}
