import Foundation
import GatewayKit

/// This gateway's recent operations from the audit log, newest first, with what u would do.
struct HistoryDialogView: DialogContent {
    let state: ConsoleState
    let dialog: HistoryDialog
    let g: Glyphs

    func title() -> String { "History: this gateway's operations" + (dialog.items.map { " (\($0.count))" } ?? "") }

    /// The cursor's row (after the heading line) is always in view.
    var keptInView: Int? { dialog.cursor + 1 }

    func body(width: Int) -> [(String, Style)] {
        if let e = dialog.error { return wrap("Could not read the audit log: \(e)", width: width).map { ($0, .error) } }
        guard let items = dialog.items else { return [("reading the audit log…", .dim)] }
        if items.isEmpty { return [("No operation of this gateway in the audit log yet.", .dialog)] }
        var out: [(String, Style)] = [("newest first \(g.dot) u or Enter undoes the one under the cursor", .dim)]
        let groupW = max(10, min(30, width - 46))
        for (i, it) in items.enumerated() {
            let time = it.time.count >= 16 ? String(it.time.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ") : it.time
            let subject = it.group.map { j in state.groups[it.session]?.value?.first { $0.jid == j }?.subject ?? it.subject ?? j.string } ?? "–"
            let undo: String = switch it.undo {
            case .success(let a): "u: \(a == .add ? "re-add" : a.verb) \(it.done.count)"
            case .failure(let e): e.message
            }
            let verb = it.undoes == nil ? it.action : "undo"
            let outcome = "\(it.done.count)/\(it.targets)" + (it.unsettled > 0 ? " (\(it.unsettled) open)" : "")
            let line = "\(time) \(CellWidth.fit(verb, to: 7)) \(CellWidth.fit(CellWidth.sanitize(subject), to: groupW)) \(CellWidth.fit(outcome, to: 9)) \(it.auditID.prefix(8)) \(undo)"
            out.append((line, i == dialog.cursor ? .cursor : (it.dryRun ? .dim : .dialog)))
        }
        return out
    }

    func footer() -> [(String, Style)] { [("", .dialog), ("j/k move \(g.dot) u undo the one selected \(g.dot) Esc close", .dim)] }
}
