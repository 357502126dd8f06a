import FleetIndex
import Foundation
import GatewayKit

/// Does the work the reducer asks for: each effect carries what it needs (none reads the
/// console's state), runs in a task, and posts its result to the inbox as an action. Holds
/// only what outlives one effect: the operations' tasks (to cancel), the search under way,
/// and one pacer per session. UI thread only; tests drive it against the emulator.
public final class EffectRunner {
    let gateway: any Gateway
    let inbox: Inbox
    let options: ConsoleOptions
    var operations: [Int: Task<Void, Never>] = [:]
    /// The search for a person under way (`f`), to stop with Esc.
    var findTask: Task<Void, Never>?
    /// One pacer per session, kept across operations so back-to-back operations stay paced.
    let pacers: PacerPool
    /// The profile's fleet index and watchlist once opened (by a background task).
    let index = IndexHandle()
    /// What runs for the console's whole life (the follower, the index's status): stopped on quit.
    var background: [Task<Void, Never>] = []

    public init(gateway: any Gateway, inbox: Inbox, options: ConsoleOptions) {
        self.gateway = gateway
        self.inbox = inbox
        self.options = options
        let pace = options.pacePerMinute
        self.pacers = PacerPool { _ in Pacer.forSession(profile: pace, advertised: nil) }
    }

    /// Makes sure each session has its pacer, at the profile's pace lowered to what the
    /// gateway advertises for it.
    func preparePacers(_ sessions: [Session]) {
        for session in sessions {
            _ = pacers.pacer(for: session.id) { Pacer.forSession(profile: options.pacePerMinute, advertised: session.ratePerMinute) }
        }
    }

    /// Runs plans: audited, journaled, paced; a record that cannot be written goes to the log.
    func runner() -> OperationRunner {
        let inbox = inbox
        return OperationRunner(gateway: gateway, pacers: pacers, retry: .standard, audit: options.auditContext == nil ? nil : options.audit,
                               journal: options.auditContext == nil ? nil : options.journal, context: context,
                               warn: { inbox.post(.notice("audit: \($0)", error: true)) })
    }

    public func run(_ effect: Effect) {
        let gw = gateway
        let inbox = inbox
        switch effect {
        case .loadSessions:
            let index = index
            Task {
                let result = await Loads.sessions(gw)
                // Recorded (or kept for the index's open) before the list is told: what the
                // console does next with it may read the index.
                if case .success(let list) = result { index.recordSessions(inbox, list) }
                inbox.post(.sessionsLoaded(result))
            }
        case .loadGroups(let sid):
            let index = index
            Task {
                let result = await Loads.groups(gw, sid)
                inbox.post(.groupsLoaded(session: sid, result))
                if case .success(let list) = result { index.record(inbox) { try $0.recordGroups(session: sid, list, at: Date()) } }
            }
        case .loadParticipants(let key):
            let index = index
            Task {
                // What the index has shows at once (marked cached); the live read replaces it
                // and goes into the index.
                if !key.requests, let store = index.store, let rows = try? store.participants(session: key.session, group: key.group) {
                    let read = (try? store.group(session: key.session, jid: key.group))?.lastFullRead
                    inbox.post(.indexParticipants(key, rows, lastFullRead: read))
                }
                let result = await Loads.participants(gw, key)
                inbox.post(.participantsLoaded(key, result))
                if !key.requests, case .success(let list) = result { EffectRunner.recordRead(index, inbox, key, list) }
            }
        case .learnRoles(let sid, let groups):
            let index = index
            Task {
                // Two at a time, so a slow link still answers the operator's own reads first.
                await withTaskGroup(of: Void.self) { tasks in
                    var next = groups.makeIterator()
                    func add() -> Bool {
                        guard let g = next.next() else { return false }
                        tasks.addTask {
                            let key = GroupKey(session: sid, group: g)
                            if case .success(let list) = await Loads.participants(gw, key) {
                                inbox.post(.rolesLearned(key, list))
                                EffectRunner.recordRead(index, inbox, key, list)
                            }
                        }
                        return true
                    }
                    _ = add(); _ = add()
                    while await tasks.next() != nil { _ = add() }
                }
            }
        case .preflight(let key):
            let index = index
            Task {
                let result = await Loads.participants(gw, key)
                inbox.post(.preflightLoaded(key, result))
                if !key.requests, case .success(let list) = result { EffectRunner.recordRead(index, inbox, key, list) }
            }
        case .leavePreflight(let session, let groups, let known):
            Task { inbox.post(.leavePreflightLoaded(session: session.id, await Loads.leaveRows(gw, session, groups, known))) }
        case .runMembers(let id, let action, let key, let targets, let reason, let undoes, let labels, let sessions, let notice):
            var plan = OperationPlan(action: OperationKind(action), steps: targets.map { OperationStep(session: key.session, group: key.group, target: $0) },
                                     reason: reason, undoes: undoes, context: context)
            plan.labels = labels
            plan.notice = notice
            start(plan, id: id, sessions: sessions)
        case .runAnswers(let id, let kind, let key, let requesters, let reason, let labels, let sessions):
            var plan = OperationPlan(action: kind, steps: requesters.map { OperationStep(session: key.session, group: key.group, target: $0) },
                                     reason: reason, context: context)
            plan.labels = labels
            start(plan, id: id, sessions: sessions)
        case .loadGroupInfo(let key):
            Task { inbox.post(.groupInfoLoaded(key, await Loads.groupInfo(gw, key))) }
        case .groupsPreflight(let kind, let session, let groups, let known, let wanted):
            Task { inbox.post(.leavePreflightLoaded(session: session.id, await Loads.adminRows(gw, kind, session, groups, known, wanted))) }
        case .runGroups(let id, let kind, let sid, let groups, let wanted, let reason, let undoes, let labels, let sessions):
            var plan = OperationPlan(action: kind, steps: groups.map { OperationStep(session: sid, group: $0, target: $0, settings: wanted[$0]) },
                                     reason: reason, undoes: undoes, context: context)
            plan.labels = labels
            start(plan, id: id, sessions: sessions)
        case .runLeave(let id, let sid, let groups, let reason, let labels, let sessions):
            var plan = OperationPlan(action: .leave, steps: groups.map { OperationStep(session: sid, group: $0, target: $0) }, reason: reason, context: context)
            plan.labels = labels
            start(plan, id: id, sessions: sessions)
        case .runSweep(let id, let steps, let reason, let labels, let sessions):
            var plan = OperationPlan(action: .remove, steps: steps, reason: reason, context: context)
            plan.labels = labels
            start(plan, id: id, sessions: sessions)
        case .checkPending:
            guard let journal = options.journal, let ctx = options.auditContext else { break }
            Task.detached {
                let all = journal.pending()
                let mine = all.filter { $0.plan.gateway == ctx.gateway }
                if !all.isEmpty { inbox.post(.pendingFound(mine, elsewhere: all.count - mine.count)) }
            }
        case .resume(let id, let opID, let sessions):
            guard let journal = options.journal else { break }
            let runner = runner()
            preparePacers(sessions)
            let auditPath = options.audit?.path
            operations[id] = Task.detached {
                await EffectRunner.resume(runner, journal: journal, auditPath: auditPath, inbox, id: id, operation: opID)
            }
        case .discard(let opID):
            guard let journal = options.journal else { break }
            let audit = options.audit, ctx = context
            Task.detached {
                guard let (entry, p) = journal.take(opID) else {
                    inbox.post(.notice("operation \(opID) could not be given up: it is running elsewhere or gone", error: true))
                    return
                }
                do throws(GatewayError) {
                    try audit?.append(.abandoned(id: opID, context: ctx, targets: p.remaining.map { p.plan.steps[$0].target.string }))
                    entry.finish()
                } catch {
                    entry.release()
                    inbox.post(.notice("operation \(opID) kept: \(error.message)", error: true))
                }
            }
        case .findEverywhere(let who):
            findTask?.cancel()
            findTask = Task.detached {
                let report = await FindEverywhere.search(who, gateway: gw) { inbox.post(.findProgress(who, $0)) }
                inbox.post(.foundEverywhere(who, report))
            }
        case .stopFind:
            findTask?.cancel()
        case .cancelOperation(let id):
            operations[id]?.cancel()
        case .loadHistory:
            let path = options.audit?.path, gatewayID = context.gateway
            Task.detached {
                guard let path else {
                    inbox.post(.historyLoaded(.failure(.notPossible("this console records no audit log"))))
                    return
                }
                guard FileManager.default.fileExists(atPath: path) else { return inbox.post(.historyLoaded(.success([]))) }
                do throws(GatewayError) {
                    let (records, _) = try AuditLog.read(path: path)
                    inbox.post(.historyLoaded(.success(HistoryItem.from(records, gateway: gatewayID))))
                } catch {
                    inbox.post(.historyLoaded(.failure(error)))
                }
            }
        case .quit:
            stopBackground()
        case .pollOpenGroup(let key):
            let index = index
            Task {
                let result = await Loads.participants(gw, key)
                // A failed read leaves the rows on screen as they are; the next round tries again.
                guard case .success(let list) = result else { return }
                inbox.post(.participantsLoaded(key, result))
                EffectRunner.recordRead(index, inbox, key, list)
            }
        case .openIndex, .follow, .findInIndex, .confirmFound, .loadJoins, .loadIndexGroups, .refreshFromIndex, .watchAdd, .watchRemove:
            runFleet(effect)
        }
    }

}

extension EffectRunner {
    var context: AuditContext {
        options.auditContext ?? AuditContext(user: "unknown", client: nil, profile: "", gateway: "", dialect: gateway.dialect.rawValue)
    }

    /// Starts a plan in the background.
    func start(_ plan: OperationPlan, id: Int, sessions: [Session]) {
        preparePacers(sessions)
        let runner = runner(), inbox = inbox
        operations[id] = Task.detached { await EffectRunner.run(runner, inbox, id: id, plan: plan) }
    }

    /// Runs a plan: its start recorded before the first request (nothing is sent if that
    /// fails), each result recorded before it is shown. Each event names its step; the
    /// console's rows are kept by step.
    static func run(_ runner: OperationRunner, _ inbox: Inbox, id: Int, plan: OperationPlan) async {
        let entry: JournalEntry?
        do throws(GatewayError) { entry = try runner.begin(plan) } catch {
            return refuseAll(plan, Array(plan.steps.indices), error.message, id: id, inbox: inbox)
        }
        inbox.post(.operationRecorded(id: id, auditID: plan.id))
        await OperationContext.$current.withValue(id) {
            _ = await runner.run(plan, entry: entry) { e in inbox.post(.operationEvent(id: id, e)) }
        }
        inbox.post(.operationFinished(id: id))
    }

    /// Finishes an interrupted operation: every group read again first, what is found done
    /// recorded so, what is blocked left in the journal, the rest sent.
    static func resume(_ runner: OperationRunner, journal: Journal, auditPath: String?, _ inbox: Inbox, id: Int, operation: String) async {
        let records = auditPath.flatMap { try? AuditLog.read(path: $0).records } ?? []
        guard let (entry, p) = journal.takeOver(operation, audit: records) else {
            inbox.post(.notice("operation \(operation) is running elsewhere or already finished", error: true))
            inbox.post(.operationFinished(id: id))
            return
        }
        await OperationContext.$current.withValue(id) {
            let check = await Resume.recheck(p, gateway: runner.gateway)
            for i in p.remaining where check.settled[i] == nil && !check.send.contains(i) {
                let why = check.blocked[OperationGroupKey(session: p.plan.steps[i].session, group: p.plan.steps[i].group)] ?? "blocked"
                inbox.post(.operationEvent(id: id, StepEvent(step: i, event: .finished(TargetResult(target: p.plan.steps[i].target,
                    outcome: .notAttempted("not sent: \(why); still in the journal (wamod resume \(operation))"))))))
            }
            do throws(GatewayError) {
                _ = try await runner.resume(p, check: check, entry: entry) { e in inbox.post(.operationEvent(id: id, e)) }
            } catch {
                entry.release()
                refuseAll(p.plan, check.send + check.settled.keys.sorted(), error.message, id: id, inbox: inbox)
                return
            }
        }
        inbox.post(.operationFinished(id: id))
    }

    /// Nothing is sent when the operation's start cannot be recorded.
    static func refuseAll(_ plan: OperationPlan, _ steps: [Int], _ why: String, id: Int, inbox: Inbox) {
        for i in steps {
            let refused = TargetResult(target: plan.steps[i].target, outcome: .notAttempted("not sent: \(why)"))
            inbox.post(.operationEvent(id: id, StepEvent(step: i, event: .finished(refused))))
        }
        inbox.post(.operationFinished(id: id))
    }
}

/// The reads the effect runner makes, as results for the inbox.
enum Loads {
    static func sessions(_ gw: any Gateway) async -> Result<[Session], GatewayError> {
        do { return .success(try await gw.sessions()) } catch { return .failure(error) }
    }

    static func groups(_ gw: any Gateway, _ sid: String) async -> Result<[Group], GatewayError> {
        do { return .success(try await gw.groups(session: sid)) } catch { return .failure(error) }
    }

    static func participants(_ gw: any Gateway, _ key: GroupKey) async -> Result<[Participant], GatewayError> {
        if key.requests {
            // Pending requests shown as rows of the participants pane: their number, and how
            // and when they asked in the name column.
            do {
                let list = try await gw.joinRequests(session: key.session, group: key.group)
                return .success(list.map(Self.row))
            } catch { return .failure(error) }
        }
        do { return .success(try await gw.participants(session: key.session, group: key.group)) } catch { return .failure(error) }
    }

    /// Whether a link reset or a settings change can work in each group: the session a
    /// member and admin there, and the settings not already as wanted.
    static func adminRows(_ gw: any Gateway, _ kind: OperationKind, _ session: Session, _ groups: [JID], _ known: [Group],
                          _ wanted: [JID: GroupSettings]) async -> Result<[LeaveRow], GatewayError> {
        var rows: [LeaveRow] = []
        for g in groups {
            let people: [Participant]
            do { people = try await gw.participants(session: session.id, group: g) } catch { return .failure(error) }
            var group = known.first { $0.jid == g } ?? Group(jid: g, subject: g.string, size: people.count, owner: nil, ourRole: nil)
            var verdict = Verdict.willAct
            if session.account != nil || session.accountLID != nil {
                switch people.role(of: session) {
                case nil: verdict = .skip("the session is not a member")
                case .member?: verdict = .skip("we are not admin")
                default: break
                }
            }
            if verdict.sends, let want = wanted[g], !gw.capabilities.readsSettings.isEmpty,
               let now = try? await gw.settings(session: session.id, group: g) {
                group.settings = now
                if now.satisfies(want) { verdict = .alreadySo("already so") }
            }
            rows.append(LeaveRow(group: group, verdict: verdict))
        }
        return .success(rows)
    }

    /// A join request as a row of the participants pane.
    static func row(_ r: JoinRequest) -> Participant {
        let phone = r.phone ?? (r.requester.kind == .user ? r.requester : nil)
        let lid = r.requester.kind == .lid ? r.requester : nil
        var how = "asked"
        if let m = r.method, !m.isEmpty { how += " by \(m.replacingOccurrences(of: "_", with: " "))" }
        if let at = r.at {
            how += " \(TimeText.dayAndTime(at))"
        }
        var p = Participant(phone: phone, lid: lid, name: how, role: .member)
        p.id = r.requester
        return p
    }

    /// A group's details, each part read where the dialect has it.
    static func groupInfo(_ gw: any Gateway, _ key: GroupKey) async -> GroupInfo {
        let caps = gw.capabilities
        var info = GroupInfo()
        if !caps.readsSettings.isEmpty {
            do { info.settings = .success(try await gw.settings(session: key.session, group: key.group)) } catch { info.settings = .failure(error) }
        }
        if caps.inviteLinks {
            do { info.link = .success(try await gw.inviteLink(session: key.session, group: key.group)) } catch { info.link = .failure(error) }
        }
        if caps.joinRequests {
            do { info.requests = .success(try await gw.joinRequests(session: key.session, group: key.group)) } catch { info.requests = .failure(error) }
        }
        return info
    }

    static func leaveRows(_ gw: any Gateway, _ session: Session, _ groups: [JID], _ known: [Group]) async -> Result<[LeaveRow], GatewayError> {
        var rows: [LeaveRow] = []
        for g in groups {
            let people: [Participant]
            do { people = try await gw.participants(session: session.id, group: g) } catch { return .failure(error) }
            let group = known.first { $0.jid == g } ?? Group(jid: g, subject: g.string, size: people.count, owner: nil, ourRole: nil)
            rows.append(LeaveRow(group: group, verdict: Preflight.leaveVerdict(participants: people, session: session, ownerMayLeave: gw.capabilities.ownerMayLeave)))
        }
        return .success(rows)
    }
}
