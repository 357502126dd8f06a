import ArgumentParser
import Foundation
import GatewayKit

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit log: every operation and each target's result.",
        discussion: """
        The log is $WAMOD_AUDIT, else $XDG_STATE_HOME/wamod/audit.jsonl (JSON Lines, append-only).

        Examples:
          wamod audit --since 2h
          wamod audit --since 1w --group 120363041234567890@g.us --wide
          wamod audit --op mhx0u3k1-4f2a9c1d --json
        """)

    @Option(help: "Only operations since then: a duration (90s, 15m, 1h30m, 2d, 1w) or a date (2026-11-22 or 2026-11-22T10:00:00Z).") var since: String?
    @Option(help: "Only operations on this group (its JID).") var group: String?
    @Option(help: "Read this file instead of the default.") var file: String?
    @Flag(help: "Print the records as JSON Lines.") var json = false
    @Flag(help: "Every column in full (the default fits the terminal's width, or $COLUMNS).") var wide = false
    @Option(help: "Show one operation with every result: each target's name, JID, outcome, reason, HTTP status, latency.") var op: String?

    func run() async throws {
        var cutoff: Date?
        if let since {
            guard let d = Durations.since(since) else {
                throw CommandFailure.usage("--since takes a duration (90s, 15m, 1h30m, 2d, 1w) or a date (2026-11-22 or 2026-11-22T10:00:00Z)")
            }
            cutoff = d
        }
        var groupJID: JID?
        if let group {
            do { groupJID = try JID.group(group) } catch { throw error.failure }
        }
        let path = file ?? AuditLog.defaultPath()
        let (records, bad) = try AuditLog.read(path: path)
        if let op {
            try Self.showOperation(op, records: records, path: path, json: json)
            if bad > 0 { Stdio.err("wamod: \(bad) line(s) of \(path) could not be read") }
            return
        }
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
            let unfinished = Self.unfinished(ops, shown)
            if shown.isEmpty {
                Stdio.out("no operations in \(path)\(cutoff != nil || groupJID != nil ? " that match" : "")")
            } else if wide {
                Stdio.out(Self.wideTable(shown, unfinished: unfinished).render())
            } else {
                for line in Self.narrow(shown, unfinished: unfinished, width: Stdio.width()) { Stdio.out(line) }
            }
        }
        if bad > 0 { Stdio.err("wamod: \(bad) line(s) of \(path) could not be read") }
    }
}

/// How the audit log is shown: names as recorded at the time of each operation (falling back
/// to the JIDs in records written before names were recorded), fitted to the terminal.
extension AuditCommand {
    /// Operations whose targets lack a final result (not for dry runs, nor given up), with how many.
    static func unfinished(_ ops: [AuditRecord], _ shown: [AuditRecord]) -> [String: Int] {
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
        return unfinished
    }

    /// `2026-11-22T10:01:07.123Z` as `2026-11-22 10:01:07`, or without the year (`11-22 10:01:07`) when `year` is false.
    static func shortTime(_ t: String, year: Bool = true, seconds: Bool = true) -> String {
        var s = t.replacingOccurrences(of: "T", with: " ")
        if let dot = s.firstIndex(of: ".") { s = String(s[..<dot]) }
        if s.hasSuffix("Z") { s.removeLast() }
        guard s.count == 19, s.dropFirst(4).first == "-" else { return s }
        if !seconds { s = String(s.dropLast(3)) }
        if !year { s = String(s.dropFirst(5)) }
        return s
    }

    static func who(_ r: AuditRecord) -> String { r.user.map { $0 + (r.client.map { "@\($0)" } ?? "") } ?? "" }

    /// A target as recorded: its name then, else its number, else its JID.
    static func targetName(_ r: AuditRecord, names: [String: String]) -> String {
        guard let t = r.target else { return "" }
        if let n = r.name ?? names[t], !n.isEmpty { return n }
        return (try? JID(parsing: t)).flatMap(\.phoneNumber) ?? t
    }

    /// The target's number (`+5511…`), or its JID when it has none (an `@lid`, a group).
    static func targetID(_ t: String?) -> String {
        guard let t else { return "" }
        return (try? JID(parsing: t)).flatMap(\.phoneNumber) ?? t
    }

    /// What an operation did, in words: action, count, the group's subject (or JID) and the session's label (or id).
    static func what(_ r: AuditRecord, unfinished: Int?) -> String {
        ([core(r)] + notes(r, unfinished: unfinished)).joined(separator: " · ")
    }

    /// What an operation did, without its notes.
    static func core(_ r: AuditRecord) -> String {
        let groups = Set((r.steps ?? []).map(\.group)).count
        // Kinds whose targets are groups (a leave, a link reset, a lock) name the groups.
        let onGroups = OperationKind(rawValue: r.action ?? "")?.targetsGroups == true
        let place: String
        if let sub = r.subject { place = "\"\(sub)\"" } else if let g = r.group { place = g } else if onGroups {
            place = (r.targets?.count ?? 0) == 1 ? (r.names?.values.first.map { "\"\($0)\"" } ?? r.targets?.first ?? "groups")
                : "\(r.targets?.count ?? 0) groups"
        } else { place = groups > 1 ? "\(groups) groups" : "groups" }
        let count = onGroups ? "" : " \(r.targets?.count ?? 0)"
        let on = r.sessionLabel ?? r.session ?? "several sessions"
        let settings = r.settings.map { " (\(SettingsText.brief($0)))" } ?? ""
        return "\(r.action ?? "?")\(settings)\(r.dryRun == true ? " (dry run)" : "")\(count) \(onGroups ? "" : "in ")\(place) on \(on)"
    }

    /// What else an operation's line says: what it undoes, what is left unfinished, why.
    static func notes(_ r: AuditRecord, unfinished: Int?) -> [String] {
        [r.undoes.map { "(undo of \($0))" }, unfinished.map { "\($0) without a final result (wamod resume \(r.op))" },
         r.reason.map { "reason: \($0)" }, r.notice.map { "notice: \"\(TerminalText.clip($0, 40))\"" }].compactMap { $0 }
    }

    static func detail(_ r: AuditRecord) -> String {
        [r.httpStatus.map { "HTTP \($0)" }, r.detail].compactMap { $0 }.joined(separator: ": ")
    }

    /// The default view: one line per operation (time, id, who, what), its results indented
    /// under it (outcome, name, number, group when it spans several, detail); every line fits `width`.
    static func narrow(_ shown: [AuditRecord], unfinished: [String: Int], width: Int) -> [String] {
        var ops = Table(["TIME (UTC)", "OPERATION", "WHO", "WHAT"])
        // The year and the seconds only where there is room for them (`--op` has them).
        let year = width >= 120, seconds = width >= 100
        func shortTime(_ t: String) -> String { Self.shortTime(t, year: year, seconds: seconds) }
        var results = Table(["OUTCOME", "NAME", "NUMBER", "GROUP", "DETAIL"])
        results.showsHeaders = false
        results.keepTail = [2]
        // Which line of which table each record becomes, and the notes under an operation.
        enum Line { case op(Int), result(Int), note(String) }
        var order: [Line] = []
        var namesByOp: [String: [String: String]] = [:]
        var spans: [String: Bool] = [:]
        for r in shown where r.type == "operation" {
            namesByOp[r.op] = r.names ?? [:]
            spans[r.op] = (r.subjects?.count ?? 0) > 1 || Set((r.steps ?? []).map(\.group)).count > 1
        }
        for r in shown {
            switch r.type {
            case "operation":
                ops.add([shortTime(r.time), r.op, who(r), core(r)])
                order.append(.op(ops.rows.count - 1))
                // Each note on a line of its own under the operation, where it has the width.
                for n in notes(r, unfinished: unfinished[r.op]) { order.append(.note(n)) }
            case "resume":
                ops.add([shortTime(r.time), r.op, who(r), "resumed: \(r.targets?.count ?? 0) left to send"])
                order.append(.op(ops.rows.count - 1))
            case "abandoned":
                ops.add([shortTime(r.time), r.op, who(r), "given up: \(r.targets?.count ?? 0) not sent"])
                order.append(.op(ops.rows.count - 1))
            default:
                let group = spans[r.op] == true ? (r.subject ?? r.group ?? "") : ""
                results.add([(r.outcome ?? "") + (r.resumable == true ? " (resumable)" : ""), targetName(r, names: namesByOp[r.op] ?? [:]),
                             targetID(r.target), group, detail(r)])
                order.append(.result(results.rows.count - 1))
            }
        }
        // The operation's id is what `--op` and `wamod undo` take: never cut.
        let opWidths = ops.widths(fitting: width, shrink: [3, 2, 0], minimum: [3: 12, 2: 6, 0: 10])
        let indent = "    "
        let resultWidths = results.widths(fitting: width - indent.count, shrink: [4, 3, 1, 2], minimum: [4: 8, 3: 8, 1: 8, 2: 10])
        let opLines = ops.lines(widths: opWidths)
        let resultLines = results.lines(widths: resultWidths)
        var out = [opLines[0]]
        for o in order {
            switch o {
            case .op(let row): out.append(opLines[row + 1])
            case .result(let row): out.append(indent + resultLines[row])
            case .note(let text): out.append(indent + CellWidth.sanitize(text))
            }
        }
        // Whatever a narrow terminal leaves no room for is cut with an ellipsis, never wrapped.
        return out.map { CellWidth.truncate($0, to: width) }
    }

    /// `--wide`: every column in full.
    static func wideTable(_ shown: [AuditRecord], unfinished: [String: Int]) -> Table {
        var t = Table(["TIME", "OPERATION", "WHO", "SESSION", "WHAT", "GROUP", "TARGET", "NAME", "OUTCOME", "HTTP", "LATENCY", "DETAIL"])
        var namesByOp: [String: [String: String]] = [:]
        for r in shown where r.type == "operation" { namesByOp[r.op] = r.names ?? [:] }
        for r in shown {
            switch r.type {
            case "operation":
                t.add([r.time, r.op, who(r), [r.sessionLabel, r.session].compactMap { $0 }.joined(separator: " "), what(r, unfinished: unfinished[r.op]),
                       [r.subject.map { "\"\($0)\"" }, r.group].compactMap { $0 }.joined(separator: " "), "", "", "", "", "", ""])
            case "resume":
                t.add([r.time, r.op, who(r), "", "resumed: \(r.targets?.count ?? 0) left to send", "", "", "", "", "", "", ""])
            case "abandoned":
                t.add([r.time, r.op, who(r), "", "given up: \(r.targets?.count ?? 0) not sent", "", "", "", "", "", "", ""])
            default:
                t.add([r.time, r.op, "", r.session ?? "", "", [r.subject.map { "\"\($0)\"" }, r.group].compactMap { $0 }.joined(separator: " "),
                       r.target ?? "", r.name ?? namesByOp[r.op]?[r.target ?? ""] ?? "",
                       (r.outcome ?? "") + (r.resumable == true ? " (resumable)" : ""), r.httpStatus.map(String.init) ?? "",
                       r.latencyMs.map { "\($0) ms" } ?? "", r.detail ?? ""])
            }
        }
        return t
    }

    /// `--op ID`: one operation, and every result of each target.
    static func showOperation(_ id: String, records: [AuditRecord], path: String, json: Bool) throws {
        let mine = records.filter { $0.op == id }
        guard let start = mine.first(where: { $0.type == "operation" }) else {
            throw CommandFailure(message: "no operation \(TerminalText.clip(id, 60)) in \(path) (`wamod audit` lists them)", code: Exit.someFailed)
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for r in mine { if let d = try? e.encode(r) { Stdio.json(String(decoding: d, as: UTF8.self)) } }
            return
        }
        let open = unfinished([start], mine)[id]
        var head: [(String, String)] = [
            ("operation", id), ("what", what(start, unfinished: open)), ("time", start.time + " (UTC)"),
            ("who", who(start) + (start.profile.map { " · profile \($0)" } ?? "")),
        ]
        if let g = start.gateway { head.append(("gateway", g + (start.dialect.map { " (\($0))" } ?? ""))) }
        if let s = start.session { head.append(("session", start.sessionLabel.map { "\($0) (\(s))" } ?? s)) }
        if let g = start.group { head.append(("group", start.subject.map { "\"\($0)\" (\(g))" } ?? g)) }
        if let u = start.undoes { head.append(("undoes", u)) }
        for r in mine where r.type == "resume" { head.append(("resumed", "\(r.time) by \(who(r)): \(r.targets?.count ?? 0) left to send")) }
        for r in mine where r.type == "abandoned" { head.append(("given up", "\(r.time) by \(who(r)): \(r.targets?.count ?? 0) not sent")) }
        let label = head.map { CellWidth.of($0.0) }.max() ?? 0
        for (k, v) in head { Stdio.out(CellWidth.fit(k, to: label) + "  " + v) }
        Stdio.out("")
        let spans = (start.steps.map { Set($0.map(\.group)).count } ?? 1) > 1
        var t = Table(["NAME", "JID"] + (spans ? ["GROUP"] : []) + ["OUTCOME", "REASON", "HTTP", "LATENCY", "RESUMABLE"])
        t.rightAligned = spans ? [5, 6] : [4, 5]
        let names = start.names ?? [:]
        var answered = Set<String>()
        for r in mine where r.type == "result" {
            answered.insert(r.target ?? "")
            let group = spans ? [[r.subject.map { "\"\($0)\"" }, r.group].compactMap { $0 }.joined(separator: " ")] : []
            // What else the result kept: the settings it found (an undo puts them back), the
            // invite link a leave kept (the way back), the exit notice's fate.
            let extra = [r.before.map { "before: \(SettingsText.change($0))" }, r.inviteLink.map { "way back: \($0)" },
                         r.notice.map { "notice: \($0)" }].compactMap { $0 }
            let detail = ([r.detail].compactMap { $0 } + extra).joined(separator: "; ")
            t.add([r.name ?? names[r.target ?? ""] ?? "-", r.target ?? ""] + group
                  + [r.outcome ?? "", detail, r.httpStatus.map(String.init) ?? "", r.latencyMs.map { "\($0) ms" } ?? "",
                     r.resumable == true ? "yes" : "no"])
        }
        // Targets of the plan with no result at all (a dry run; a run cut short).
        for target in start.targets ?? [] where !answered.contains(target) {
            let group = spans ? [start.steps?.first { $0.target == target }?.group ?? ""] : []
            t.add([names[target] ?? "-", target] + group + [start.dryRun == true ? "(dry run: not sent)" : "(no result)", "", "", "", start.dryRun == true ? "no" : "?"])
        }
        Stdio.out(t.render())
    }
}
