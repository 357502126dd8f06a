import Foundation
import GatewayKit

/// What one kind of dialog shows: its title, its body and its footer, and the fields drawn
/// over the footer. `DialogView` draws the box around it.
protocol DialogContent {
    func title() -> String
    func body(width: Int) -> [(String, Style)]
    func footer() -> [(String, Style)]
    /// A body row always kept in view (a list's cursor); nil: the dialog's scroll decides.
    var keptInView: Int? { get }
    /// The input fields and buttons, drawn over the footer lines.
    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int)
}

extension DialogContent {
    var keptInView: Int? { nil }
    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {}
}

/// The modal box: the confirmation of an action (what happens to each target), a summary
/// of failures, or a log entry's details. Each kind's view is its own; this draws the box,
/// scrolls the body and places the footer.
struct DialogView {
    let state: ConsoleState
    let dialog: Dialog
    let g: Glyphs

    /// The view of this dialog's kind.
    var content: any DialogContent {
        // Waiting for nothing and not failed: the operator is answering it.
        let answering = dialog.isConfirmation && !dialog.loading && dialog.error == nil
        switch dialog {
        case .members(let d): return MembersDialogView(state: state, dialog: d, answering: answering, g: g)
        case .leave(let d): return LeaveDialogView(state: state, dialog: d, answering: answering, g: g)
        case .summary(let d), .detail(let d): return TextDialogView(dialog: d)
        case .resume(let d): return ResumeDialogView(state: state, dialog: d, g: g)
        case .found(let d): return FindDialogView(state: state, dialog: d, answering: answering, g: g)
        case .history(let d): return HistoryDialogView(state: state, dialog: d, g: g)
        case .groupInfo(let d): return GroupInfoDialogView(state: state, dialog: d, g: g)
        case .answer(let d): return AnswerDialogView(state: state, dialog: d, answering: answering, g: g)
        }
    }

    func draw(_ screen: inout Screen) {
        let content = self.content
        let w = min(screen.width - 4, 84)
        let lines = content.body(width: w - 4)
        let footer = content.footer()
        let maxH = screen.height - 2
        let h = min(maxH, lines.count + footer.count + 3)
        let r = Rect(x: (screen.width - w) / 2, y: max(0, (screen.height - h) / 2), width: w, height: h)
        screen.fill(r, .dialog)
        screen.box(r, title: content.title(), focused: true)
        let inner = r.inner
        let bodyRows = max(0, inner.height - footer.count)
        var scroll = min(dialog.scroll, max(0, lines.count - bodyRows))
        if let row = content.keptInView {
            scroll = max(0, min(row - bodyRows / 2, lines.count - bodyRows))
        }
        for i in 0..<bodyRows {
            guard scroll + i < lines.count else { break }
            let (text, style) = lines[scroll + i]
            screen.put(inner.x + 1, inner.y + i, text, style, maxWidth: inner.width - 2)
        }
        if lines.count > bodyRows && bodyRows > 0 {
            screen.put(inner.x + inner.width - 8, inner.y + bodyRows - 1, " ↓ more ", .dim, maxWidth: 8)
        }
        for (i, (text, style)) in footer.enumerated() {
            let y = inner.y + bodyRows + i
            screen.put(inner.x + 1, y, text, style, maxWidth: inner.width - 2)
        }
        content.drawFields(&screen, inner: inner, footerTop: inner.y + bodyRows)
    }

    /// The footer of a dialog that is only read.
    static let closeFooter: [(String, Style)] = [("", .dialog), ("Enter/Esc close", .dim)]
}

/// Lines to read: a summary of failures, or a log entry's details.
struct TextDialogView: DialogContent {
    let dialog: TextDialog

    func title() -> String { dialog.title }

    func body(width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        // Continuation lines hang under the text, not under the mark.
        for l in dialog.lines {
            for (i, part) in wrap(CellWidth.sanitize(l), width: width - 2).enumerated() {
                out.append(((i == 0 ? "" : "  ") + part, l.hasPrefix("✗") ? .error : .dialog))
            }
        }
        return out
    }

    func footer() -> [(String, Style)] { DialogView.closeFooter }
}

/// The footer of a confirmation that sends requests: the reason, what must be typed (or the
/// No and Yes buttons), why the last attempt did nothing, and its keys.
struct ConfirmationFooter {
    let state: ConsoleState
    let confirmation: Confirmation
    /// How many requests confirming sends (a typed name also accepts the count).
    let sendCount: Int
    let g: Glyphs

    var reasonLabel: String { "Reason" + (state.requireReason ? " (required)" : " (optional)") + ": " }
    /// The exit notice sent one to one before each removal ({name} and {group} filled in).
    let noticeLabel = "Notice first (empty: none): "

    func lines() -> [(String, Style)] {
        var lines: [(String, Style)] = [("", .dialog)]
        lines.append((reasonLabel, .dialog))
        if confirmation.notice != nil { lines.append((noticeLabel, .dialog)) }
        if let expected = confirmation.expected {
            lines.append((typePrompt(expected), .dialogDanger))
        } else {
            lines.append(("", .dialog))
        }
        lines.append((confirmation.warning ?? "", .error))
        let tab = confirmation.notice == nil ? "Tab reason" : "Tab reason, notice"
        if confirmation.expected == nil {
            lines.append(("y confirm \(g.dot) n/Esc cancel \(g.dot) \(tab)", .dim))
        } else {
            lines.append(("Enter confirm once typed \(g.dot) Esc cancel \(g.dot) \(tab)", .dim))
        }
        return lines
    }

    /// "Type 12 to confirm: ", or for a name "Type Família Souza ❤️ or 1: " (a long name cut).
    func typePrompt(_ expected: String) -> String {
        let shown = confirmation.expectedShown ?? expected
        return Int(expected) != nil ? "Type \(shown) to confirm: " : "Type \(shown) or \(sendCount): "
    }

    func drawFields(_ screen: inout Screen, inner: Rect, footerTop: Int) {
        let c = confirmation
        let label = reasonLabel
        let rx = inner.x + 1 + CellWidth.of(label)
        let fieldW = max(4, inner.width - 2 - CellWidth.of(label))
        let reasonStyle: Style = c.field == .reason ? .buttonFocused : .input
        screen.putFitted(rx, footerTop + 1, CellWidth.sanitize(c.reason) + (c.field == .reason ? "_" : ""), width: fieldW, reasonStyle)
        var row = footerTop + 2
        if let notice = c.notice {
            let nx = inner.x + 1 + CellWidth.of(noticeLabel)
            let noticeStyle: Style = c.field == .notice ? .buttonFocused : .input
            // The end of a long notice stays in view while it is typed.
            let shown = CellWidth.sanitize(notice) + (c.field == .notice ? "_" : "")
            let w = max(4, inner.x + inner.width - 1 - nx)
            screen.putFitted(nx, row, CellWidth.of(shown) > w ? "…" + String(shown.suffix(w - 1)) : shown, width: w, noticeStyle)
            row += 1
        }
        if let expected = c.expected {
            let tl = typePrompt(expected)
            let tx = inner.x + 1 + CellWidth.of(tl)
            let typedStyle: Style = c.field == .typed ? .buttonFocused : .input
            screen.putFitted(tx, row, CellWidth.sanitize(c.typed) + (c.field == .typed ? "_" : ""), width: max(4, inner.x + inner.width - 1 - tx), typedStyle)
        } else {
            let no = "[ No ]", yes = "[ Yes ]"
            let bx = inner.x + inner.width - 2 - CellWidth.of(no) - CellWidth.of(yes) - 2
            let onButtons = c.field == .buttons
            screen.put(bx, row, no, onButtons && !c.yesFocused ? .buttonFocused : .button)
            screen.put(bx + CellWidth.of(no) + 2, row, yes, onButtons && c.yesFocused ? .buttonFocused : .button)
        }
    }
}
