import GatewayKit

/// Numbers and ids cut where they differ: at the front. "+55 71 7461-2345" in 10 cells is
/// "…7461-2345", an @lid "…4371345916@lid": one form in every pane and dialog, because people
/// with the same first name are told apart by the end of their number.
enum NumberText {
    static func fit(_ text: String, to width: Int) -> String {
        CellWidth.fit(tail(text, width), to: width)
    }

    static func tail(_ text: String, _ width: Int) -> String {
        let t = TerminalText.clean(text)
        guard width > 0 else { return "" }
        if CellWidth.of(t) <= width { return t }
        var out = ""
        var used = 1
        for ch in t.reversed() {
            let w = CellWidth.of(ch)
            if used + w > width { break }
            out.insert(ch, at: out.startIndex)
            used += w
        }
        return "…" + out
    }
}

/// Where the participants pane's columns go: sized to what the rows hold (a 200-column
/// terminal does not put names 90 columns from their numbers), cut from the left where the
/// pane is narrow: the name keeps its start, the number its end.
struct ParticipantColumns {
    var nameX = 0, nameW = 0
    var numberX = 0, numberW = 0
    var roleX = 0, roleW = 5
    var stateX = 0, stateW = 0

    /// - Parameter running: nil with no operation's rows to show; true while it runs (its
    ///   column is wide enough for reasons), false once it ended.
    ///   - joined: the column says when and how each joined (only new members shown).
    /// Widest content, looked at on at most a few thousand rows (enough), once per list
    /// (the derived cache keeps it while the list is the same).
    static func contentWidths(_ items: [Participant], g: Glyphs) -> DerivedCache.Widths {
        var nameContent = 4, numberContent = 8, phoneContent = 0
        let ownerMark = CellWidth.of(g.owner) + 1
        for p in items.prefix(4096) {
            let mark = p.role == .superadmin ? ownerMark : 0
            nameContent = max(nameContent, mark + CellWidth.of(p.name ?? "–"))
            let number = CellWidth.of(p.numberText)
            numberContent = max(numberContent, number)
            if p.phone != nil { phoneContent = max(phoneContent, number) }
        }
        return DerivedCache.Widths(name: nameContent, number: numberContent, phone: phoneContent)
    }

    init(width w: Int, tagWidth: Int, widths: DerivedCache.Widths, running: Bool?, joined: Bool = false) {
        // Phone numbers set the column; a longer @lid id is cut at the front like any number.
        var nameContent = widths.name, numberContent = widths.number
        let phoneContent = widths.phone
        if phoneContent > 0 { numberContent = max(8, phoneContent) }
        nameContent = min(nameContent, 40)
        numberContent = min(numberContent, 28)
        // Narrow: while an operation runs its state takes the role's place; once it ended a
        // mark (✓ ✗) stands beside the role.
        let narrow = w < 48
        // Narrow, listing new members: their join takes the role's place (they are members).
        roleW = (running == true && narrow) || (running == nil && joined && w < 64) ? 0 : 5
        switch running {
        case nil: stateW = joined ? min(25, max(9, w / 3)) : 0
        case true?: stateW = min(28, max(10, w / 3))
        case false?: stateW = narrow ? 1 : 11
        }
        let fixed = tagWidth + 1 + (roleW > 0 ? roleW + 1 : 0) + (stateW > 0 ? stateW + 1 : 0)
        let avail = max(0, w - fixed)
        // The number is whole when the name keeps 8 cells beside it; else each gets half, the
        // number never under 8 (its tail tells people apart).
        numberW = avail >= numberContent + 9 ? numberContent : min(numberContent, max(8, avail / 2))
        nameW = max(0, min(nameContent, avail - numberW - 1))
        nameX = tagWidth + 1
        numberX = nameX + nameW + 1
        roleX = numberX + numberW + 1
        stateX = roleX + (roleW > 0 ? roleW + 1 : 0)
        if stateW > 0, stateX + stateW > w { stateW = max(0, w - stateX) }
    }

}
