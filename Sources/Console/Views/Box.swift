import GatewayKit

/// Glyphs that have an ASCII stand-in when the terminal has no UTF-8.
struct Glyphs: Sendable {
    let ascii: Bool
    var h: String { ascii ? "-" : "─" }
    var v: String { ascii ? "|" : "│" }
    var tl: String { ascii ? "+" : "┌" }
    var tr: String { ascii ? "+" : "┐" }
    var bl: String { ascii ? "+" : "└" }
    var br: String { ascii ? "+" : "┘" }
    var connected: String { ascii ? "*" : "●" }
    var offline: String { ascii ? "o" : "○" }
    var tagged: String { ascii ? "[x]" : "☑" }
    var untagged: String { ascii ? "[ ]" : " " }
    var owner: String { ascii ? "*" : "★" }
    var ok: String { ascii ? "+" : "✓" }
    var fail: String { ascii ? "x" : "✗" }
    var pending: String { ascii ? "." : "·" }
    var sending: String { ascii ? ">" : "…" }
    var crumb: String { ascii ? ">" : "▸" }
    var dot: String { ascii ? "-" : "·" }
    /// The watchlist alert's mark (a plain "!" where emoji would be guesswork).
    var warnMark: String { "!" }
    var tagWidth: Int { ascii ? 3 : 1 }
}

extension Screen {
    /// A bordered box with a title in its top edge.
    mutating func box(_ r: Rect, title: String, focused: Bool, right: String = "") {
        guard r.width >= 2, r.height >= 2 else { return }
        let g = Glyphs(ascii: ascii)
        let style: Style = focused ? .borderFocused : .border
        let x2 = r.x + r.width - 1, y2 = r.y + r.height - 1
        for x in (r.x + 1)..<x2 {
            set(x, r.y, Cell(g.h, style))
            set(x, y2, Cell(g.h, style))
        }
        for y in (r.y + 1)..<y2 {
            set(r.x, y, Cell(g.v, style))
            set(x2, y, Cell(g.v, style))
        }
        set(r.x, r.y, Cell(g.tl, style)); set(x2, r.y, Cell(g.tr, style))
        set(r.x, y2, Cell(g.bl, style)); set(x2, y2, Cell(g.br, style))
        let room = r.width - 4
        guard room > 2 else { return }
        // The right side (filter, counts) is kept; the title gives way.
        var rightW = 0
        if !right.isEmpty {
            // The title keeps up to half the room (all of it if it is short); the right side gets the rest.
            let titleWant = title.isEmpty ? 0 : CellWidth.of(title) + 2
            rightW = min(CellWidth.of(right) + 2, max(0, room - min(titleWant, room / 2)))
            if rightW > 3 { putFramed(x2 - rightW, r.y, right, width: rightW, .dim) } else { rightW = 0 }
        }
        if !title.isEmpty {
            let titleRoom = room - rightW
            if titleRoom > 3 {
                putFramed(r.x + 1, r.y, title, width: titleRoom, focused ? .titleFocused : .title)
            }
        }
    }
}
