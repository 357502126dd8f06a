import GatewayKit

/// Where keys are read: the main screen (the remappable table), or one of the places that
/// take keys of their own. Each context's keys are data (`ContextTable`): the reducer looks
/// a key up there and runs its command, and the status line's hints and the help screen are
/// made from the same table.
public enum KeyContext: String, Sendable, Hashable, CaseIterable {
    case main
    case confirmYesNo, confirmTyped, confirmReason, resumeYesNo, resumeTyped, history, findRunning, dialogInfo, groupInfo
    /// The find dialog's list: the index's hits, or a live search's that removes nothing.
    case findList
    /// Typing the reason for the watchlist (`W` in the find dialog).
    case watchReason
    case help, find, filter, tooSmall

    /// The context the console is in now.
    public static func of(_ s: ConsoleState) -> KeyContext {
        if s.tooSmall { return .tooSmall }
        if let d = s.dialog { return d.keyContext }
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
        case .confirmReason: "Typing a reason"
        case .resumeYesNo, .resumeTyped: "An interrupted operation offered"
        case .history: "History (H)"
        case .findRunning: "A search under way (f)"
        case .dialogInfo: "A summary or details"
        case .groupInfo: "A group's details (i)"
        case .findList: "Found (f): the list"
        case .watchReason: "Typing a reason for the watchlist (W)"
        case .help: "Help"
        case .find: "Typing a number to find"
        case .filter: "Typing a filter"
        case .tooSmall: "Terminal too small"
        }
    }

    /// Whether the help screen gives this context a section of its own. The main screen's
    /// keys head the help; a terminal too small shows no help; the y/N resume shares the
    /// typed one's title; the reason is typed inside a confirmation, whose section it is.
    public var hasHelpSection: Bool {
        switch self {
        case .main, .tooSmall, .resumeYesNo, .confirmReason: false
        default: true
        }
    }

    /// A confirmation of some kind: each key first clears the warning of the last attempt.
    public var confirms: Bool {
        switch self {
        case .confirmYesNo, .confirmTyped, .confirmReason, .resumeYesNo, .resumeTyped: true
        default: false
        }
    }
}

extension Dialog {
    /// Where this dialog's keys are read: by its kind, whether it waits for a read, and (for a
    /// confirmation) the field in focus.
    public var keyContext: KeyContext {
        switch self {
        case .found(let f) where f.watchReason != nil: return .watchReason
        case .found(let f) where f.waiting: return .findRunning
        case .found(let f) where f.report == nil || f.confirmation.listOnly: return .findList
        case .history(let h) where h.items != nil: return .history
        case .groupInfo: return .groupInfo
        default: break
        }
        guard isConfirmation, !loading, error == nil, let c = confirmation else { return .dialogInfo }
        if case .resume = self { return c.field == .typed ? .resumeTyped : .resumeYesNo }
        switch c.field {
        case .reason, .notice: return .confirmReason
        case .typed: return .confirmTyped
        case .buttons: return .confirmYesNo
        }
    }
}

/// What a key does in a context other than the main screen. The reducer runs it for the
/// context it was pressed in (Esc's `cancel` in a confirmation closes it; in find it stops
/// typing).
public enum ContextCommand: Sendable, Hashable {
    /// Confirm what the dialog asks (y, or Enter once typed); `resume` is the same for an
    /// interrupted operation.
    case confirm, resume
    /// Decline: nothing is sent.
    case cancel
    /// The next field: the reason, then back.
    case nextField
    /// No ↔ Yes on the buttons.
    case toggle
    /// The button in focus (Enter): Yes confirms, No cancels.
    case choose
    /// An interrupted operation stays in the journal for later; or is given up.
    case later, giveUp
    /// The body scrolls by lines; a list's cursor moves by rows (in a filter: the filter is
    /// kept, then the cursor moves).
    case scroll(Int), move(Int)
    /// To the first or the last line.
    case top, bottom
    /// Undo the operation under the cursor (history).
    case undo
    case close
    case stopSearch
    /// Show the whole invite link (a group's details), or mask it again.
    case reveal
    /// The find dialog: read the groups live to remove the person; search every group live
    /// instead of the index; put them on the watchlist or take them off (a reason is typed).
    case removeFound, searchLive, watch
    /// The watchlist reason typed: put them on (or take them off).
    case submitWatch
    /// Search for what was typed (find).
    case find
    /// The filter as typed stays; `keep` also says when nothing matches.
    case keep, stopTyping
    /// The filter goes.
    case clear
    /// Editing what is typed: the last character, the last word, all of it.
    case deleteChar, deleteWord, deleteAll
    case quit
    /// Nothing, and the dialog stays as it is (a resume takes no reason: Tab does nothing).
    case nothing
}

/// Where a printable key no binding takes is typed.
public enum TextEntry: Sendable, Hashable {
    /// The focused field of the confirmation (its reason, or what must be typed).
    case confirmationField
    /// The number or JID to find.
    case findQuery
    /// The reason for the watchlist.
    case watchReason
    /// The focused pane's filter.
    case filter
}

/// One binding of a context: its keys, what they do, and how the hints and the help show it
/// (nil: a key they leave unsaid).
public struct ContextBinding: Sendable, Hashable {
    public var keys: [Key]
    public var command: ContextCommand
    public var hint: ContextKey?

    public init(_ keys: [Key], _ command: ContextCommand, _ hint: ContextKey? = nil) {
        self.keys = keys; self.command = command; self.hint = hint
    }
}

/// One key of a context, as the hints and the help show it.
public struct ContextKey: Sendable, Hashable {
    public var keys: String
    public var action: String
    public init(_ keys: String, _ action: String) { self.keys = keys; self.action = action }
}

/// A context's keys: its bindings, then where printable keys go that no binding takes, then
/// what any other key does.
public struct ContextTable: Sendable, Hashable {
    public var bindings: [ContextBinding]
    public var text: TextEntry?
    /// What the hints say of typing here, after the bindings' hints.
    public var textHint: ContextKey?
    /// What a key neither bound nor typed does (nil: nothing).
    public var otherwise: ContextCommand?

    public init(_ bindings: [ContextBinding], text: TextEntry? = nil, textHint: ContextKey? = nil, otherwise: ContextCommand? = nil) {
        self.bindings = bindings; self.text = text; self.textHint = textHint; self.otherwise = otherwise
    }

    /// The command a key runs here: its binding's; a printable key no binding takes is
    /// typed where the context takes text (nil then); any other key, `otherwise`.
    public func command(for key: Key) -> ContextCommand? {
        if let b = bindings.first(where: { $0.keys.contains(key) }) { return b.command }
        if case .char = key, text != nil { return nil }
        return otherwise
    }

    /// The hints, in the table's order.
    public var hints: [ContextKey] { bindings.compactMap(\.hint) + (textHint.map { [$0] } ?? []) }
}

extension KeyMap {
    /// The keys of each context other than the main screen (whose keys are `bindings`) and
    /// the terminal too small (whose only key is quit's, as remapped).
    public static let contextTables: [KeyContext: ContextTable] = [
        .confirmYesNo: ContextTable([
            ContextBinding([.char("y"), .char("Y")], .confirm, ContextKey("y", "confirm")),
            ContextBinding([.char("n"), .char("N"), .char("q"), .escape], .cancel, ContextKey("n/Esc", "cancel")),
            ContextBinding([.tab, .backTab], .nextField, ContextKey("Tab", "reason")),
            ContextBinding([.left, .right, .char("h"), .char("l")], .toggle, ContextKey("←/→ Enter", "choose No or Yes")),
            ContextBinding([.enter], .choose),
            ContextBinding([.down, .char("j")], .scroll(1)),
            ContextBinding([.up, .char("k")], .scroll(-1)),
        ]),
        .confirmTyped: ContextTable([
            ContextBinding([.enter], .confirm, ContextKey("Enter", "confirm once typed")),
            ContextBinding([.escape], .cancel, ContextKey("Esc", "cancel")),
            ContextBinding([.tab, .backTab], .nextField, ContextKey("Tab", "reason")),
            ContextBinding([.backspace, .delete], .deleteChar),
            ContextBinding([.down], .scroll(1)),
            ContextBinding([.up], .scroll(-1)),
        ], text: .confirmationField, textHint: ContextKey("typed", "the name as shown, or the count")),
        // The status line keeps the hints of the confirmation the reason belongs to.
        .confirmReason: ContextTable([
            ContextBinding([.enter, .tab, .backTab], .nextField),
            ContextBinding([.escape], .cancel),
            ContextBinding([.backspace, .delete], .deleteChar),
            ContextBinding([.down], .scroll(1)),
            ContextBinding([.up], .scroll(-1)),
        ], text: .confirmationField),
        .resumeYesNo: ContextTable([
            ContextBinding([.char("y"), .char("Y")], .resume, ContextKey("y", "resume")),
            ContextBinding([.char("n"), .char("N"), .char("q"), .escape], .later, ContextKey("n", "later")),
            ContextBinding([.char("D")], .giveUp, ContextKey("D", "give up")),
            ContextBinding([.tab, .backTab], .nothing),
            ContextBinding([.left, .right, .char("h"), .char("l")], .toggle),
            ContextBinding([.enter], .choose),
            ContextBinding([.down, .char("j")], .scroll(1)),
            ContextBinding([.up, .char("k")], .scroll(-1)),
        ]),
        .resumeTyped: ContextTable([
            ContextBinding([.enter], .resume, ContextKey("Enter", "resume once the count is typed")),
            ContextBinding([.char("n"), .char("N"), .char("q"), .escape], .later, ContextKey("n/Esc", "later")),
            ContextBinding([.char("D")], .giveUp, ContextKey("D", "give up")),
            ContextBinding([.tab, .backTab], .nothing),
            ContextBinding([.backspace, .delete], .deleteChar),
            ContextBinding([.down], .scroll(1)),
            ContextBinding([.up], .scroll(-1)),
        ], text: .confirmationField),
        .history: ContextTable([
            ContextBinding([.down, .char("j")], .move(1), ContextKey("j/k", "move")),
            ContextBinding([.up, .char("k")], .move(-1)),
            ContextBinding([.pageDown], .move(10)),
            ContextBinding([.pageUp], .move(-10)),
            ContextBinding([.char("u"), .enter], .undo, ContextKey("u", "undo it")),
            ContextBinding([.escape, .char("q"), .char("H")], .close, ContextKey("Esc", "close")),
        ]),
        .findRunning: ContextTable([
            ContextBinding([.escape, .char("q"), .char("n")], .stopSearch, ContextKey("Esc", "stop the search")),
            ContextBinding([.char("W")], .watch, ContextKey("W", "watchlist")),
            ContextBinding([.down, .char("j")], .scroll(1)),
            ContextBinding([.up, .char("k")], .scroll(-1)),
        ]),
        .findList: ContextTable([
            ContextBinding([.char("x")], .removeFound, ContextKey("x", "remove (read live first)")),
            ContextBinding([.char("W")], .watch, ContextKey("W", "watchlist")),
            ContextBinding([.char("r")], .searchLive, ContextKey("r", "search live")),
            ContextBinding([.escape, .enter, .char("q"), .char("n")], .close, ContextKey("Esc", "close")),
            ContextBinding([.down, .char("j")], .scroll(1)),
            ContextBinding([.up, .char("k")], .scroll(-1)),
        ]),
        .watchReason: ContextTable([
            ContextBinding([.enter], .submitWatch, ContextKey("Enter", "done")),
            ContextBinding([.escape], .cancel, ContextKey("Esc", "cancel")),
            ContextBinding([.backspace, .delete], .deleteChar),
        ], text: .watchReason, textHint: ContextKey("typed", "why")),
        .groupInfo: ContextTable([
            ContextBinding([.char("v")], .reveal, ContextKey("v", "show/hide the link")),
            ContextBinding([.escape, .enter, .char("q"), .char("n"), .char("i")], .close, ContextKey("Esc", "close")),
            ContextBinding([.down, .char("j")], .scroll(1)),
            ContextBinding([.up, .char("k")], .scroll(-1)),
        ]),
        .dialogInfo: ContextTable([
            ContextBinding([.escape, .enter, .char("q"), .char("n")], .close, ContextKey("Esc", "close")),
            ContextBinding([.down, .char("j")], .scroll(1), ContextKey("j/k", "scroll")),
            ContextBinding([.up, .char("k")], .scroll(-1)),
        ]),
        // Any other key closes the help.
        .help: ContextTable([
            ContextBinding([.escape], .close, ContextKey("Esc", "close")),
            ContextBinding([.down, .char("j")], .scroll(1), ContextKey("j/k g/G", "scroll")),
            ContextBinding([.up, .char("k")], .scroll(-1)),
            ContextBinding([.char("g"), .home], .top),
            ContextBinding([.char("G"), .end], .bottom),
            ContextBinding([.pageDown], .scroll(10)),
            ContextBinding([.pageUp], .scroll(-10)),
        ], otherwise: .close),
        .find: ContextTable([
            ContextBinding([.enter], .find, ContextKey("Enter", "find")),
            ContextBinding([.escape], .cancel, ContextKey("Esc", "cancel")),
            ContextBinding([.backspace, .delete], .deleteChar),
        ], text: .findQuery),
        .filter: ContextTable([
            ContextBinding([.enter], .keep, ContextKey("Enter", "keep")),
            ContextBinding([.escape], .clear, ContextKey("Esc", "clear")),
            ContextBinding([.ctrl("w")], .deleteWord, ContextKey("Ctrl-W", "word")),
            ContextBinding([.ctrl("u")], .deleteAll, ContextKey("Ctrl-U", "all")),
            ContextBinding([.tab], .stopTyping),
            ContextBinding([.down], .move(1)),
            ContextBinding([.up], .move(-1)),
            ContextBinding([.backspace, .delete], .deleteChar),
        ], text: .filter),
    ]

    /// A context's keys. The terminal too small takes quit's keys, as remapped; the main
    /// screen's are `bindings`, not a context table.
    public func table(_ context: KeyContext) -> ContextTable {
        switch context {
        case .main: return ContextTable([])
        case .tooSmall: return ContextTable([ContextBinding(binding(.quit)?.keys ?? [], .quit, ContextKey(keyName(.quit), "quit"))])
        default: return Self.contextTables[context] ?? ContextTable([])
        }
    }

    /// The hints for the status line now: a context's own keys, or on the main screen the
    /// commands of the focused pane that can run now.
    public func hints(_ s: ConsoleState) -> [ContextKey] {
        let context = KeyContext.of(s)
        if context == .confirmReason {
            // The reason belongs to its confirmation: the status line keeps that one's keys.
            return table(s.dialog?.confirmation?.expected == nil ? .confirmYesNo : .confirmTyped).hints
        }
        if context != .main { return table(context).hints }
        // A watchlist alert standing: its keys come first, whatever pane is focused.
        var commands: [Command] = s.fleet.alerts.isEmpty ? [.help] : [.removeWatched, .dismissAlert, .help]
        switch s.focus {
        case .sessions: commands += [.open, .filter, .refresh]
        case .groups: commands += [.open, .tag, .filter, .leave]
        case .participants:
            // A group's join requests (J) take approve and reject instead of the member changes.
            commands += s.openGroup?.requests == true ? [.approve, .reject, .tag, .filter, .requests] : [.remove, .demote, .promote, .tag, .filter, .newMembers]
        case .log: commands += [.open, .filter, .zoomLog]
        }
        commands.append(.quit)
        return commands.compactMap { c in
            guard disabledReason(c, s) == nil, let b = binding(c) else { return nil }
            return ContextKey(keyName(c), b.hint ?? c.rawValue)
        }
    }
}
