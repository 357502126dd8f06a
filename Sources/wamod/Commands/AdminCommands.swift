import ArgumentParser
import Foundation
import GatewayKit

/// The incident toolkit's group commands: the invite link, lock-down and settings, join
/// requests. Each is an operation like a removal: previewed from a fresh read, confirmed as
/// the one friction policy says, journaled, paced and audited.

/// Runs a kind whose steps are groups of one session (a link reset, a lock, settings).
enum GroupOperation {
    /// Resolves the groups, reads each (are we admin; are the settings already so), asks,
    /// runs, prints. `change` gives each group's wanted settings (nil for a link reset).
    static func run(_ kind: OperationKind, session text: String, groups texts: [String], gateway options: GatewayOptions,
                    mutation: MutationOptions, change: ((Capabilities) throws -> GroupSettings)? = nil) async throws {
        guard !texts.isEmpty else { throw CommandFailure.usage("name at least one group") }
        for g in texts where g.contains("@") {
            do { _ = try JID.group(g) } catch { throw error.failure }
        }
        let (profile, gw) = try await options.makeGateway()
        if let why = gw.capabilities.missing(kind, dialect: gw.dialect) { throw CommandFailure.usage(why) }
        let wanted = try change?(gw.capabilities)
        if let wanted, wanted.isEmpty { throw CommandFailure.usage("no setting to change") }
        let s = try await Lookup.session(text, profile: profile, gateway: gw)
        let resolved = try await Lookup.groups(texts, session: s, gateway: gw)
        var plan: [(Group, Verdict)] = []
        for g in resolved { plan.append((g, await verdict(kind, group: g, session: s, gateway: gw, wanted: wanted))) }
        var report = LeaveReport(session: s, json: mutation.json, action: kind.rawValue)
        let blocked = s.connected ? nil : Blocker.notConnected(status: s.status).text
        if mutation.dryRun || blocked != nil {
            if let wanted, !mutation.json { Stdio.out("would set: \(SettingsText.change(wanted))") }
            report.printPlan(plan, blocked: blocked)
            let skips = plan.contains { if case .skip = $0.1 { true } else { false } }
            throw ExitCode(blocked == nil && !skips ? Exit.allDone : Exit.someFailed)
        }
        let chosen = plan.filter { $0.1.sends }.map(\.0)
        if !chosen.isEmpty && !mutation.yes {
            try Confirm.requireTerminal(kind.verb)
            let what = wanted.map { ": \(SettingsText.change($0))" } ?? ""
            Stdio.err("About to \(kind.verb) in \(chosen.count) group\(chosen.count == 1 ? "" : "s") on session \(TerminalText.clip(s.label))\(what):")
            for g in chosen.prefix(20) { Stdio.err("  - \(TerminalText.clip(g.subject)) (\(g.jid))") }
            if chosen.count > 20 { Stdio.err("  … and \(chosen.count - 20) more") }
            if kind == .inviteReset { Stdio.err("The old link stops working at once; a reset cannot be undone.") }
            try Confirm.demand(Friction.required(kind, targets: chosen.count, subjects: chosen.map(\.subject)),
                               alsoName: chosen.count == 1 ? chosen.first?.subject : nil)
        }
        let (id, byGroup) = try await CLIOperation.runOnGroups(kind, chosen, session: s, settings: wanted, reason: mutation.reason,
                                                               profile: profile, gateway: gw)
        report.operation = id
        let code = report.printResults(plan.map { g, v in (g, v, v.sends ? byGroup[g.jid] : nil) })
        if !mutation.json, let id {
            if kind.changesSettings, byGroup.values.contains(where: { $0.outcome == .done }) {
                Stdio.out("operation \(id) (`wamod undo \(id)` puts the settings back as they were)")
            } else {
                Stdio.out("operation \(id)")
            }
        }
        throw ExitCode(code)
    }

    /// Whether acting on `group` can work: the session connected and admin there, and (for
    /// settings) not already as wanted.
    static func verdict(_ kind: OperationKind, group: Group, session: Session, gateway: any Gateway, wanted: GroupSettings?) async -> Verdict {
        if session.account != nil || session.accountLID != nil,
           let people = try? await gateway.participants(session: session.id, group: group.jid) {
            guard let role = people.role(of: session) else { return .skip("the session is not a member") }
            if !role.isAdmin { return .skip("we are not admin") }
        }
        if let wanted, !gateway.capabilities.readsSettings.isEmpty,
           let now = try? await gateway.settings(session: session.id, group: group.jid), now.satisfies(wanted) {
            return .alreadySo("already so (\(SettingsText.change(wanted)))")
        }
        return .willAct
    }
}

/// The session and the groups a groups command acts on (leave, invite reset, lock, unlock).
struct GroupTargets: ParsableArguments {
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "Groups: JIDs or exact subjects.") var groups: [String] = []
}

struct InviteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "A group's invite link: show it, or reset it (the old link stops working).",
        discussion: """
        Examples:
          wamod invite show Support "Buyers Club"
          wamod invite reset Support "Buyers Club" --reason "link leaked"
        """,
        subcommands: [InviteShowCommand.self, InviteResetCommand.self])
}

struct InviteShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a group's invite link (masked unless --reveal: whoever has it can join).",
        discussion: """
        Examples:
          wamod invite show Support "Buyers Club"
          wamod invite show Support 120363041234567890@g.us --reveal --json
        """)
    @OptionGroup var gateway: GatewayOptions
    @Flag(name: .long, help: "Print the whole link.") var reveal = false
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID or exact subject.") var group: String

    func run() async throws {
        let (profile, gw) = try await gateway.makeGateway()
        guard gw.capabilities.inviteLinks else { throw CommandFailure.usage(gw.capabilities.missing(.inviteReset, dialect: gw.dialect) ?? "") }
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let g = try await Lookup.group(group, session: s, gateway: gw)
        let link = try await gw.inviteLink(session: s.id, group: g.jid)
        let shown = reveal ? link.url : link.masked
        if json {
            struct Out: Encodable { var group: String; var subject: String; var link: String; var masked: Bool }
            JSONOutput.print(Out(group: g.jid.string, subject: g.subject, link: shown, masked: !reveal))
        } else {
            Stdio.out("\(TerminalText.clip(g.subject)) (\(g.jid)): \(shown)\(reveal ? "" : "  (--reveal prints it whole)")")
        }
    }
}

struct InviteResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset", abstract: "Reset groups' invite links: the old links stop working. Cannot be undone.",
        discussion: """
        Examples:
          wamod invite reset Support "Buyers Club" --reason "link leaked"
          wamod invite reset Support 120363041234567890@g.us --yes
        """)
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var targets: GroupTargets

    func run() async throws {
        try await GroupOperation.run(.inviteReset, session: targets.session, groups: targets.groups, gateway: gateway, mutation: mutation)
    }
}

/// The settings a lock turns on: admins-only messages and locked info, and with
/// `--all-settings` admins-only adding and approval where the dialect sets them.
enum LockSettings {
    static func change(_ on: Bool, all: Bool, _ caps: Capabilities) throws -> GroupSettings {
        var c = GroupSettings()
        let wanted: [GroupSetting] = all ? GroupSetting.allCases : [.announce, .locked]
        for s in wanted where caps.setsSettings.contains(s) { c[s] = on }
        if c.isEmpty { throw CommandFailure.usage("this gateway's dialect sets none of: \(wanted.map(\.title).joined(separator: ", "))") }
        return c
    }
}

/// Lock and unlock: the same command, turning the settings on or off.
protocol LockToggle: AsyncParsableCommand {
    static var kind: OperationKind { get }
    var gateway: GatewayOptions { get }
    var mutation: MutationOptions { get }
    var allSettings: Bool { get }
    var targets: GroupTargets { get }
}

extension LockToggle {
    func run() async throws {
        try await GroupOperation.run(Self.kind, session: targets.session, groups: targets.groups, gateway: gateway, mutation: mutation) { caps in
            try LockSettings.change(Self.kind == .lock, all: allSettings, caps)
        }
    }
}

struct LockCommand: LockToggle {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Lock groups down: only admins send and edit info (--all-settings: and add members, with approval for new members).",
        discussion: """
        Each group's settings before the lock are recorded in the audit log; `wamod undo OP` \
        puts back exactly what was there.

        Examples:
          wamod lock Support "Buyers Club" --reason "spam wave"
          wamod lock Support "Buyers Club" "Eventos São Paulo" --all-settings --yes
          wamod lock Support 120363041234567890@g.us --dry-run
        """)
    static let kind = OperationKind.lock
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Flag(name: .long, help: "Also admins-only adding and approval for new members, where the dialect sets them.") var allSettings = false
    @OptionGroup var targets: GroupTargets
}

struct UnlockCommand: LockToggle {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Open groups again: everyone sends and edits info (--all-settings: and adds, without approval).",
        discussion: """
        To put back exactly what a lock found, undo the lock instead: `wamod undo OP`.

        Examples:
          wamod unlock Support "Buyers Club"
          wamod unlock Support "Buyers Club" --all-settings --dry-run
        """)
    static let kind = OperationKind.unlock
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Flag(name: .long, help: "Also everyone adds members, and no approval for new members, where the dialect sets them.") var allSettings = false
    @OptionGroup var targets: GroupTargets
}

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show a group's settings, or set single ones: announce=on locked=off admins-add=on approval=off.",
        discussion: """
        Examples:
          wamod settings Support "Buyers Club"
          wamod settings Support "Buyers Club" announce=on approval=on --reason "raid"
        """)
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID or exact subject.") var group: String
    @Argument(help: "Settings to change, as key=on|off (none: show them).") var changes: [String] = []

    /// `announce=on …` as a change; a malformed or unknown key is refused, never guessed.
    static func parse(_ items: [String]) throws -> GroupSettings {
        var c = GroupSettings()
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).lowercased() }
            guard parts.count == 2, let setting = GroupSetting.allCases.first(where: { $0.key == parts[0] || $0.rawValue == parts[0] }) else {
                throw CommandFailure.usage("'\(TerminalText.clip(item, 40))' is not a setting: use \(GroupSetting.allCases.map { "\($0.key)=on|off" }.joined(separator: ", "))")
            }
            switch parts[1] {
            case "on", "true", "yes", "1": c[setting] = true
            case "off", "false", "no", "0": c[setting] = false
            default: throw CommandFailure.usage("'\(TerminalText.clip(item, 40))': the value is on or off")
            }
        }
        return c
    }

    func run() async throws {
        let change = try Self.parse(changes)
        if change.isEmpty { return try await show() }
        try await GroupOperation.run(.settings, session: session, groups: [group], gateway: gateway, mutation: mutation) { caps in
            let missing = change.known.map(\.setting).filter { !caps.setsSettings.contains($0) }
            if !missing.isEmpty { throw CommandFailure.usage("this gateway's dialect cannot set: \(missing.map(\.title).joined(separator: ", "))") }
            return change
        }
    }

    func show() async throws {
        let (profile, gw) = try await gateway.makeGateway()
        guard !gw.capabilities.readsSettings.isEmpty else {
            throw CommandFailure.usage("this gateway's dialect (\(gw.dialect.rawValue)) does not read group settings")
        }
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let g = try await Lookup.group(group, session: s, gateway: gw)
        let now = try await gw.settings(session: s.id, group: g.jid)
        if mutation.json {
            JSONOutput.print(now)
            return
        }
        Stdio.out("\(TerminalText.clip(g.subject)) (\(g.jid))")
        var t = Table(["SETTING", "KEY", "NOW"])
        for setting in GroupSetting.allCases {
            let value = now[setting].map { $0 ? "on" : "off" } ?? (gw.capabilities.readsSettings.contains(setting) ? "?" : "not read by this dialect")
            t.add([setting.title, setting.key, value])
        }
        Stdio.out(t.render())
    }
}

struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Pending requests to join a group: list, approve, reject.",
        discussion: """
        Examples:
          wamod requests list Support "Buyers Club"
          wamod requests approve Support "Buyers Club" +5511999990000
          wamod requests reject Support "Buyers Club" --all-pending
        """,
        subcommands: [RequestsListCommand.self, RequestsApproveCommand.self, RequestsRejectCommand.self])
}

struct RequestsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a group's pending join requests.",
        discussion: """
        Examples:
          wamod requests list Support "Buyers Club"
          wamod requests list Support 120363041234567890@g.us --json
        """)
    @OptionGroup var gateway: GatewayOptions
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID or exact subject.") var group: String

    func run() async throws {
        let (profile, gw) = try await gateway.makeGateway()
        if let why = gw.capabilities.missing(.approve, dialect: gw.dialect) { throw CommandFailure.usage(why) }
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let g = try await Lookup.group(group, session: s, gateway: gw)
        let list = try await gw.joinRequests(session: s.id, group: g.jid)
        if json {
            struct Row: Encodable { var requester: String; var phone: String?; var method: String?; var at: Date? }
            JSONOutput.print(list.map { Row(requester: $0.requester.string, phone: $0.phone?.string, method: $0.method, at: $0.at) })
            return
        }
        Stdio.out("\(list.count) pending in \(TerminalText.clip(g.subject)) (\(g.jid))")
        var t = Table(["NUMBER", "REQUESTER", "HOW", "ASKED"])
        let f = ISO8601DateFormatter()
        for r in list { t.add([r.numberText, r.requester.string, TerminalText.clip(r.method ?? "", 24), r.at.map { f.string(from: $0) } ?? ""]) }
        Stdio.out(t.render())
    }
}

/// Approving or rejecting named requests. The selection is the ids given, each checked; a
/// malformed or empty selection is refused, never taken to mean "all".
protocol RequestAnswer: AsyncParsableCommand {
    static var kind: OperationKind { get }
    var gateway: GatewayOptions { get }
    var mutation: MutationOptions { get }
    var session: String { get }
    var group: String { get }
    var requesters: [String] { get }
    var allPending: Bool { get }
}

extension RequestAnswer {
    func run() async throws {
        var ids: [JID] = []
        for t in requesters {
            do { ids.append(try JID.member(t)) } catch { throw error.failure }
        }
        guard !ids.isEmpty || allPending else {
            throw CommandFailure.usage("name the requests to \(Self.kind.verb) (`wamod requests list` shows them), or pass --all-pending")
        }
        guard ids.isEmpty || !allPending else { throw CommandFailure.usage("name requests or pass --all-pending, not both") }
        let (profile, gw) = try await gateway.makeGateway()
        if let why = gw.capabilities.missing(Self.kind, dialect: gw.dialect) { throw CommandFailure.usage(why) }
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let g = try await Lookup.group(group, session: s, gateway: gw)
        let pending = try await gw.joinRequests(session: s.id, group: g.jid)
        if allPending { ids = pending.map(\.requester) }
        var rows: [(JID, Verdict)] = []
        for id in ids {
            if pending.contains(where: { $0.requester == id || $0.phone == id }) { rows.append((id, .willAct)) }
            else { rows.append((id, .skip("not pending"))) }
        }
        let blocked = s.connected ? nil : Blocker.notConnected(status: s.status).text
        let toSend = rows.filter { $0.1.sends }.map(\.0)
        func row(_ id: JID, _ outcome: String, _ reason: String?, _ r: TargetResult? = nil) -> JSONOutput.ResultRow {
            JSONOutput.ResultRow(target: id.string, name: nil, outcome: outcome, reason: reason, httpStatus: r?.httpStatus, latencyMs: r?.latencyMs,
                                 resumable: r?.resumable == true ? true : nil)
        }
        func emit(_ out: [JSONOutput.ResultRow], dryRun: Bool, operation: String? = nil) {
            if mutation.json {
                JSONOutput.print(JSONOutput.Operation(action: Self.kind.rawValue, session: s.id, group: g.jid.string, dryRun: dryRun,
                                                      blocked: blocked, results: out, operation: operation))
                return
            }
            Stdio.out("\(dryRun ? "dry run: " : "")\(Self.kind.rawValue) in \"\(TerminalText.clip(g.subject))\" (\(g.jid)) on \(TerminalText.clip(s.label))")
            if let blocked { Stdio.out("blocked: \(blocked)") }
            Stdio.out(OperationReport.table(out))
            if let operation { Stdio.out("operation \(operation)"); OperationReport.printResumable(out, operation: operation) }
        }
        if mutation.dryRun || blocked != nil || toSend.isEmpty {
            emit(rows.map { row($0.0, blocked != nil ? "blocked" : ($0.1.sends ? "will-act" : "skip"), blocked ?? $0.1.reason) }, dryRun: mutation.dryRun)
            throw ExitCode(blocked == nil && rows.allSatisfy(\.1.sends) && !rows.isEmpty ? Exit.allDone : Exit.someFailed)
        }
        if !mutation.yes {
            try Confirm.requireTerminal(Self.kind.verb)
            Stdio.err("About to \(Self.kind.verb) \(toSend.count) request\(toSend.count == 1 ? "" : "s") to join \"\(TerminalText.clip(g.subject))\" (\(g.jid)):")
            for id in toSend.prefix(20) { Stdio.err("  - \(id.phoneNumber ?? id.string)") }
            if toSend.count > 20 { Stdio.err("  … and \(toSend.count - 20) more") }
            try Confirm.demand(Friction.required(Self.kind, targets: toSend.count, subjects: [g.subject]), alsoName: g.subject)
        }
        let context = AuditContext.current(profile: profile)
        var plan = OperationPlan(action: Self.kind, steps: toSend.map { OperationStep(session: s.id, group: g.jid, target: $0) },
                                 reason: mutation.reason, context: context)
        var labels = OperationLabels()
        labels.add(s)
        labels.add(g)
        plan.labels = labels
        let results = try await CLIOperation.run(plan, profile: profile, gateway: gw, sessions: [s], context: context)
        var byTarget: [JID: TargetResult] = [:]
        for r in results { byTarget[r.target] = r }
        var out: [JSONOutput.ResultRow] = []
        var ok = true
        for (id, v) in rows {
            if let r = byTarget[id], v.sends {
                if !r.outcome.isSuccess { ok = false }
                out.append(row(id, r.outcome.kind, r.outcome.reason, r))
            } else {
                ok = false
                out.append(row(id, "skipped", v.reason))
            }
        }
        emit(out, dryRun: false, operation: plan.id)
        throw ExitCode(ok ? Exit.allDone : Exit.someFailed)
    }
}

struct RequestsApproveCommand: RequestAnswer {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve pending join requests (they become members).",
        discussion: """
        Examples:
          wamod requests approve Support "Buyers Club" +5511999990000 +5511988880000
          wamod requests approve Support "Buyers Club" --all-pending --yes
        """)
    static let kind = OperationKind.approve
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Flag(name: .long, help: "Every request pending now (listed and confirmed first).") var allPending = false
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID or exact subject.") var group: String
    @Argument(help: "Requesters: numbers with country code, JIDs or @lid ids, as `wamod requests list` shows them.") var requesters: [String] = []
}

struct RequestsRejectCommand: RequestAnswer {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject pending join requests.",
        discussion: """
        Examples:
          wamod requests reject Support "Buyers Club" +5511977770000 --reason spam
          wamod requests reject Support "Buyers Club" --all-pending
        """)
    static let kind = OperationKind.reject
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Flag(name: .long, help: "Every request pending now (listed and confirmed first).") var allPending = false
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID or exact subject.") var group: String
    @Argument(help: "Requesters: numbers with country code, JIDs or @lid ids, as `wamod requests list` shows them.") var requesters: [String] = []
}

/// The exit notice of a removal (`--notice`, `--notice-file`).
struct NoticeOptions: ParsableArguments {
    @Option(name: .long, help: "Send this text to each person before removing them ({name} and {group} are filled in).") var notice: String?
    @Option(name: .long, help: "Read the notice's text from a file.") var noticeFile: String?
    @Flag(name: .long, help: "Send the notice to the group instead of one to one.") var noticeToGroup = false
    @Flag(name: .long, help: "Do not remove a person whose notice could not be sent.") var noticeRequired = false
    @Flag(name: .long, help: "Send the profile's notice_template.") var noticeDefault = false

    /// The notice asked for, or nil; a missing file, an empty text or one too long is refused.
    func make(template: String? = nil) throws -> Notice? {
        if [notice != nil, noticeFile != nil, noticeDefault].filter({ $0 }).count > 1 {
            throw CommandFailure.usage("give one of --notice, --notice-file, --notice-default")
        }
        var text = notice
        if noticeDefault {
            guard let template else { throw CommandFailure.usage("--notice-default: the profile has no notice_template") }
            text = template
        }
        if let path = noticeFile {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure.usage("cannot read the notice file \(path)") }
            guard let s = String(data: data.prefix(Notice.maxLength * 4 + 1), encoding: .utf8) else { throw CommandFailure.usage("the notice file is not UTF-8 text") }
            text = s
        }
        guard let raw = text else {
            if noticeToGroup || noticeRequired { throw CommandFailure.usage("--notice-to-group and --notice-required need a notice (--notice, --notice-file or --notice-default)") }
            return nil
        }
        let t = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { throw CommandFailure.usage("the notice is empty") }
        guard t.count <= Notice.maxLength else { throw CommandFailure.usage("the notice is longer than \(Notice.maxLength) characters") }
        return Notice(text: t, toGroup: noticeToGroup, required: noticeRequired)
    }
}
