import FleetIndex
import GatewayKit

/// A group and what leaving it will do.
public struct LeaveRow: Sendable, Hashable {
    public var group: Group
    public var verdict: Verdict
    public init(group: Group, verdict: Verdict) { self.group = group; self.verdict = verdict }
}

/// What the operator is answering in a confirmation: the focused field, what was typed, the
/// reason, what must be typed, why the last attempt did nothing. Every dialog that confirms
/// holds one.
public struct Confirmation: Sendable {
    public enum Field: Sendable, Hashable { case buttons, reason, notice, typed }

    public var field: Field = .buttons
    public var yesFocused = false
    public var typed = ""
    public var reason = ""
    /// What must be typed to confirm; nil for a y/N confirmation.
    public var expected: String?
    /// Why the last confirmation attempt did nothing.
    public var warning: String?
    public var scroll = 0
    /// Only shown, not confirmed (read-only mode, or nothing can be sent).
    public var listOnly = false
    /// A removal's exit notice, sent to each person first (empty: none); nil where the
    /// dialog has no notice (not a removal, or the dialect sends no text).
    public var notice: String?

    public init(expected: String? = nil, listOnly: Bool = false) {
        self.expected = expected
        self.listOnly = listOnly
        self.field = expected == nil ? .buttons : .typed
    }

    /// What must be typed, as the footer shows it (a long subject is cut).
    public var expectedShown: String? {
        expected.map { TerminalText.clip($0, 32) }
    }
}

/// Remove, demote, promote or add participants of one group.
public struct MembersDialog: Sendable {
    public var action: MemberAction
    public var key: GroupKey
    public var subject: String
    /// The targets asked for (before the fresh read), for the loading view.
    public var requested: [JID]
    /// Computed from freshly read group data; nil while reading.
    public var plan: Preflight?
    public var error: String?
    /// Tagged rows the filter hides (they are included).
    public var hiddenTagged = 0
    /// For an undo: the audit id of the operation undone.
    public var undoes: String?
    /// Names known from an earlier operation, for targets no longer in the group.
    public var knownNames: [JID: String] = [:]
    public var confirmation = Confirmation()

    public init(_ action: MemberAction, _ key: GroupKey, subject: String, requested: [JID]) {
        self.action = action; self.key = key; self.subject = subject; self.requested = requested
    }
}

/// An operation on groups of a session themselves: leave, reset the invite link, lock,
/// unlock, or (undoing a lock) put each group's settings back.
public struct GroupsDialog: Sendable {
    public var kind: OperationKind = .leave
    /// The settings a lock or unlock sets, the same in every group.
    public var settings: GroupSettings?
    /// For an undo of a lock: each group's own settings to put back.
    public var perGroup: [JID: GroupSettings] = [:]
    /// For an undo: the audit id of the operation undone.
    public var undoes: String?
    public var session: String
    /// The groups asked for (before the fresh read); an answer for other groups is not this one's.
    public var requested: [JID]
    /// Each group and what leaving it will do; nil while reading.
    public var rows: [LeaveRow]?
    public var error: String?
    /// Tagged rows the filter hides (they are included).
    public var hiddenTagged = 0
    public var confirmation = Confirmation()

    public init(session: String, requested: [JID], kind: OperationKind = .leave, settings: GroupSettings? = nil) {
        self.session = session; self.requested = requested; self.kind = kind; self.settings = settings
    }

    /// What group `g` is to be set to (nil for a leave or a link reset).
    public func wanted(_ g: JID) -> GroupSettings? { perGroup[g] ?? settings }
}

/// Lines to read: what an operation left undone, or a log entry opened.
public struct TextDialog: Sendable {
    public var title: String
    public var lines: [String]
    public var scroll = 0
    public init(title: String, lines: [String]) { self.title = title; self.lines = lines }
}

/// An operation that did not finish (found in the journal at start).
public struct ResumeDialog: Sendable {
    public var pending: PendingOperation
    public var confirmation: Confirmation
    public init(_ pending: PendingOperation, expected: String?) {
        self.pending = pending
        self.confirmation = Confirmation(expected: expected)
    }
}

/// Where a person is, everywhere; confirming removes them where it can work.
public struct FindDialog: Sendable {
    public var who: JID
    /// The search's result; nil while reading.
    public var report: FindEverywhere.Report?
    /// While reading: each session's groups read and total, in the order listed, and the
    /// hits so far.
    public var sessions: [(label: String, read: Int, total: Int)] = []
    public var hits: [FindEverywhere.Hit] = []
    public var failures = 0
    /// Esc was pressed: the search is stopping.
    public var stopping = false
    /// Only listed while the search runs; the report says whether it confirms.
    public var confirmation = Confirmation(listOnly: true)

    /// Where the fleet index saw them, answered at once (each with how old that is); nil for a
    /// live search. Nothing is removed from these: `x` reads their groups live first.
    public var indexHits: [IndexHit]?
    /// Asked of the fleet index (else a live search of every group).
    public var fromIndex = false
    /// Their groups are being read live before a removal (the report then confirms).
    public var confirming = false
    /// The reason a removal starts with (a watchlist alert's: "watchlist: …").
    public var reason: String?
    /// Their watchlist entry, if they are on the watchlist.
    public var watch: WatchEntry?
    /// The reason being typed for putting them on the watchlist or taking them off (`W`);
    /// nil when not typing.
    public var watchReason: String?
    /// Why the last `W` did nothing (no reason typed).
    public var watchWarning: String?

    public init(who: JID) { self.who = who }

    /// Still waiting for what it shows: the live search, or the live reads before a removal.
    public var waiting: Bool { report == nil && (indexHits == nil || confirming) }
}

/// This gateway's recent operations (the audit log); u undoes the one under the cursor.
public struct HistoryDialog: Sendable {
    /// Its rows; nil while reading.
    public var items: [HistoryItem]?
    public var error: String?
    public var cursor = 0
    public init() {}
}

/// Approve or reject pending join requests of one group. Nothing is read first: the
/// executor reads the pending list just before sending, and one no longer pending is not sent.
public struct AnswerDialog: Sendable {
    public var kind: OperationKind
    /// The group's requests key (the pane's rows).
    public var key: GroupKey
    public var subject: String
    public var targets: [JID]
    /// How each request shows (its number, or its id).
    public var shown: [JID: String]
    /// Tagged rows the filter hides (they are included).
    public var hiddenTagged = 0
    public var confirmation = Confirmation()
    public init(kind: OperationKind, key: GroupKey, subject: String, targets: [JID], shown: [JID: String]) {
        self.kind = kind; self.key = key; self.subject = subject; self.targets = targets; self.shown = shown
    }
}

/// A group's details: its settings, its invite link (masked until revealed: whoever has it
/// can join), and its pending join requests. Each part nil while reading, or absent where the
/// dialect has no such read.
public struct GroupInfoDialog: Sendable {
    public var key: GroupKey
    public var subject: String
    /// What the read found; nil while reading.
    public var info: GroupInfo?
    /// `v` shows the whole link.
    public var revealed = false
    public var scroll = 0
    public init(key: GroupKey, subject: String) { self.key = key; self.subject = subject }
}

/// The reads behind a group's details: each nil where the dialect has no such read.
public struct GroupInfo: Sendable {
    public var settings: Result<GroupSettings, GatewayError>?
    public var link: Result<InviteLink, GatewayError>?
    public var requests: Result<[JoinRequest], GatewayError>?
    public init(settings: Result<GroupSettings, GatewayError>? = nil, link: Result<InviteLink, GatewayError>? = nil,
                requests: Result<[JoinRequest], GatewayError>? = nil) {
        self.settings = settings; self.link = link; self.requests = requests
    }
}

/// A modal box over the panes. Each kind carries what it shows; those that confirm carry a
/// `Confirmation`.
public enum Dialog: Sendable {
    case members(MembersDialog)
    case leave(GroupsDialog)
    case summary(TextDialog)
    case detail(TextDialog)
    case resume(ResumeDialog)
    case found(FindDialog)
    case history(HistoryDialog)
    case groupInfo(GroupInfoDialog)
    case answer(AnswerDialog)

    /// The confirmation of a kind that confirms; nil for the others (setting nil does nothing).
    public var confirmation: Confirmation? {
        get {
            switch self {
            case .members(let m): m.confirmation
            case .leave(let l): l.confirmation
            case .resume(let r): r.confirmation
            case .found(let f): f.confirmation
            case .answer(let a): a.confirmation
            case .summary, .detail, .history, .groupInfo: nil
            }
        }
        set {
            guard let c = newValue else { return }
            switch self {
            case .members(var m): m.confirmation = c; self = .members(m)
            case .leave(var l): l.confirmation = c; self = .leave(l)
            case .resume(var r): r.confirmation = c; self = .resume(r)
            case .found(var f): f.confirmation = c; self = .found(f)
            case .answer(var a): a.confirmation = c; self = .answer(a)
            case .summary, .detail, .history, .groupInfo: break
            }
        }
    }

    /// How far the body is scrolled (the history keeps its cursor in view instead).
    public var scroll: Int {
        get {
            switch self {
            case .summary(let t), .detail(let t): t.scroll
            case .groupInfo(let g): g.scroll
            case .history: 0
            default: confirmation?.scroll ?? 0
            }
        }
        set {
            switch self {
            case .summary(var t): t.scroll = newValue; self = .summary(t)
            case .detail(var t): t.scroll = newValue; self = .detail(t)
            case .groupInfo(var g): g.scroll = newValue; self = .groupInfo(g)
            case .history: break
            default: confirmation?.scroll = newValue
            }
        }
    }

    /// Why the read the dialog waits for failed, if it did.
    public var error: String? {
        switch self {
        case .members(let m): m.error
        case .leave(let l): l.error
        case .history(let h): h.error
        case .summary, .detail, .resume, .found, .groupInfo, .answer: nil
        }
    }

    public var isConfirmation: Bool {
        switch self {
        case .resume: true
        case .members, .leave, .found, .answer: !(confirmation?.listOnly ?? true)
        case .summary, .detail, .history, .groupInfo: false
        }
    }

    /// Whether the confirmation takes a reason.
    public var takesReason: Bool {
        if case .resume = self { return false }
        return true
    }

    public var loading: Bool {
        switch self {
        case .members(let m): m.plan == nil && m.error == nil
        case .leave(let l): l.rows == nil && l.error == nil
        case .found(let f): f.waiting
        case .history(let h): h.items == nil && h.error == nil
        case .groupInfo(let g): g.info == nil
        case .summary, .detail, .resume, .answer: false
        }
    }

    /// What must be typed, as the footer shows it (a long subject is cut).
    public var expectedShown: String? { confirmation?.expectedShown }

    /// Whether what was typed confirms: the name as it is, as the footer or a terminal that
    /// cannot join emoji showed it, or the count (`SubjectMatch`).
    public var typedConfirms: Bool {
        guard let c = confirmation, let expected = c.expected else { return true }
        return SubjectMatch.confirms(c.typed, name: expected, shown: c.expectedShown.map { [$0] } ?? [], count: sendCount)
    }

    /// How many requests a confirmation would send.
    public var sendCount: Int {
        switch self {
        case .members(let m): m.plan?.toSend.count ?? 0
        case .leave(let l): l.rows?.filter(\.verdict.sends).count ?? 0
        case .found(let f): f.report?.removalSteps.count ?? 0
        case .resume(let r): r.pending.remaining.count
        case .answer(let a): a.targets.count
        case .summary, .detail, .history, .groupInfo: 0
        }
    }

    /// What stops the confirmation whatever is typed (the preflight's blocker), if anything.
    public var blocker: String? {
        if case .members(let m) = self { return m.plan?.blocker?.text }
        return nil
    }
}
