import Foundation
import GatewayKit

/// The panes of the main screen.
public enum Pane: Int, Sendable, Hashable, CaseIterable {
    case sessions, groups, participants, log

    public var title: String {
        switch self {
        case .sessions: "Sessions"
        case .groups: "Groups"
        case .participants: "Participants"
        case .log: "Log"
        }
    }
}

/// Data that arrives from the gateway: the last value, whether a load is under way, and the
/// last error (shown in the pane with `r` to retry while the rest keeps working).
public struct Loaded<T: Sendable>: Sendable {
    public var value: T?
    public var loading = false
    public var error: String?

    public init(value: T? = nil, loading: Bool = false, error: String? = nil) {
        self.value = value; self.loading = loading; self.error = error
    }
}

/// A group of a session.
public struct GroupKey: Sendable, Hashable {
    public var session: String
    public var group: JID
    public init(session: String, group: JID) { self.session = session; self.group = group }
}

/// Cursor, scroll and filter of one list pane.
public struct ListState: Sendable, Hashable {
    public var cursor = 0
    public var scroll = 0
    public var filter = ""
    /// The filter is being typed.
    public var editing = false
    public init() {}
}

/// One line of the log pane. Requests are kept under the operation that made them.
public struct LogEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case info
        case error
        case request(RequestEvent)
        case operation
        case result(ok: Bool)
    }
    public var at: Date
    public var kind: Kind
    public var text: String
    /// The operation this entry belongs to, if any.
    public var operation: Int?
    /// Longer detail shown when the entry is opened.
    public var detail: String?

    public init(at: Date, kind: Kind, text: String, operation: Int? = nil, detail: String? = nil) {
        self.at = at; self.kind = kind; self.text = text; self.operation = operation; self.detail = detail
    }
}

/// A running or finished operation, with each target's own state.
public struct OperationState: Sendable {
    public enum RowState: Sendable, Hashable {
        case pending, sending
        case ended(Outcome)
    }
    public var id: Int
    public var title: String
    /// `nil` for leave.
    public var action: MemberAction?
    public var key: GroupKey?
    public var session: String
    public var targets: [JID]
    public var names: [JID: String]
    public var rows: [JID: RowState]
    public var finished = false
    public var cancelling = false
    /// Targets that ended not finished for a reason that can pass (offline, no usable
    /// answer): they stay in the journal for a resume.
    public var resumable = 0
    /// The audit log's id, once recorded.
    public var auditID: String?
    /// The operation this one undoes.
    public var undoes: String?
    /// Rows are groups (one person removed from several groups).
    public var acrossGroups = false
    /// When the next request goes (pacing or a retry's backoff), and why it waits.
    public var nextAt: Date?
    public var waitReason: String?
    /// Targets the preflight did not send, with why ("Ana Souza: the owner cannot be removed").
    public var skipped: [String] = []

    public var done: Int { rows.values.filter { if case .ended(let o) = $0 { o.isSuccess } else { false } }.count }
    public var failed: Int { rows.values.filter { if case .ended(let o) = $0 { !o.isSuccess } else { false } }.count }
    public var left: Int { targets.count - done - failed }
}

/// An operation `u` can undo: who ended done, where, and the audit id to name.
public struct UndoCandidate: Sendable, Hashable {
    public var auditID: String
    public var action: MemberAction
    public var key: GroupKey
    public var subject: String
    public var targets: [JID]
    /// Their names as the operation showed them (a removed person is no longer in the group's list).
    public var names: [JID: String]
    public init(auditID: String, action: MemberAction, key: GroupKey, subject: String, targets: [JID], names: [JID: String] = [:]) {
        self.auditID = auditID; self.action = action; self.key = key; self.subject = subject; self.targets = targets; self.names = names
    }
}

/// The console's whole state. Views draw it; the reducer changes it; nothing else does.
public struct ConsoleState: Sendable {
    public var width = 80
    public var height = 24
    public var focus: Pane = .sessions
    /// The pane focused before the log took focus.
    public var lastListFocus: Pane = .sessions

    public var sessions = Loaded<[Session]>()
    public var openSession: String?
    public var groups: [String: Loaded<[Group]>] = [:]
    public var openGroup: GroupKey?
    /// Participants per group, kept in display order (owner, admins, members by name).
    public private(set) var participants: [GroupKey: Loaded<[Participant]>] = [:]
    /// Each participant's folded search text, in the same order, so filtering a 1,024-member
    /// group does not fold every name on every key.
    public private(set) var participantSearch: [GroupKey: [String]] = [:]

    public var lists: [Pane: ListState] = [.sessions: ListState(), .groups: ListState(), .participants: ListState(), .log: ListState()]
    /// Tagged groups, per session.
    public var groupTags: [String: Set<JID>] = [:]
    /// Tagged participants, per group (by the participant's id).
    public var participantTags: [GroupKey: Set<JID>] = [:]

    public var log: [LogEntry] = []
    /// The log pane follows new entries until the operator scrolls up.
    public var logFollow = true

    public var dialog: Dialog?
    public var operation: OperationState?
    /// What `u` undoes: the last remove, demote or promote of this console.
    public var lastUndo: UndoCandidate?
    /// Interrupted operations still to offer.
    public var pending: [PendingOperation] = []
    /// The number or JID being typed for find (`f`); nil when not typing.
    public var findQuery: String?
    public var nextOperationID = 1

    public var readOnly = false
    public var dryRun = false
    /// A reason must be typed before a mutation is confirmed.
    public var requireReason = false
    public var showHelp = false
    public var helpScroll = 0
    /// A one-line message in the status line (why a key did nothing, what just happened).
    public var message: String?
    public var messageIsError = false
    /// Ctrl-C was pressed once with nothing to cancel: a second press quits.
    public var interruptArmed = false
    /// q was pressed once while an operation runs: a second press quits.
    public var quitArmed = false
    public var quit = false
    /// The gateway's name for the breadcrumb (profile or URL host).
    public var gatewayName = ""
    public var now = Date()

    public init() {}

    /// Stores a group's participants, sorted for display, with their search text.
    public mutating func setParticipants(_ key: GroupKey, _ list: [Participant]) {
        let sorted = Self.displayOrder(list)
        participants[key, default: Loaded()].value = sorted
        participantSearch[key] = sorted.map { p in
            Self.folded([p.name, p.numberText, p.phone?.string, p.lid?.string].compactMap { $0 }.joined(separator: "\u{1}"))
        }
    }

    /// Changes a group's loading state or error, leaving its rows.
    public mutating func updateParticipants(_ key: GroupKey, _ change: (inout Loaded<[Participant]>) -> Void) {
        change(&participants[key, default: Loaded()])
    }

    public var tooSmall: Bool { width < Layout.minWidth || height < Layout.minHeight }

    public func list(_ pane: Pane) -> ListState { lists[pane] ?? ListState() }

    public var currentSession: Session? {
        guard let id = openSession else { return nil }
        return sessions.value?.first { $0.id == id }
    }

    public var currentGroup: Group? {
        guard let key = openGroup else { return nil }
        return groups[key.session]?.value?.first { $0.jid == key.group }
    }
}
