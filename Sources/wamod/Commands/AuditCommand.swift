import ArgumentParser
import Foundation
import GatewayKit

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit log: every operation and each target's result.",
        discussion: "The log is $WAMOD_AUDIT, else $XDG_STATE_HOME/wamod/audit.jsonl (JSON Lines, append-only).")

    @Option(help: "Only operations since then: a duration (30m, 2h, 7d) or a date (2026-11-22 or 2026-11-22T10:00:00Z).") var since: String?
    @Option(help: "Only operations on this group (its JID).") var group: String?
    @Option(help: "Read this file instead of the default.") var file: String?
    @Flag(help: "Print the records as JSON Lines.") var json = false

    func run() async throws {
        var cutoff: Date?
        if let since {
            guard let d = Self.parseSince(since) else { throw CommandFailure.usage("--since takes 30m, 2h, 7d or a date like 2026-11-22") }
            cutoff = d
        }
        var groupJID: JID?
        if let group {
            do { groupJID = try JID.group(group) } catch { throw error.failure }
        }
        let path = file ?? AuditLog.defaultPath()
        let (records, bad) = try AuditLog.read(path: path)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let ops = records.filter { r in
            guard r.type == "operation" else { return false }
            if let cutoff, let t = iso.date(from: r.time), t < cutoff { return false }
            if let groupJID, r.group.flatMap({ try? JID(parsing: $0) }) != groupJID,
               !(r.targets ?? []).contains(groupJID.string),
               !(r.steps ?? []).contains(where: { $0.group == groupJID.string }) { return false }
            return true
        }
        let keep = Set(ops.map(\.op))
        let shown = records.filter { keep.contains($0.op) }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for r in shown { if let d = try? e.encode(r) { Stdio.json(String(decoding: d, as: UTF8.self)) } }
        } else {
            // Targets whose last result is missing or not final, per operation (not for dry runs).
            var unfinished: [String: Int] = [:]
            for op in ops where op.dryRun != true {
                let mine = shown.filter { $0.op == op.op && $0.type == "result" }
                var last: [String: AuditRecord] = [:]
                for r in mine { last[(r.session ?? "") + " " + (r.group ?? "") + " " + (r.target ?? "")] = r }
                let steps = op.steps?.count ?? op.targets?.count ?? 0
                let final = last.values.filter { $0.resumable != true }.count
                let given = shown.contains { $0.op == op.op && $0.type == "abandoned" }
                if steps > final && !given { unfinished[op.op] = steps - final }
            }
            var t = Table(["TIME", "OPERATION", "WHO", "WHAT", "TARGET", "OUTCOME", "DETAIL"])
            t.maxWidths = [6: 60]
            for r in shown {
                let who = r.user.map { $0 + (r.client.map { "@\($0)" } ?? "") } ?? ""
                switch r.type {
                case "operation":
                    let groups = Set((r.steps ?? []).map(\.group)).count
                    let place = r.group ?? (groups > 1 ? "\(groups) groups" : "groups")
                    let what = "\(r.action ?? "?")\(r.dryRun == true ? " (dry run)" : "") \(r.targets?.count ?? 0) in \(place) on \(r.session ?? "several sessions")"
                        + (r.undoes.map { " (undo of \($0))" } ?? "")
                        + (unfinished[r.op].map { " · \($0) without a final result (wamod resume \(r.op))" } ?? "")
                    t.add([r.time, r.op, who, what, "", "", r.reason.map { "reason: \($0)" } ?? ""])
                case "resume":
                    t.add([r.time, r.op, who, "resumed: \(r.targets?.count ?? 0) left to send", "", "", ""])
                case "abandoned":
                    t.add([r.time, r.op, who, "given up: \(r.targets?.count ?? 0) not sent", "", "", ""])
                default:
                    t.add([r.time, r.op, "", "", r.target ?? "", (r.outcome ?? "") + (r.resumable == true ? " (resumable)" : ""),
                           [r.httpStatus.map { "HTTP \($0)" }, r.detail].compactMap { $0 }.joined(separator: ": ")])
                }
            }
            Stdio.out(shown.isEmpty ? "no operations in \(path)\(cutoff != nil || groupJID != nil ? " that match" : "")" : t.render())
        }
        if bad > 0 { Stdio.err("wamod: \(bad) line(s) of \(path) could not be read") }
    }

    static func parseSince(_ s: String, now: Date = Date()) -> Date? {
        if let unit = s.last, let n = Double(s.dropLast()), n >= 0 {
            switch unit {
            case "m": return now.addingTimeInterval(-n * 60)
            case "h": return now.addingTimeInterval(-n * 3600)
            case "d": return now.addingTimeInterval(-n * 86400)
            default: break
            }
        }
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: s) { return d }
        iso.formatOptions = [.withFullDate]
        return iso.date(from: s)
    }
}
