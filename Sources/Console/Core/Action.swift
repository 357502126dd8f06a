import Foundation
import GatewayKit

/// Everything that can happen to the console: keys, and work coming back from the gateway.
public enum Action: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case interrupt
    case tick(Date)

    case sessionsLoaded(Result<[Session], GatewayError>)
    case groupsLoaded(session: String, Result<[Group], GatewayError>)
    case participantsLoaded(GroupKey, Result<[Participant], GatewayError>)
    /// A background read made to learn our role in a group.
    case rolesLearned(GroupKey, [Participant])
    /// Fresh group data for an open confirmation dialog.
    case preflightLoaded(GroupKey, Result<[Participant], GatewayError>)
    case leavePreflightLoaded(session: String, Result<[LeaveRow], GatewayError>)
    /// A group's details (settings, invite link, pending requests) for its dialog.
    case groupInfoLoaded(GroupKey, GroupInfo)

    /// The audit id an operation was recorded under.
    case operationRecorded(id: Int, auditID: String)
    /// A step of an operation moved on; the event names the step by its index in the plan.
    case operationEvent(id: Int, StepEvent)
    case operationFinished(id: Int)
    case requestLogged(RequestEvent, operation: Int?)
    /// Interrupted operations of this gateway found in the journal at start.
    case pendingFound([PendingOperation], elsewhere: Int)
    /// Every group of every session where a person is.
    case foundEverywhere(JID, FindEverywhere.Report)
    /// A search under way: a session's count, a hit, a group not read.
    case findProgress(JID, FindEverywhere.Progress)
    /// This gateway's recent operations, from the audit log.
    case historyLoaded(Result<[HistoryItem], GatewayError>)
    /// Something to say in the log (and the status line).
    case notice(String, error: Bool)
}

/// Work the reducer asks for. The effect runner performs each and posts results back as actions.
public enum Effect: Sendable, Equatable {
    case loadSessions
    case loadGroups(session: String)
    case loadParticipants(GroupKey)
    /// Read groups' participants in the background to learn our role where the group list
    /// does not say it.
    case learnRoles(session: String, groups: [JID])
    /// Re-read a group before confirming.
    case preflight(GroupKey)
    /// Re-read groups before confirming a leave: the session (its account decides), and the
    /// groups as listed (their subjects).
    case leavePreflight(session: Session, groups: [JID], known: [Group])
    /// Re-read groups before confirming a link reset, a lock or an unlock: are we admin, and
    /// are the settings already as wanted.
    case groupsPreflight(OperationKind, session: Session, groups: [JID], known: [Group], wanted: [JID: GroupSettings])
    /// Run an operation. Each carries what it needs: what the operator saw (for the audit
    /// log) and the sessions it acts through (their advertised rates pace it).
    case runMembers(id: Int, MemberAction, GroupKey, targets: [JID], reason: String, undoes: String?, labels: OperationLabels, sessions: [Session],
                    notice: Notice? = nil)
    /// Remove one person from several groups (of several sessions), in one operation.
    case runSweep(id: Int, steps: [OperationStep], reason: String, labels: OperationLabels, sessions: [Session])
    /// Look at the journal for interrupted operations.
    case checkPending
    /// Finish an interrupted operation: re-read its groups, then send what is left.
    case resume(id: Int, operation: String, sessions: [Session])
    /// Give an interrupted operation up (recorded in the audit log).
    case discard(operation: String)
    /// Read every group of every session for one person.
    case findEverywhere(JID)
    /// Stop that search (what it found so far is reported).
    case stopFind
    case runLeave(id: Int, session: String, groups: [JID], reason: String, labels: OperationLabels, sessions: [Session])
    /// A link reset, a lock, an unlock or settings put back, on groups of one session.
    case runGroups(id: Int, OperationKind, session: String, groups: [JID], wanted: [JID: GroupSettings], reason: String, undoes: String?,
                   labels: OperationLabels, sessions: [Session])
    /// Approve or reject pending join requests of one group.
    case runAnswers(id: Int, OperationKind, GroupKey, requesters: [JID], reason: String, labels: OperationLabels, sessions: [Session])
    case cancelOperation(id: Int)
    /// Read a group's settings, invite link and pending requests, where the dialect has them.
    case loadGroupInfo(GroupKey)
    /// Read this gateway's recent operations from the audit log.
    case loadHistory
    case quit
}
