import GatewayKit

/// Remove, demote, promote or add participants of one group: what happens to each, from the
/// fresh read.
struct MembersDialogView: DialogContent {
    let state: ConsoleState
    let dialog: MembersDialog
    /// The operator is answering it (read, and something to send).
    let answering: Bool
    let g: Glyphs

    func title() -> String {
        let action = dialog.action
        let n = dialog.plan?.toSend.count ?? dialog.requested.count
        let verb = dialog.undoes == nil ? action.verb.capitalized : "Undo: \(action == .add ? "re-add" : action.verb)"
        if dialog.confirmation.listOnly, dialog.plan != nil { return "Nothing to \(action.verb) in \(dialog.subject)" }
        return "\(verb) \(n) participant\(n == 1 ? "" : "s") \(action == .add ? "to" : "from") \(dialog.subject)"
    }

    func body(width: Int) -> [(String, Style)] {
        if let e = dialog.error {
            return wrap("Could not read the group: \(e)", width: width).map { ($0, .error) }
        }
        guard let plan = dialog.plan else { return [("reading the group from the gateway…", .dim)] }
        var out: [(String, Style)] = []
        let key = dialog.key
        let sessionLabel = state.sessions.value?.first { $0.id == key.session }?.label ?? ""
        let group = state.groups[key.session]?.value?.first { $0.jid == key.group }
        let role = (group ?? state.currentGroup)?.ourRole.map { $0 == .superadmin ? "owner" : $0.rawValue } ?? "unknown role"
        out.append(("Session \(sessionLabel) \(g.dot) you are \(role)", .dim))
        if let b = plan.blocker { out.append(("Nothing will be sent: \(b.text)", .dialogDanger)) }
        if plan.blocker == nil, plan.toSend.isEmpty { out.append(("Nothing will be sent: no one here can be \(plan.action.pastTense).", .dialog)) }
        let nameW = min(20, max(10, width / 4))
        for row in plan.rows {
            let verb = row.verdict.sends ? "will be \(plan.action.pastTense)" : row.verdict.text
            let name = CellWidth.fit(CellWidth.sanitize(row.participant?.name ?? dialog.knownNames[row.target] ?? "–"), to: nameW)
            let number = row.participant?.numberText ?? row.target.phoneNumber ?? row.target.string
            let style: Style = row.verdict.sends ? (plan.blocker == nil ? .dialogDanger : .dim) : .dim
            out.append(("\(name) \(NumberText.fit(number, to: 15)) \(verb)", style))
        }
        out += hiddenTaggedLine(dialog.hiddenTagged)
        return out
    }

    func footer() -> [(String, Style)] {
        answering ? ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: dialog.plan?.toSend.count ?? 0, g: g).lines() : DialogView.closeFooter
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard answering else { return }
        ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: dialog.plan?.toSend.count ?? 0, g: g)
            .drawFields(&screen, inner: inner, footerTop: footerTop)
    }
}

/// Leave one or more groups of a session: whether its account can leave each.
struct LeaveDialogView: DialogContent {
    let state: ConsoleState
    let dialog: GroupsDialog
    let answering: Bool
    let g: Glyphs

    var sendCount: Int { dialog.rows?.filter(\.verdict.sends).count ?? 0 }

    func title() -> String {
        let n = dialog.rows?.filter(\.verdict.sends).count ?? dialog.requested.count
        let what: String = switch dialog.kind {
        case .inviteReset: "Reset the invite link of"
        case .lock: "Lock"
        case .unlock: "Open"
        case .settings: dialog.undoes != nil ? "Undo: put back the settings of" : "Change the settings of"
        default: "Leave"
        }
        return "\(what) \(n) group\(n == 1 ? "" : "s")"
    }

    /// What will happen to a group that is sent.
    func verb(_ g: JID) -> String {
        switch dialog.kind {
        case .inviteReset: return "new link; the old one stops working"
        case .lock, .unlock, .settings: return dialog.wanted(g).map { "will set " + SettingsText.brief($0) } ?? "will change"
        default: return "will leave"
        }
    }

    func body(width: Int) -> [(String, Style)] {
        if let e = dialog.error {
            return wrap("Could not read the group: \(e)", width: width).map { ($0, .error) }
        }
        guard let rows = dialog.rows else { return [("reading the group from the gateway…", .dim)] }
        var out: [(String, Style)] = []
        let sessionLabel = state.sessions.value?.first { $0.id == dialog.session }?.label ?? ""
        switch dialog.kind {
        case .leave: out.append(("Session \(sessionLabel): its account will leave", .dim))
        case .inviteReset: out.append(("Session \(sessionLabel): old links stop working at once; no undo", .dim))
        case .lock, .unlock: out.append(("Session \(sessionLabel): each group's settings before are recorded; u puts them back", .dim))
        default: out.append(("Session \(sessionLabel)", .dim))
        }
        if dialog.confirmation.listOnly { out.append(("Nothing will be sent: nothing to do in any of these.", .dialog)) }
        for row in rows {
            let verb = row.verdict.sends ? self.verb(row.group.jid) : row.verdict.text
            out.append(("\(CellWidth.fit(CellWidth.sanitize(row.group.subject), to: min(32, width / 2))) \(verb)", row.verdict.sends ? .dialogDanger : .dim))
        }
        out += hiddenTaggedLine(dialog.hiddenTagged)
        return out
    }

    func footer() -> [(String, Style)] {
        answering ? ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: sendCount, g: g).lines() : DialogView.closeFooter
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard answering else { return }
        ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: sendCount, g: g)
            .drawFields(&screen, inner: inner, footerTop: footerTop)
    }
}

/// Tagged rows the filter hides are included; the dialog says so.
func hiddenTaggedLine(_ n: Int) -> [(String, Style)] {
    guard n > 0 else { return [] }
    return [("\(n) tagged row\(n == 1 ? " is" : "s are") hidden by the filter and included.", .warn)]
}
