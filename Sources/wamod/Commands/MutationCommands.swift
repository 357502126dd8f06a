import ArgumentParser
import Foundation
import GatewayKit
import Synchronization

/// Options every mutating command takes.
struct MutationOptions: ParsableArguments {
    @Flag(name: .long, help: "Show what would happen to each target; send nothing.") var dryRun = false
    @Flag(name: .long, help: "Do not ask for confirmation (required without a terminal).") var yes = false
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Option(name: .long, help: "Why: recorded in the audit log with the operation.") var reason: String?

    var audit: AuditLog { AuditLog(path: AuditLog.defaultPath()) }
}

protocol MemberMutation: AsyncParsableCommand {
    static var action: MemberAction { get }
    var gateway: GatewayOptions { get }
    var mutation: MutationOptions { get }
    var args: MemberTargets { get }
    /// The exit notice sent before each removal (remove only), with the profile's template.
    func notice(template: String?) throws -> Notice?
}

extension MemberMutation {
    func notice(template: String?) throws -> Notice? { nil }
}

/// The session, group and participants a member command acts on.
struct MemberTargets: ParsableArguments {
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID (…@g.us) or its exact subject.") var group: String
    @Argument(help: "Participants: phone numbers with country code (+5511…), user JIDs or @lid ids.") var given: [String] = []

    /// Every target: those parsed by the argument parser, and those the command line carried
    /// in bulk (`LongTargetList`).
    var targets: [String] { given + LongTargetList.taken() }
}

/// A command line naming thousands of participants: swift-argument-parser's handling of a
/// repeated positional argument takes time growing with the square of their count (10,000
/// targets took about a minute before anything was read), so `main` takes the targets out of
/// such a command line itself, in one pass, and hands them over here.
enum LongTargetList {
    static let commands: Set<String> = ["remove", "demote", "promote", "add"]
    /// Options of the member commands that take a value (the word after them is not a target).
    static let valued: Set<String> = ["--profile", "--gateway", "--dialect", "--timeout", "--pace", "--reason", "--notice", "--notice-file"]
    private static let held = Mutex<[String]>([])

    /// `arguments` (without the program's name) with the targets beyond the session and the
    /// group taken out when there are many; those are kept for `taken()`.
    static func extract(_ arguments: [String], threshold: Int = 64) -> [String] {
        guard let sub = arguments.first, commands.contains(sub), arguments.count > threshold else { return arguments }
        var kept = [sub]
        var positional = 0
        var targets: [String] = []
        var i = 1
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { targets += arguments[(i + 1)...]; break }
            if a.hasPrefix("--") {
                kept.append(a)
                if valued.contains(a), i + 1 < arguments.count { kept.append(arguments[i + 1]); i += 1 }
            } else if positional < 2 {
                kept.append(a)
                positional += 1
            } else {
                targets.append(a)
            }
            i += 1
        }
        held.withLock { $0 = targets }
        return kept
    }

    static func taken() -> [String] { held.withLock { $0 } }
}

extension MemberMutation {
    func run() async throws {
        // Malformed ids are refused before anything is read or sent.
        var jids: [JID] = []
        for t in args.targets {
            do { jids.append(try JID.member(t)) } catch { throw error.failure }
        }
        guard !jids.isEmpty else { throw CommandFailure.usage("name at least one participant") }
        // A group given as a JID is checked before anything is read.
        if args.group.contains("@") {
            do { _ = try JID.group(args.group) } catch { throw error.failure }
        }
        let (profile, gw) = try await gateway.makeGateway()
        let notice = try notice(template: profile.noticeTemplate)
        if let why = gw.capabilities.missing(OperationKind(Self.action), dialect: gw.dialect) { throw CommandFailure.usage(why) }
        if notice != nil, !gw.capabilities.sendsText {
            throw CommandFailure.usage("this gateway's dialect (\(gw.dialect.rawValue)) cannot send a notice")
        }
        let s = try await Lookup.session(args.session, profile: profile, gateway: gw)
        let g = try await Lookup.group(args.group, session: s, gateway: gw)
        let people = try await gw.participants(session: s.id, group: g.jid)
        let plan = Preflight.plan(Self.action, targets: jids, participants: people, session: s)
        var report = OperationReport(action: Self.action.rawValue, session: s, group: g, json: mutation.json)

        let audit = mutation.audit
        let opID = AuditLog.newOperationID()
        let context = AuditContext.current(profile: profile)
        // The names as the operator sees them now, recorded with the operation and each result.
        var labels = OperationLabels()
        labels.add(s)
        labels.add(g)
        for r in plan.rows { labels.name(r.target, r.participant?.name) }
        if mutation.dryRun {
            var record = AuditRecord.operation(id: opID, context: context, session: s.id, group: g.jid.string, action: Self.action.rawValue,
                                               targets: jids.map(\.string), reason: mutation.reason, dryRun: true)
            record.subject = g.subject
            record.sessionLabel = s.label
            let names = labels.targets.filter { t, _ in jids.contains { $0.string == t } }
            record.names = names.isEmpty ? nil : names
            try audit.append(record)
            report.printPlan(plan)
            // As the real run would exit, where the plan can tell: 1 when blocked or when a target would be skipped.
            let skips = plan.rows.contains { if case .skip = $0.verdict { true } else { false } }
            throw ExitCode(plan.blocker == nil && !skips ? Exit.allDone : Exit.someFailed)
        }
        if let blocker = plan.blocker {
            report.printBlocked(plan, blocker)
            throw ExitCode(Exit.someFailed)
        }
        let toSend = plan.toSend
        if !toSend.isEmpty && !mutation.yes {
            try Confirm.ask(OperationKind(Self.action), count: toSend.count, what: toSend.count == 1 ? "participant" : "participants",
                            group: g, session: s, listing: plan.rows.filter(\.verdict.sends).map { Confirm.label($0.target, $0.participant) },
                            notice: notice)
        }
        // The plan is journaled and recorded before the first request, and each result before it is reported.
        var opPlan = OperationPlan(id: opID, action: OperationKind(Self.action),
                                   steps: toSend.map { OperationStep(session: s.id, group: g.jid, target: $0) },
                                   reason: mutation.reason, context: context)
        opPlan.labels = labels
        opPlan.notice = notice
        if !toSend.isEmpty { report.operation = opID }
        let results = toSend.isEmpty ? [] : try await CLIOperation.run(opPlan, profile: profile, gateway: gw, sessions: [s], context: context)
        let code = report.printResults(plan, results)
        throw ExitCode(code)
    }
}

struct RemoveCommand: MemberMutation {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove participants from a group.",
        discussion: """
        Examples:
          wamod remove Support "Buyers Club" +5511999990000 --reason "spam wave"
          wamod remove Support 120363041234567890@g.us +5511999990000 --dry-run
          wamod remove Support "Buyers Club" +5511999990000 --notice-default --yes
        """)
    static let action = MemberAction.remove
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var noticeOptions: NoticeOptions
    @OptionGroup var args: MemberTargets

    func notice(template: String?) throws -> Notice? { try noticeOptions.make(template: template) }
}

struct DemoteCommand: MemberMutation {
    static let configuration = CommandConfiguration(
        commandName: "demote", abstract: "Take admin rights from participants.",
        discussion: """
        Examples:
          wamod demote Support "Buyers Club" +5511999990000
          wamod demote Support 120363041234567890@g.us +5511999990000 --dry-run --json
        """)
    static let action = MemberAction.demote
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct PromoteCommand: MemberMutation {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Make participants admins.",
        discussion: """
        Examples:
          wamod promote Support "Buyers Club" +5511999990000 --reason "new moderator"
          wamod promote Support "Buyers Club" 227711339955880@lid --yes
        """)
    static let action = MemberAction.promote
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct AddCommand: MemberMutation {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add (or re-add) participants to a group.",
        discussion: """
        Examples:
          wamod add Support "Buyers Club" +5511999990000
          wamod add Support "Buyers Club" +5511999990000 +5511988880000 --yes
        """)
    static let action = MemberAction.add
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "Leave groups with the session's own account.",
        discussion: """
        Examples:
          wamod leave Support "Old Campaign"
          wamod leave Support 120363041234567890@g.us 120363041234567891@g.us --dry-run
        """)
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "Groups: JIDs or exact subjects.") var groups: [String] = []

    func run() async throws {
        guard !groups.isEmpty else { throw CommandFailure.usage("name at least one group") }
        for g in groups where g.contains("@") {
            do { _ = try JID.group(g) } catch { throw error.failure }
        }
        let (profile, gw) = try await gateway.makeGateway()
        if let why = gw.capabilities.missing(.leave, dialect: gw.dialect) { throw CommandFailure.usage(why) }
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let resolved = try await Lookup.groups(groups, session: s, gateway: gw)
        var plan: [(Group, Verdict)] = []
        for g in resolved {
            plan.append((g, try await LeavePlan.verdict(group: g, session: s, gateway: gw)))
        }
        var report = LeaveReport(session: s, json: mutation.json)
        if mutation.dryRun {
            report.printPlan(plan, blocked: s.connected ? nil : Blocker.notConnected(status: s.status).text)
            // As the real run would exit: 1 when blocked or when a group would be skipped.
            let skips = plan.contains { if case .skip = $0.1 { true } else { false } }
            throw ExitCode(s.connected && !skips ? Exit.allDone : Exit.someFailed)
        }
        guard s.connected else {
            report.printPlan(plan, blocked: Blocker.notConnected(status: s.status).text)
            throw ExitCode(Exit.someFailed)
        }
        let toLeave = plan.filter { $0.1.sends }.map(\.0)
        if !toLeave.isEmpty && !mutation.yes {
            try Confirm.askLeave(groups: toLeave, session: s)
        }
        let (id, byGroup) = try await CLIOperation.runOnGroups(.leave, toLeave, session: s, settings: nil, reason: mutation.reason,
                                                               profile: profile, gateway: gw)
        report.operation = id
        let results: [(Group, Verdict, TargetResult?)] = plan.map { g, v in (g, v, v.sends ? byGroup[g.jid] : nil) }
        throw ExitCode(report.printResults(results))
    }
}

enum LeavePlan {
    static func verdict(group: Group, session: Session, gateway: any Gateway) async throws -> Verdict {
        guard session.account != nil || session.accountLID != nil else { return .willAct }
        let people = try await gateway.participants(session: session.id, group: group.jid)
        return Preflight.leaveVerdict(participants: people, session: session, ownerMayLeave: gateway.capabilities.ownerMayLeave)
    }
}

/// Runs an operation's plan for the command line: journaled and audited before the first
/// request, paced per session, each result recorded before it is reported; long waits are
/// said on standard error.
enum CLIOperation {
    static func journal() -> Journal { Journal.beside(auditPath: AuditLog.defaultPath()) }

    /// Paced per the profile, lowered to what the gateway advertises for each session.
    static func runner(profile: Profile, gateway: any Gateway, sessions: [Session], context: AuditContext) -> OperationRunner {
        var advertised: [String: Int] = [:]
        for s in sessions { advertised[s.id] = s.ratePerMinute }
        let pace = profile.pacePerMinute
        let pool = PacerPool { [advertised] sid in Pacer.forSession(profile: pace, advertised: advertised[sid]) }
        return OperationRunner(gateway: gateway, pacers: pool, retry: .standard, audit: AuditLog(path: AuditLog.defaultPath()),
                               journal: journal(), context: context)
    }

    /// Each target's line on standard error as it ends, so that what was done is on screen
    /// even if the run is killed before its table (which goes to standard output at the end).
    static func progress(total: Int) -> @Sendable (StepEvent) -> Void {
        let ended = Mutex(0)
        return { e in
            if case .finished(let r) = e.event {
                let n = ended.withLock { $0 += 1; return $0 }
                let who = r.target.phoneNumber ?? r.target.string
                Stdio.err("  \(n)/\(total) \(r.outcome.kind) \(who)\(r.outcome.reason.map { ": " + TerminalText.clip($0, 100) } ?? "")\(r.resumable ? " (resumable)" : "")")
            }
            progress(e)
        }
    }

    static func progress(_ e: StepEvent) {
        // Long waits, and waiting for another operator's operation, are worth a line.
        if case .waiting(let seconds, let why) = e.event, seconds >= 2 || why.hasPrefix("operation ") {
            Stdio.err("waiting \(Int(seconds.rounded(.up))) s (\(why))")
        }
    }

    /// An operation on groups of one session themselves (a leave, a link reset, a lock):
    /// planned with the names shown, run, and each group's result; nil id when none is sent.
    static func runOnGroups(_ kind: OperationKind, _ groups: [Group], session s: Session, settings: GroupSettings?, reason: String?,
                            profile: Profile, gateway gw: any Gateway) async throws -> (String?, [JID: TargetResult]) {
        guard !groups.isEmpty else { return (nil, [:]) }
        let context = AuditContext.current(profile: profile)
        var plan = OperationPlan(action: kind, steps: groups.map { OperationStep(session: s.id, group: $0.jid, target: $0.jid, settings: settings) },
                                 reason: reason, context: context)
        var labels = OperationLabels()
        labels.add(s)
        for g in groups { labels.add(g); labels.name(g.jid, g.subject) }
        plan.labels = labels
        var byGroup: [JID: TargetResult] = [:]
        for r in try await run(plan, profile: profile, gateway: gw, sessions: [s], context: context) { byGroup[r.target] = r }
        return (plan.id, byGroup)
    }

    /// Runs every step; results in plan order.
    static func run(_ plan: OperationPlan, profile: Profile, gateway: any Gateway, sessions: [Session],
                    context: AuditContext) async throws -> [TargetResult] {
        let runner = runner(profile: profile, gateway: gateway, sessions: sessions, context: context)
        let entry = try runner.begin(plan)
        let byStep = await runner.run(plan, entry: entry, onEvent: progress(total: plan.steps.count))
        return plan.steps.indices.compactMap { byStep[$0] }
    }
}
