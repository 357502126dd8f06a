import Foundation
import GatewayKit

/// How `wamod config check` and `wamod doctor` print their checks: one line each (`ok`,
/// `warn` or `FAIL`, what it is about, what was found), the hint on the line below a warning
/// or a failure, and a count at the end; or `--json`.
enum CheckReport {
    struct Out: Encodable {
        var checks: [Check]
        var ok: Int, warn: Int, fail: Int
    }

    static func print(_ checks: [Check], json: Bool) {
        if json {
            return JSONOutput.print(Out(checks: checks, ok: checks.count(.ok), warn: checks.count(.warn), fail: checks.count(.fail)))
        }
        for line in lines(checks) { Stdio.out(line) }
    }

    static func lines(_ checks: [Check]) -> [String] {
        let subjects = checks.map { c in (c.profile.map { TerminalText.clip($0, 24) + " " } ?? "") + c.name }
        let width = subjects.map(CellWidth.of).max() ?? 0
        var out: [String] = []
        for (c, subject) in zip(checks, subjects) {
            let status = c.status.label.padding(toLength: 4, withPad: " ", startingAt: 0)
            let pad = String(repeating: " ", count: max(0, width - CellWidth.of(subject)))
            out.append("\(status)  \(subject)\(pad)  \(c.detail)")
            if c.status != .ok, let hint = c.hint {
                out.append(String(repeating: " ", count: 4 + 2 + width + 2) + "hint: " + hint)
            }
        }
        let (ok, warn, fail) = (checks.count(.ok), checks.count(.warn), checks.count(.fail))
        out.append("")
        out.append("\(ok) ok, \(warn) warning\(warn == 1 ? "" : "s"), \(fail) failed")
        return out
    }
}
