import GatewayKit

/// A plain text table aligned by terminal cells, so CJK and emoji names keep columns straight.
struct Table {
    var headers: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int> = []
    var maxWidths: [Int: Int] = [:]

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row.map(CellWidth.sanitize)) }

    func render() -> String {
        var widths = headers.map(CellWidth.of)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], CellWidth.of(cell))
            }
        }
        for (i, w) in maxWidths where i < widths.count { widths[i] = min(widths[i], w) }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, w) in widths.enumerated() {
                let c = i < cells.count ? cells[i] : ""
                parts.append(i == widths.count - 1 && !rightAligned.contains(i)
                             ? CellWidth.truncate(c, to: w) : CellWidth.fit(c, to: w, alignRight: rightAligned.contains(i)))
            }
            var s = parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}
