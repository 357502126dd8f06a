import ArgumentParser
import Foundation
import GatewayKit

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
}

/// The session, group and participants a member command acts on.
struct MemberTargets: ParsableArguments {
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID (…@g.us) or its exact subject.") var group: String
    @Argument(help: "Participants: phone numbers with country code (+5511…), user JIDs or @lid ids.") var targets: [String] = []
}

extension MemberMutation {
    func run() async throws {
        // Malformed ids are refused before anything is read or sent.
        var jids: [JID] = []
        for t in args.targets {
            do { jids.append(try JID.member(t)) } catch { throw error.failure }
        }
        guard !jids.isEmpty else { throw CommandFailure.usage("name at least one participant") }
        let (profile, gw) = try gateway.makeGateway()
        let s = try await Lookup.session(args.session, profile: profile, gateway: gw)
        let g = try await Lookup.group(args.group, session: s, gateway: gw)
        let people = try await gw.participants(session: s.id, group: g.jid)
        let plan = Preflight.plan(Self.action, targets: jids, participants: people, session: s)
        let report = OperationReport(action: Self.action.rawValue, session: s, group: g, json: mutation.json)

        let audit = mutation.audit
        let opID = AuditLog.newOperationID()
        let context = AuditContext.current(profile: profile)
        if mutation.dryRun {
            try audit.append(.operation(id: opID, context: context, session: s.id, group: g.jid.string, action: Self.action.rawValue,
                                        targets: jids.map(\.string), reason: mutation.reason, dryRun: true))
            report.printPlan(plan)
            throw ExitCode(plan.blocker == nil ? Exit.allDone : Exit.someFailed)
        }
        if let blocker = plan.blocker {
            report.printBlocked(plan, blocker)
            throw ExitCode(Exit.someFailed)
        }
        let toSend = plan.toSend
        if !toSend.isEmpty && !mutation.yes {
            try Confirm.ask(verb: Self.action.verb, count: toSend.count, what: toSend.count == 1 ? "participant" : "participants",
                            group: g, session: s, listing: plan.rows.filter(\.verdict.sends).map { Confirm.label($0.target, $0.participant) })
        }
        // The plan is recorded before the first request, and each result before it is reported.
        try audit.append(.operation(id: opID, context: context, session: s.id, group: g.jid.string, action: Self.action.rawValue,
                                    targets: toSend.map(\.string), reason: mutation.reason, dryRun: false))
        let results = toSend.isEmpty ? [] : await AuditedRun.members(Self.action, gateway: gw, session: s.id, group: g.jid,
                                                                     targets: toSend, audit: audit, op: opID,
                                                                     pacer: AuditedRun.pacer(profile: profile, session: s))
        let code = report.printResults(plan, results)
        throw ExitCode(code)
    }
}

struct RemoveCommand: MemberMutation {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove participants from a group.")
    static let action = MemberAction.remove
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct DemoteCommand: MemberMutation {
    static let configuration = CommandConfiguration(commandName: "demote", abstract: "Take admin rights from participants.")
    static let action = MemberAction.demote
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct PromoteCommand: MemberMutation {
    static let configuration = CommandConfiguration(commandName: "promote", abstract: "Make participants admins.")
    static let action = MemberAction.promote
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct AddCommand: MemberMutation {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add (or re-add) participants to a group.")
    static let action = MemberAction.add
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @OptionGroup var args: MemberTargets
}

struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leave", abstract: "Leave groups with the session's own account.")
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var mutation: MutationOptions
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "Groups: JIDs or exact subjects.") var groups: [String] = []

    func run() async throws {
        guard !groups.isEmpty else { throw CommandFailure.usage("name at least one group") }
        for g in groups where g.contains("@") {
            do { _ = try JID.group(g) } catch { throw error.failure }
        }
        let (profile, gw) = try gateway.makeGateway()
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        var resolved: [Group] = []
        for text in groups {
            let g = try await Lookup.group(text, session: s, gateway: gw)
            if !resolved.contains(where: { $0.jid == g.jid }) { resolved.append(g) }
        }
        var plan: [(Group, Verdict)] = []
        for g in resolved {
            plan.append((g, try await LeavePlan.verdict(group: g, session: s, gateway: gw)))
        }
        let report = LeaveReport(session: s, json: mutation.json)
        if mutation.dryRun {
            report.printPlan(plan, blocked: s.connected ? nil : Blocker.notConnected(status: s.status).text)
            throw ExitCode(s.connected ? Exit.allDone : Exit.someFailed)
        }
        guard s.connected else {
            report.printPlan(plan, blocked: Blocker.notConnected(status: s.status).text)
            throw ExitCode(Exit.someFailed)
        }
        let toLeave = plan.filter { $0.1.sends }.map(\.0)
        if !toLeave.isEmpty && !mutation.yes {
            try Confirm.askLeave(groups: toLeave, session: s)
        }
        let audit = mutation.audit
        let opID = AuditLog.newOperationID()
        try audit.append(.operation(id: opID, context: AuditContext.current(profile: profile), session: s.id, group: nil, action: "leave",
                                    targets: toLeave.map(\.jid.string), reason: mutation.reason, dryRun: false))
        var results: [(Group, Verdict, TargetResult?)] = []
        var stop: GatewayError?
        let leavePacer = AuditedRun.pacer(profile: profile, session: s)
        for (g, v) in plan {
            if v.sends, let stop {
                results.append((g, v, TargetResult(target: g.jid, outcome: .notAttempted("not sent: \(stop.message)"))))
            } else if v.sends {
                try? await leavePacer.reserve()
                let r: TargetResult
                do throws(GatewayError) { r = try await gw.leave(session: s.id, group: g.jid) } catch {
                    r = TargetResult(target: g.jid, outcome: .failed(error))
                }
                if case .failed(let e) = r.outcome, e.stopsOperation { stop = e }
                try audit.append(.result(id: opID, r))
                results.append((g, v, r))
            } else {
                results.append((g, v, nil))
            }
        }
        throw ExitCode(report.printResults(results))
    }
}

enum LeavePlan {
    static func verdict(group: Group, session: Session, gateway: any Gateway) async throws -> Verdict {
        guard session.account != nil || session.accountLID != nil else { return .willAct }
        let people = try await gateway.participants(session: session.id, group: group.jid)
        return Preflight.leaveVerdict(participants: people, session: session, ownerMayLeave: gateway.dialect != .wasend)
    }
}

/// Runs a member operation one target per request, recording each result in the audit log
/// before it is reported.
enum AuditedRun {
    /// Paced per the profile, lowered to what the gateway advertises for the session.
    static func pacer(profile: Profile, session: Session) -> Pacer {
        Pacer(ratePerMinute: Pacer.ratePerMinute(profile: profile, session: session))
    }

    static func members(_ action: MemberAction, gateway: any Gateway, session: String, group: JID, targets: [JID],
                        audit: AuditLog, op: String, pacer: Pacer) async -> [TargetResult] {
        await Executor(gateway: gateway, pacer: pacer, retry: .standard).run(action, session: session, group: group, targets: targets) { event in
            if case .waiting(let seconds, let why) = event, seconds >= 2 {
                Stdio.err("waiting \(Int(seconds.rounded(.up))) s (\(why))")
            }
            guard case .finished(let r) = event else { return }
            do throws(GatewayError) { try audit.append(.result(id: op, r)) } catch {
                Stdio.err("wamod: warning: \(error.message)")
            }
        }
    }
}
