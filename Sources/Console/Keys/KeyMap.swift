import GatewayKit

/// What a key asks for in the main screen.
public enum Command: String, Sendable, Hashable, CaseIterable {
    case focusNext, focusPrev, focusLeft, focusRight
    case up, down, pageUp, pageDown, top, bottom
    case open, filter, clearFilter
    case tag, tagAll, untagAll
    case remove, demote, promote, leave
    case resetInvite, lock, unlock, groupInfo
    case requests, approve, reject
    case undo, history, find
    case newMembers, removeWatched, dismissAlert
    case refresh, refreshAll
    case focusLog, zoomLog, widePane, help, interrupt, quit
}

/// One binding: keys, what they do, and whether the action acts on people.
public struct Binding: Sendable, Hashable {
    public var keys: [Key]
    public var command: Command
    public var description: String
    /// Acts on people or groups: disabled in read-only mode, confirmed before it runs.
    public var dangerous: Bool
    /// Shown in the status line's hints when possible.
    public var hint: String?

    public init(_ keys: [Key], _ command: Command, _ description: String, dangerous: Bool = false, hint: String? = nil) {
        self.keys = keys; self.command = command; self.description = description
        self.dangerous = dangerous; self.hint = hint
    }
}

/// The key table: data, listed by `?`, and the only place keys are named.
public struct KeyMap: Sendable {
    public var bindings: [Binding]

    public init(bindings: [Binding]) { self.bindings = bindings }

    public static let standard = KeyMap(bindings: [
        Binding([.tab, .char("l"), .right], .focusNext, "next pane"),
        Binding([.backTab, .char("h"), .left], .focusPrev, "previous pane"),
        Binding([.up, .char("k")], .up, "move up"),
        Binding([.down, .char("j")], .down, "move down"),
        Binding([.pageUp, .ctrl("b")], .pageUp, "page up"),
        Binding([.pageDown, .ctrl("f")], .pageDown, "page down"),
        Binding([.char("g"), .home], .top, "first row"),
        Binding([.char("G"), .end], .bottom, "last row"),
        Binding([.enter], .open, "open: session → groups → participants; in the log, details", hint: "open"),
        Binding([.char("/")], .filter, "filter this pane (name, number, JID); Esc clears", hint: "filter"),
        Binding([.escape], .clearFilter, "clear the filter"),
        Binding([.char(" ")], .tag, "tag or untag, and move down", hint: "tag"),
        Binding([.char("a")], .tagAll, "tag every row the filter shows"),
        Binding([.char("U")], .untagAll, "untag all"),
        Binding([.char("x")], .remove, "remove the tagged participants (or the one under the cursor)", dangerous: true, hint: "remove"),
        Binding([.char("d")], .demote, "demote the tagged admins (or the one under the cursor)", dangerous: true, hint: "demote"),
        Binding([.char("p")], .promote, "promote the tagged participants (or the one under the cursor)", dangerous: true, hint: "promote"),
        Binding([.char("L")], .leave, "leave the tagged groups (or the one under the cursor)", dangerous: true, hint: "leave"),
        Binding([.char("i")], .groupInfo, "the group's details: settings, invite link (masked), pending requests", hint: "info"),
        Binding([.char("I")], .resetInvite, "reset the invite link of the tagged groups (the old link stops working; no undo)", dangerous: true),
        Binding([.char("K")], .lock, "lock the tagged groups: only admins send and edit info (u puts back what was there)", dangerous: true, hint: "lock"),
        Binding([.char("J")], .requests, "the open group's pending join requests in the participants pane, or its members again", hint: "requests"),
        Binding([.char("A")], .approve, "approve the tagged join requests (or the one under the cursor)", dangerous: true, hint: "approve"),
        Binding([.char("N")], .reject, "reject the tagged join requests (or the one under the cursor)", dangerous: true, hint: "reject"),
        Binding([.char("O")], .unlock, "open the tagged groups again: everyone sends and edits info", dangerous: true),
        Binding([.char("u")], .undo, "undo this console's last operation (re-add, re-promote); again: the one before", dangerous: true),
        Binding([.char("H")], .history, "history: this gateway's recent operations from the audit log; u undoes one"),
        Binding([.char("f")], .find, "find a number or JID in every group of every session: from the index at once (each hit's age), else read live; W puts them on the watchlist"),
        Binding([.char("n")], .newMembers, "in the participants pane: only the new members (joined in the last hour, as the index knows), and back", hint: "new"),
        Binding([.char("w")], .removeWatched, "the watchlist alert: remove that person from the groups where they were seen (read live first, confirmed)", dangerous: true, hint: "remove watched"),
        Binding([.char("D")], .dismissAlert, "dismiss the watchlist alert (logged; they are raised again if they join again)", hint: "dismiss"),
        Binding([.char("r")], .refresh, "refresh this pane", hint: "refresh"),
        Binding([.char("R")], .refreshAll, "refresh everything"),
        Binding([.char("@")], .focusLog, "focus the log; Enter on an entry shows its details, on ▸ unfolds requests"),
        Binding([.char("z")], .zoomLog, "log taller, full screen, back", hint: "zoom"),
        Binding([.char("Z")], .widePane, "the focused list pane alone, full width (Tab: the next pane); again: side by side"),
        Binding([.char("?")], .help, "help (this list)", hint: "help"),
        Binding([.ctrl("c")], .interrupt, "cancel the running operation; again to quit"),
        Binding([.char("q")], .quit, "quit (asks first while an operation runs)", hint: "quit"),
    ])

    public func command(for key: Key) -> Command? {
        bindings.first { $0.keys.contains(key) }?.command
    }

    public func binding(_ command: Command) -> Binding? {
        bindings.first { $0.command == command }
    }

    /// The first key of a command, as shown in hints ("x", "?", "Space").
    public func keyName(_ command: Command) -> String {
        binding(command)?.keys.first.map(\.description) ?? ""
    }
}
