import Foundation
import GatewayKit

/// A group's details: its settings, the invite link (masked unless revealed), the pending
/// join requests, and the keys that act on them.
struct GroupInfoDialogView: DialogContent {
    let state: ConsoleState
    let dialog: GroupInfoDialog
    let g: Glyphs

    func title() -> String { "Group: \(CellWidth.sanitize(dialog.subject))" }

    func body(width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = [(dialog.key.group.string, .dim)]
        guard let info = dialog.info else { return out + [("reading the group's settings and link…", .dim)] }
        out.append(("", .dialog))
        switch info.settings {
        case .success(let st)?:
            for setting in GroupSetting.allCases {
                guard let on = st[setting] else { continue }
                out.append(("\(CellWidth.fit(setting.title, to: 26)) \(on ? "on" : "off")", on ? .dialogDanger : .dialog))
            }
            if st.isEmpty { out.append(("settings: none read", .dim)) }
        case .failure(let e)?: out += wrap("settings: \(e.message)", width: width).map { ($0, .error) }
        case nil: out.append(("settings: this gateway's dialect does not read them", .dim))
        }
        out.append(("", .dialog))
        switch info.link {
        case .success(let l)?:
            out.append(("invite link: \(dialog.revealed ? l.url : l.masked)", .dialog))
            if !dialog.revealed { out.append(("  (masked: whoever has it can join; v shows it)", .dim)) }
        case .failure(let e)?: out += wrap("invite link: \(e.message)", width: width).map { ($0, .error) }
        case nil: out.append(("invite link: this gateway's dialect does not read it", .dim))
        }
        switch info.requests {
        case .success(let list)?: out.append(("pending requests to join: \(list.count)", list.isEmpty ? .dialog : .dialogDanger))
        case .failure(let e)?: out += wrap("pending requests: \(e.message)", width: width).map { ($0, .error) }
        case nil: break
        }
        return out
    }

    func footer() -> [(String, Style)] {
        [("", .dialog), ("v show/hide the link \(g.dot) Esc close \(g.dot) the groups pane resets, locks and opens (?)", .dim)]
    }
}

/// Approving or rejecting join requests: each request, and what will happen to it.
struct AnswerDialogView: DialogContent {
    let state: ConsoleState
    let dialog: AnswerDialog
    let answering: Bool
    let g: Glyphs

    func title() -> String {
        "\(dialog.kind == .approve ? "Approve" : "Reject") \(dialog.targets.count) request\(dialog.targets.count == 1 ? "" : "s") to join"
    }

    func body(width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = [("\(CellWidth.sanitize(dialog.subject)): \(dialog.kind == .approve ? "they become members" : "their requests are dropped")", .dim)]
        let verb = dialog.kind == .approve ? "will be approved" : "will be rejected"
        for t in dialog.targets {
            let who = dialog.shown[t] ?? t.phoneNumber ?? t.string
            out.append(("\(NumberText.fit(who, to: 24)) \(verb)", .dialogDanger))
        }
        out.append(("each is checked against the pending list just before it is sent", .dim))
        out += hiddenTaggedLine(dialog.hiddenTagged)
        return out
    }

    func footer() -> [(String, Style)] {
        answering ? ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: dialog.targets.count, g: g).lines() : DialogView.closeFooter
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        guard answering else { return }
        ConfirmationFooter(state: state, confirmation: dialog.confirmation, sendCount: dialog.targets.count, g: g)
            .drawFields(&screen, inner: inner, footerTop: footerTop)
    }
}
