import GatewayKit

/// Where keys are read: the main screen (the remappable table), or one of the places that
/// take keys of their own. Each context's keys are data here: the status line's hints and
/// the help screen are made from them.
public enum KeyContext: String, Sendable, Hashable, CaseIterable {
    case main
    case confirmYesNo, confirmTyped, resumeYesNo, resumeTyped, history, findRunning, dialogInfo
    case help, find, filter, tooSmall

    /// The context the console is in now.
    public static func of(_ s: ConsoleState) -> KeyContext {
        if s.tooSmall { return .tooSmall }
        if let d = s.dialog {
            if case .found = d, d.loading { return .findRunning }
            if case .history(let h) = d, h.items != nil { return .history }
            guard d.isConfirmation, !d.loading, d.error == nil, let c = d.confirmation else { return .dialogInfo }
            if case .resume = d { return c.expected == nil ? .resumeYesNo : .resumeTyped }
            return c.expected == nil ? .confirmYesNo : .confirmTyped
        }
        if s.showHelp { return .help }
        if s.findQuery != nil { return .find }
        if s.list(s.focus).editing { return .filter }
        return .main
    }

    /// What this context is called in the help screen.
    public var title: String {
        switch self {
        case .main: "Main screen"
        case .confirmYesNo: "A confirmation (y/N)"
        case .confirmTyped: "A typed confirmation"
        case .resumeYesNo, .resumeTyped: "An interrupted operation offered"
        case .history: "History (H)"
        case .findRunning: "A search under way (f)"
        case .dialogInfo: "A summary or details"
        case .help: "Help"
        case .find: "Typing a number to find"
        case .filter: "Typing a filter"
        case .tooSmall: "Terminal too small"
        }
    }
}

/// One key of a context, as the hints and the help show it.
public struct ContextKey: Sendable, Hashable {
    public var keys: String
    public var action: String
    public init(_ keys: String, _ action: String) { self.keys = keys; self.action = action }
}

extension KeyMap {
    /// The keys of a context other than the main screen (the main screen's are `bindings`).
    public static let contextKeys: [KeyContext: [ContextKey]] = [
        .confirmYesNo: [ContextKey("y", "confirm"), ContextKey("n/Esc", "cancel"), ContextKey("Tab", "reason"), ContextKey("←/→ Enter", "choose No or Yes")],
        .confirmTyped: [ContextKey("Enter", "confirm once typed"), ContextKey("Esc", "cancel"), ContextKey("Tab", "reason"),
                        ContextKey("typed", "the name as shown, or the count")],
        .resumeYesNo: [ContextKey("y", "resume"), ContextKey("n", "later"), ContextKey("D", "give up")],
        .resumeTyped: [ContextKey("Enter", "resume once the count is typed"), ContextKey("n/Esc", "later"), ContextKey("D", "give up")],
        .history: [ContextKey("j/k", "move"), ContextKey("u", "undo it"), ContextKey("Esc", "close")],
        .findRunning: [ContextKey("Esc", "stop the search")],
        .dialogInfo: [ContextKey("Esc", "close"), ContextKey("j/k", "scroll")],
        .help: [ContextKey("Esc", "close"), ContextKey("j/k g/G", "scroll")],
        .find: [ContextKey("Enter", "find"), ContextKey("Esc", "cancel")],
        .filter: [ContextKey("Enter", "keep"), ContextKey("Esc", "clear"), ContextKey("Ctrl-W", "word"), ContextKey("Ctrl-U", "all")],
        .tooSmall: [ContextKey("q", "quit")],
    ]

    /// The hints for the status line now: a context's own keys, or on the main screen the
    /// commands of the focused pane that can run now.
    public func hints(_ s: ConsoleState) -> [ContextKey] {
        let context = KeyContext.of(s)
        if context == .tooSmall { return [ContextKey(keyName(.quit), "quit")] }
        if context != .main { return Self.contextKeys[context] ?? [] }
        var commands: [Command] = [.help]
        switch s.focus {
        case .sessions: commands += [.open, .filter, .refresh]
        case .groups: commands += [.open, .tag, .filter, .leave]
        case .participants: commands += [.remove, .demote, .promote, .tag, .filter]
        case .log: commands += [.open, .filter, .zoomLog]
        }
        commands.append(.quit)
        return commands.compactMap { c in
            guard disabledReason(c, s) == nil, let b = binding(c) else { return nil }
            return ContextKey(keyName(c), b.hint ?? c.rawValue)
        }
    }
}
