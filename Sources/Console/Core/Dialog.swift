import GatewayKit

/// A group and what leaving it will do.
public struct LeaveRow: Sendable, Hashable {
    public var group: Group
    public var verdict: Verdict
    public init(group: Group, verdict: Verdict) { self.group = group; self.verdict = verdict }
}

/// A modal box over the panes: a confirmation, a summary of failures, or an entry's details.
public struct Dialog: Sendable {
    public enum Kind: Sendable {
        /// Remove, demote, promote or add participants of one group.
        case members(MemberAction, GroupKey, subject: String)
        /// Leave one or more groups of a session.
        case leave(session: String)
        /// What an operation left undone, with reasons.
        case summary(title: String, lines: [String])
        /// A log entry opened.
        case detail(title: String, lines: [String])
        /// An operation that did not finish (found in the journal at start).
        case resume(PendingOperation)
        /// Where a person is, everywhere; confirming removes them where it can work.
        case found(JID)
        /// This gateway's recent operations (the audit log); u undoes the one under the cursor.
        case history
    }

    public enum Field: Sendable, Hashable { case buttons, reason, typed }

    public var kind: Kind
    /// The targets asked for (before the fresh read), for the loading view.
    public var requested: [JID] = []
    /// Computed from freshly read group data; nil while reading.
    public var plan: Preflight?
    public var leaveRows: [LeaveRow]?
    public var error: String?
    /// Tagged rows the filter hides (they are included).
    public var hiddenTagged = 0
    public var field: Field = .buttons
    public var yesFocused = false
    public var typed = ""
    public var reason = ""
    /// What must be typed to confirm; nil for a y/N confirmation.
    public var expected: String?
    /// Why the last confirmation attempt did nothing.
    public var warning: String?
    public var scroll = 0
    /// For an undo: the audit id of the operation undone.
    public var undoes: String?
    /// Names known from an earlier operation, for targets no longer in the group.
    public var knownNames: [JID: String] = [:]
    /// For find: the search's result, nil while reading.
    public var found: FindEverywhere.Report?
    /// For find, while reading: each session's groups read and total, in the order listed,
    /// and the hits so far.
    public var findSessions: [(label: String, read: Int, total: Int)] = []
    public var findHits: [FindEverywhere.Hit] = []
    public var findFailures = 0
    /// Esc was pressed: the search is stopping.
    public var findStopping = false
    /// For the history: its rows (nil while reading) and the cursor.
    public var history: [HistoryItem]?
    public var cursor = 0
    /// Only shown, not confirmed (read-only mode, or nothing can be sent).
    public var listOnly = false

    public init(kind: Kind) { self.kind = kind }

    public var isConfirmation: Bool {
        switch kind {
        case .resume: true
        case .members, .leave, .found: !listOnly
        case .summary, .detail, .history: false
        }
    }

    /// Whether the confirmation takes a reason.
    public var takesReason: Bool {
        if case .resume = kind { return false }
        return true
    }

    public var loading: Bool {
        switch kind {
        case .members: plan == nil && error == nil
        case .leave: leaveRows == nil && error == nil
        case .found: found == nil && error == nil
        case .history: history == nil && error == nil
        default: false
        }
    }

    /// What must be typed, as the footer shows it (a long subject is cut).
    public var expectedShown: String? {
        expected.map { TerminalText.clip($0, 32) }
    }

    /// Whether what was typed confirms: the name as it is, as the footer or a terminal that
    /// cannot join emoji showed it, or the count (`SubjectMatch`).
    public var typedConfirms: Bool {
        guard let expected else { return true }
        return SubjectMatch.confirms(typed, name: expected, shown: expectedShown.map { [$0] } ?? [], count: sendCount)
    }

    /// How many requests a confirmation would send.
    public var sendCount: Int {
        if let plan { return plan.toSend.count }
        if let rows = leaveRows { return rows.filter(\.verdict.sends).count }
        if let found { return found.removalSteps.count }
        if case .resume(let p) = kind { return p.remaining.count }
        return 0
    }
}
