import FleetEvents
import FleetIndex
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

    // The fleet index, live events and the watchlist.
    /// The profile's index was opened: what it holds, for the first paint.
    case indexOpened(IndexSnapshot)
    /// The index could not be opened (the console goes on without it).
    case indexUnavailable(String)
    /// How current the index is now.
    case indexStatus(IndexStatus)
    /// A group's participants as the index has them: rows to show until the live read comes
    /// (`lastFullRead` says how old), and what the index knows of each.
    case indexParticipants(GroupKey, [IndexedParticipant], lastFullRead: Date?)
    /// A live read of a group recorded in the index: what it knows of each now, and what changed.
    case participantsIndexed(GroupKey, [IndexedParticipant], ParticipantDiff)
    /// What following the fleet did (a source, an event applied, a polling round).
    case follow(FollowUpdate)
    /// Where the index saw a person (`f`), answered at once.
    case indexFound(JID, [IndexHit])
    /// The joins of a session's groups in the last week, by group.
    case joinsLoaded(session: String, [JID: [Date]])
    /// A session's groups as the index last listed them (opened after the start).
    case indexGroups(session: String, [IndexedGroup])
    /// The watchlist as it is now (after a change: what to say).
    case watchlistLoaded([WatchEntry], note: String?)
    /// Where watchlisted people are, as the index says (`via`: "sync", "index").
    case watchHits([WatchHit], via: String)
}

extension Action {
    /// Work nobody at the keyboard is waiting for: it changes the screen (a log line, a role
    /// letter, the index's progress) but is drawn with the next frame rather than at once, so
    /// a fleet being indexed does not repaint the terminal hundreds of times a minute.
    public var isBackground: Bool {
        switch self {
        case .requestLogged(_, let operation): operation == nil
        case .rolesLearned, .indexStatus, .participantsIndexed, .follow, .joinsLoaded: true
        default: false
        }
    }
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
    /// Open the profile's fleet index and watchlist (off the UI thread), for the first paint.
    case openIndex
    /// Keep the index current (events, else polling) through these sessions.
    case follow(sessions: [String])
    /// Where the index saw a person.
    case findInIndex(JID)
    /// Read live the groups where the index saw a person (all of them when `hits` is nil),
    /// before anything is changed: the report confirms.
    case confirmFound(JID, hits: [IndexHit]?)
    /// The week's joins of a session's groups.
    case loadJoins(session: String)
    /// The index's rows of a session's groups, drawn until its live list comes.
    case loadIndexGroups(session: String)
    /// A group's participants as the index has them now (after a polling round).
    case refreshFromIndex(GroupKey)
    /// After a polling round: the open group read live, one read a round. A round skips a
    /// group whose size and subject did not change, and a leave plus a join between two
    /// rounds change neither: the group on screen must not miss them.
    case pollOpenGroup(GroupKey)
    /// Put a person on the watchlist, or take them off; audited with the reason.
    case watchAdd(WatchEntry)
    case watchRemove(JID, reason: String)
    case quit
}
