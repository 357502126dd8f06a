import GatewayKit

/// A plain text table aligned by terminal cells, so CJK and emoji names keep columns straight.
struct Table {
    var headers: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int> = []
    var maxWidths: [Int: Int] = [:]
    /// Columns cut from the left, keeping their tail (`…900000011`): numbers and ids, whose end tells them apart.
    var keepTail: Set<Int> = []
    /// Whether the header line is printed.
    var showsHeaders = true

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row.map(CellWidth.sanitize)) }

    /// Each column's width: its widest cell, within `maxWidths`.
    func naturalWidths() -> [Int] {
        var widths = showsHeaders ? headers.map(CellWidth.of) : headers.map { _ in 0 }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], CellWidth.of(cell))
            }
        }
        for (i, w) in maxWidths where i < widths.count { widths[i] = min(widths[i], w) }
        return widths
    }

    /// Widths that fit `total` cells (two between columns): the columns of `shrink` give
    /// up cells in that order, down to their `minimum` (4 unless said), until the line fits.
    func widths(fitting total: Int, shrink: [Int], minimum: [Int: Int] = [:]) -> [Int] {
        var widths = naturalWidths()
        let shown = showsHeaders ? widths.count : widths.filter { $0 > 0 }.count
        var excess = widths.reduce(0, +) + 2 * max(0, shown - 1) - total
        for i in shrink where excess > 0 && i < widths.count {
            let floor = min(widths[i], minimum[i] ?? 4)
            let give = min(excess, widths[i] - floor)
            widths[i] -= give
            excess -= give
        }
        return widths
    }

    func render(widths given: [Int]? = nil) -> String {
        lines(widths: given).joined(separator: "\n")
    }

    /// The table's lines (the header first when shown), each column cut or padded to its width.
    func lines(widths given: [Int]? = nil) -> [String] {
        let widths = given ?? naturalWidths()
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            // A column without a header and with nothing in it takes no room.
            for (i, w) in widths.enumerated() where w > 0 || showsHeaders {
                let c = i < cells.count ? cells[i] : ""
                let cut = keepTail.contains(i) ? Self.truncateKeepingTail(c, to: w) : c
                parts.append(i == widths.count - 1 && !rightAligned.contains(i)
                             ? CellWidth.truncate(cut, to: w) : CellWidth.fit(cut, to: w, alignRight: rightAligned.contains(i)))
            }
            var s = parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        return (showsHeaders ? [line(headers)] : []) + rows.map(line)
    }

    /// `s` cut to `width` cells from the left, starting with `…` when cut.
    static func truncateKeepingTail(_ s: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if CellWidth.of(s) <= width { return s }
        var tail: [Character] = []
        var used = 0
        for ch in s.reversed() {
            let w = CellWidth.of(ch)
            if used + w > width - 1 { break }
            tail.append(ch)
            used += w
        }
        return "…" + String(tail.reversed())
    }
}
