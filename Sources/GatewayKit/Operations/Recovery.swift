import Foundation

/// Taking up an interrupted operation: every group with steps left is read again first, so a
/// step whose request went out just before the crash is found done rather than sent twice.
public enum Resume {
    public struct Check: Sendable {
        /// Steps still to send, in plan order.
        public var send: [Int] = []
        /// Steps the fresh read shows need nothing, with the result to record.
        public var settled: [Int: TargetResult] = [:]
        /// Groups that cannot be acted on now, and why; their steps stay in the journal.
        public var blocked: [OperationGroupKey: String] = [:]
        /// The targets' display names, as the fresh read shows them.
        public var names: [JID: String] = [:]
    }

    /// Re-reads every group with steps left and sorts the steps.
    public static func recheck(_ p: PendingOperation, gateway: any Gateway) async -> Check {
        await Replan.check(p.plan.action, steps: p.plan.steps, indices: p.remaining, gateway: gateway)
    }

    static func settled(_ target: JID, _ why: String) -> TargetResult {
        TargetResult(target: target, outcome: .alreadySo(why + " (found on re-reading the group; not sent again)"))
    }
}

/// "Read the groups again, then plan", for whatever goes out after the moment it was decided
/// (resuming an interrupted operation, undoing an earlier one): each group is read, each
/// step sorted into what to send, what the read shows needs nothing (with the result to
/// record), and the groups that cannot be acted on now, with why.
public enum Replan {
    /// Reads the groups of `steps[indices]` and sorts those steps.
    public static func check(_ kind: OperationKind, steps: [OperationStep], indices: [Int], gateway: any Gateway) async -> Resume.Check {
        var check = Resume.Check()
        let remaining = indices
        guard !remaining.isEmpty else { return check }
        let sessions: [Session]
        do throws(GatewayError) { sessions = try await gateway.sessions() } catch {
            for k in groupKeys(steps, remaining) { check.blocked[k] = error.message }
            return check
        }
        for key in groupKeys(steps, remaining) {
            let here = remaining.filter { steps[$0].session == key.session && steps[$0].group == key.group }
            guard let session = sessions.first(where: { $0.id == key.session }) else {
                check.blocked[key] = "the gateway no longer has session \(key.session)"
                continue
            }
            guard session.connected else {
                check.blocked[key] = Blocker.notConnected(status: session.status).text
                continue
            }
            if kind == .inviteReset || kind.changesSettings || kind.targetsRequests {
                await adminCheck(kind, here, steps, key, gateway, &check)
                continue
            }
            let people: [Participant]
            do throws(GatewayError) { people = try await gateway.participants(session: key.session, group: key.group) } catch {
                if kind.targetsGroups, case .notFound = error {
                    // Gone from the group list: the leave went through.
                    for i in here { check.settled[i] = Resume.settled(steps[i].target, "not a member any more") }
                } else {
                    check.blocked[key] = error.message
                }
                continue
            }
            for i in here { if let n = people.first(matching: steps[i].target)?.name { check.names[steps[i].target] = n } }
            guard let action = kind.memberAction else {
                // A leave: the account's own place in the group decides.
                let v = Preflight.leaveVerdict(participants: people, session: session, ownerMayLeave: gateway.capabilities.ownerMayLeave)
                for i in here {
                    if v.sends { check.send.append(i) } else { check.settled[i] = Resume.settled(steps[i].target, v.reason ?? v.text) }
                }
                continue
            }
            let plan = Preflight.plan(action, targets: here.map { steps[$0].target }, participants: people, session: session)
            if let b = plan.blocker {
                check.blocked[key] = b.text
                continue
            }
            for (i, row) in zip(here, plan.rows) {
                switch row.verdict {
                case .willAct: check.send.append(i)
                case .alreadySo(let r): check.settled[i] = Resume.settled(row.target, r)
                case .skip(let r): check.settled[i] = TargetResult(target: row.target, outcome: .refused(r + " (found on re-reading the group)"))
                }
            }
        }
        check.send.sort()
        return check
    }

    /// The group administration kinds: settings already as wanted, and requests no longer
    /// pending, need nothing; an invite reset cannot be told apart from a later one, so it is
    /// sent (a second reset only makes yet another new link).
    static func adminCheck(_ kind: OperationKind, _ here: [Int], _ steps: [OperationStep], _ key: OperationGroupKey,
                           _ gateway: any Gateway, _ check: inout Resume.Check) async {
        if kind.changesSettings {
            guard !gateway.capabilities.readsSettings.isEmpty else { check.send += here; return }
            let now: GroupSettings
            do throws(GatewayError) { now = try await gateway.settings(session: key.session, group: key.group) } catch {
                check.blocked[key] = error.message
                return
            }
            for i in here {
                if now.satisfies(steps[i].settings ?? GroupSettings()) { check.settled[i] = Resume.settled(steps[i].target, "already so") }
                else { check.send.append(i) }
            }
        } else if kind.targetsRequests {
            let pending: [JoinRequest]
            do throws(GatewayError) { pending = try await gateway.joinRequests(session: key.session, group: key.group) } catch {
                check.blocked[key] = error.message
                return
            }
            for i in here {
                let t = steps[i].target
                if pending.contains(where: { $0.requester == t || $0.phone == t }) { check.send.append(i) }
                else { check.settled[i] = Resume.settled(t, "no longer pending") }
            }
        } else {
            check.send += here
        }
    }

    static func groupKeys(_ steps: [OperationStep], _ indices: [Int]) -> [OperationGroupKey] {
        var seen = Set<OperationGroupKey>(), keys: [OperationGroupKey] = []
        for i in indices {
            let k = OperationGroupKey(session: steps[i].session, group: steps[i].group)
            if seen.insert(k).inserted { keys.append(k) }
        }
        return keys
    }
}

/// Undoing an operation from its audit record: removed participants are added back and
/// demoted admins promoted again (and promoted ones demoted), as a new operation.
public enum Undo {
    public struct Plan: Sendable {
        public var kind: OperationKind
        public var steps: [OperationStep]
        /// The original operation's record.
        public var original: AuditRecord
        public var action: MemberAction? { kind.memberAction }
    }

    /// The inverse of an action as the audit log names it, or why there is none.
    public static func inverse(of action: String) -> Result<MemberAction, GatewayError> {
        guard let kind = OperationKind(rawValue: action) else { return .failure(.notPossible("operation action '\(action)' has no undo")) }
        return kind.inverse.flatMap { inv in
            inv.memberAction.map { .success($0) } ?? .failure(.notPossible("operation action '\(action)' has no undo"))
        }
    }

    /// The undo of operation `id`: its targets that ended "done", in their groups.
    public static func plan(_ id: String, records: [AuditRecord]) throws(GatewayError) -> Plan {
        let mine = records.filter { $0.op == id }
        guard let start = mine.first(where: { $0.type == "operation" }) else {
            throw .notPossible("no operation \(id) in the audit log (`wamod audit` lists them)")
        }
        if start.dryRun == true { throw .notPossible("operation \(id) was a dry run: nothing was sent, nothing to undo") }
        guard let original = OperationKind(rawValue: start.action ?? "") else {
            throw .notPossible("operation action '\(start.action ?? "")' has no undo")
        }
        let kind: OperationKind
        switch original.inverse {
        case .success(let k): kind = k
        case .failure(let e): throw e
        }
        if kind.changesSettings { return try settingsPlan(id, start, mine) }
        var steps: [OperationStep] = []
        var seen = Set<OperationStep>()
        for r in mine where r.type == "result" && r.outcome == "done" {
            guard let t = r.target, let target = JID.lenient(t),
                  let gtext = r.group ?? start.group, let group = JID.lenient(gtext),
                  let session = r.session ?? start.session else { continue }
            let step = OperationStep(session: session, group: group, target: target)
            if seen.insert(step).inserted { steps.append(step) }
        }
        guard !steps.isEmpty else {
            throw .notPossible("operation \(id) changed nobody (no target ended done): nothing to undo")
        }
        return Plan(kind: kind, steps: steps, original: start)
    }

    /// A settings change undone: each group that changed gets back the settings it had just
    /// before (its result's `before`); a group whose settings could not be read then cannot.
    static func settingsPlan(_ id: String, _ start: AuditRecord, _ mine: [AuditRecord]) throws(GatewayError) -> Plan {
        var steps: [OperationStep] = []
        var unknown: [String] = []
        for r in mine where r.type == "result" && r.outcome == "done" {
            guard let t = r.target, let group = JID.lenient(t), let session = r.session ?? start.session else { continue }
            guard let before = r.before, !before.isEmpty else { unknown.append(t); continue }
            steps.removeAll { $0.group == group && $0.session == session }
            steps.append(OperationStep(session: session, group: group, target: group, settings: before))
        }
        guard !steps.isEmpty else {
            if !unknown.isEmpty {
                throw .notPossible("operation \(id)'s groups' settings before the change were not read (the dialect does not read them): nothing to put back")
            }
            throw .notPossible("operation \(id) changed no group (none ended done): nothing to undo")
        }
        return Plan(kind: .settings, steps: steps, original: start)
    }
}

/// For incidents: every group of every session where a person is, and the removal from all
/// of them that the operator can confirm in one go.
public enum FindEverywhere {
    public struct Hit: Sendable, Hashable {
        public var session: Session
        public var group: Group
        public var participant: Participant
        /// Our role in the group, from the same read.
        public var ourRole: Role?

        public init(session: Session, group: Group, participant: Participant, ourRole: Role?) {
            self.session = session; self.group = group; self.participant = participant; self.ourRole = ourRole
        }

        /// Whether removing them here can work, or why not.
        public var removal: Verdict {
            if session.isOwnAccount(participant.id) || participant.phone.map(session.isOwnAccount) == true
                || participant.lid.map(session.isOwnAccount) == true { return .skip("our own account (leave instead)") }
            if !session.connected { return .skip("session offline") }
            if participant.role == .superadmin { return .skip("they own the group") }
            if let r = ourRole, !r.isAdmin { return .skip("we are not admin") }
            if ourRole == nil { return .skip("our role unknown") }
            return .willAct
        }
    }

    public struct Report: Sendable {
        public var who: JID
        public var hits: [Hit] = []
        /// Sessions or groups that could not be read, with why.
        public var notSearched: [String] = []

        /// The search was stopped before every group was read (the hits are those found so far).
        public var stopped = false
        /// Groups read, of how many, over every session listed.
        public var groupsRead = 0
        public var groupsTotal = 0

        public init(who: JID, hits: [Hit] = [], notSearched: [String] = []) {
            self.who = who; self.hits = hits; self.notSearched = notSearched
        }

        /// One step per group where the removal can work.
        public var removalSteps: [OperationStep] {
            hits.filter { $0.removal.sends }.map { OperationStep(session: $0.session.id, group: $0.group.jid, target: $0.participant.id) }
        }
    }

    /// What a search has done so far, for an operator watching it.
    public enum Progress: Sendable {
        /// A session's groups were listed (total) and `read` of them read.
        case session(label: String, read: Int, total: Int)
        case hit(Hit)
        case notSearched(String)
    }

    /// Reads every group of every session, two groups at a time per session, telling
    /// `progress` as it goes. Cancelling the task stops it: the report then holds what was
    /// found so far and says it stopped.
    public static func search(_ who: JID, gateway: any Gateway, progress: (@Sendable (Progress) -> Void)? = nil) async -> Report {
        var report = Report(who: who)
        let sessions: [Session]
        do throws(GatewayError) { sessions = try await gateway.sessions() } catch {
            report.notSearched.append("sessions: \(error.message)")
            progress?(.notSearched("sessions: \(error.message)"))
            return report
        }
        for s in sessions {
            if Task.isCancelled { report.stopped = true; break }
            let groups: [Group]
            do throws(GatewayError) { groups = try await gateway.groups(session: s.id) } catch {
                report.notSearched.append("\(s.label): \(error.message)")
                progress?(.notSearched("\(s.label): \(error.message)"))
                continue
            }
            report.groupsTotal += groups.count
            progress?(.session(label: s.label, read: 0, total: groups.count))
            let found = await scan(gateway, session: s, groups: groups, target: who, progress: progress)
            report.hits += found.hits
            report.notSearched += found.failures
            report.groupsRead += found.read
            if found.read < groups.count { report.stopped = true; break }
        }
        return report
    }

    static func scan(_ gw: any Gateway, session: Session, groups: [Group], target: JID,
                     progress: (@Sendable (Progress) -> Void)?) async -> (hits: [Hit], failures: [String], read: Int) {
        await withTaskGroup(of: (Hit?, String?).self) { tasks in
            var next = groups.makeIterator()
            func add() -> Bool {
                // Stopped: no new read starts; those under way finish.
                guard !Task.isCancelled, let g = next.next() else { return false }
                tasks.addTask {
                    do throws(GatewayError) {
                        let people = try await gw.participants(session: session.id, group: g.jid)
                        guard let p = people.first(matching: target) else { return (nil, nil) }
                        return (Hit(session: session, group: g, participant: p, ourRole: people.role(of: session) ?? g.ourRole), nil)
                    } catch {
                        return (nil, "\(session.label) / \(g.subject): \(error.message)")
                    }
                }
                return true
            }
            _ = add(); _ = add()
            var hits: [Hit] = [], failures: [String] = []
            var read = 0
            while let (hit, failure) = await tasks.next() {
                // A read cut short by the stop is not a failure of the group: it was not read.
                if failure != nil, Task.isCancelled { continue }
                read += 1
                if let hit { hits.append(hit); progress?(.hit(hit)) }
                if let failure { failures.append(failure); progress?(.notSearched(failure)) }
                progress?(.session(label: session.label, read: read, total: groups.count))
                _ = add()
            }
            return (hits.sorted { ($0.session.label, $0.group.subject) < ($1.session.label, $1.group.subject) }, failures, read)
        }
    }
}
