import GatewayKit

/// `?`: every binding from the key table, with why it is disabled now where it is.
struct HelpView {
    let state: ConsoleState
    let keys: KeyMap

    func lines(width: Int = 76) -> [(String, Style)] {
        var out: [(String, Style)] = [("Keys (the key table; what is disabled now says why)", .header), ("", .dialog)]
        let keyW = 18
        for b in keys.bindings {
            let names = b.keys.map(\.description).joined(separator: " ")
            let pad = String(repeating: " ", count: keyW + 1)
            let desc = wrap(b.description + (b.dangerous ? " (confirmed)" : ""), width: max(10, width - keyW - 1))
            for (i, line) in desc.enumerated() {
                out.append(((i == 0 ? CellWidth.fit(names, to: keyW) + " " : pad) + line, i == 0 ? .dialogTitle : .dialog))
            }
            if b.dangerous || b.command == .undo || b.command == .find, let why = keys.disabledReason(b.command, state) {
                for line in wrap("disabled now: " + why, width: max(10, width - keyW - 1)) {
                    out.append((pad + line, .dim))
                }
            }
        }
        // Every other context's keys, from the same table.
        for context in KeyContext.allCases where context.hasHelpSection {
            let list = keys.table(context).hints
            guard !list.isEmpty else { continue }
            out.append(("", .dialog))
            out.append((context.title, .header))
            for k in list { out.append((CellWidth.fit(k.keys, to: keyW) + " " + k.action, .dialog)) }
        }
        out.append(("", .dialog))
        out.append(("Five or more targets, several groups, and any leave are confirmed by typing.", .dim))
        return out
    }

    func draw(_ screen: inout Screen) {
        let r = Rect(x: 1, y: 1, width: screen.width - 2, height: screen.height - 3)
        guard r.width > 10, r.height > 4 else { return }
        screen.fill(r, .dialog)
        screen.box(r, title: "Help", focused: true, right: "Esc close")
        let inner = r.inner
        let all = lines(width: inner.width - 2)
        let scroll = min(state.helpScroll, max(0, all.count - inner.height))
        for i in 0..<inner.height {
            guard scroll + i < all.count else { break }
            let (text, style) = all[scroll + i]
            screen.put(inner.x + 1, inner.y + i, text, style, maxWidth: inner.width - 2)
        }
    }
}
