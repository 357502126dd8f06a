import FleetIndex
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
    /// The group's pending join requests rather than its members (the participants pane's
    /// `J` toggle): listed, filtered and tagged as members are, with rows of their own.
    public var requests: Bool
    public init(session: String, group: JID, requests: Bool = false) { self.session = session; self.group = group; self.requests = requests }

    /// The same group's members.
    public var members: GroupKey { GroupKey(session: session, group: group) }
    /// The same group's join requests.
    public var joinRequests: GroupKey { GroupKey(session: session, group: group, requests: true) }
}

/// Cursor, scroll and filter of one list pane.
public struct ListState: Sendable, Hashable {
    public var cursor = 0
    public var scroll = 0
    public var filter = ""
    /// The filter is being typed.
    public var editing = false
    /// The kept filter is shown for editing: the first character typed replaces it, Backspace
    /// and Ctrl-W edit it.
    public var replaceOnType = false
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

/// A fold of the log: an operation's requests, or a run of background requests.
public enum LogFold: Sendable, Hashable {
    case operation(Int)
    case run(Int)
}

/// One row of the log pane: an entry, or a fold standing for several requests.
public enum LogRow: Sendable, Hashable {
    case entry(Int)
    /// `count` requests folded, `first` the log index of the first, `errors` of them failed.
    case fold(LogFold, count: Int, errors: Int, first: Int)
}

/// A running or finished operation, with each step's own state.
public struct OperationState: Sendable {
    public enum RowState: Sendable, Hashable {
        case pending, sending
        case ended(Outcome)
    }

    /// One step of the operation as the panes and the log show it. What it is shown as is
    /// decided once, where the operation is started; its events name it by step.
    public struct Row: Sendable, Hashable {
        /// The step's index in the operation's plan (each of its events names it).
        public var step: Int
        /// Where it acts: a target in a group of a session (for a leave, the group itself).
        public var on: OperationStep
        /// What it is shown as: its participant, or its group (a leave, or one person removed
        /// from several groups).
        public var shownAs: JID
        /// Its name as the operator saw it.
        public var name: String
        public var state: RowState = .pending

        public init(step: Int, on: OperationStep, shownAs: JID, name: String? = nil, state: RowState = .pending) {
            self.step = step; self.on = on; self.shownAs = shownAs; self.name = name ?? shownAs.string; self.state = state
        }

        /// The step acts on the group itself (a leave), not on a participant of it.
        public var actsOnGroup: Bool { on.target == on.group }
    }

    public var id: Int
    public var title: String
    /// The participant action; `nil` for the kinds that act on groups themselves.
    public var action: MemberAction?
    /// What the operation does.
    public var kind: OperationKind
    /// For a settings change: each step's settings as they were just before (from its result).
    public var before: [Int: GroupSettings] = [:]
    public var key: GroupKey?
    public var session: String
    /// The steps this operation runs, in plan order (a resume runs those left).
    public private(set) var rows: [Row]
    /// Where each step's row is, by step index; and the first row shown as each JID.
    private var byStep: [Int: Int] = [:]
    private var byShown: [JID: Int] = [:]
    public var finished = false
    /// Row states show in the panes until the operator refreshes after the operation ended.
    public var showRows = true
    public var cancelling = false
    /// Targets that ended not finished for a reason that can pass (offline, no usable
    /// answer): they stay in the journal for a resume.
    public var resumable = 0
    /// The audit log's id, once recorded.
    public var auditID: String?
    /// The operation this one undoes.
    public var undoes: String?
    /// When the next request goes (pacing or a retry's backoff), and why it waits.
    public var nextAt: Date?
    public var waitReason: String?
    /// Targets the preflight did not send, with why ("Ana Souza: the owner cannot be removed").
    public var skipped: [String] = []

    public init(id: Int, title: String, action: MemberAction?, kind: OperationKind? = nil, key: GroupKey?, session: String, rows: [Row]) {
        self.id = id; self.title = title; self.action = action; self.key = key; self.session = session; self.rows = rows
        self.kind = kind ?? action.map(OperationKind.init) ?? .leave
        for (i, r) in rows.enumerated() {
            byStep[r.step] = i
            if byShown[r.shownAs] == nil { byShown[r.shownAs] = i }
        }
    }

    /// What each row is shown as, in order.
    public var targets: [JID] { rows.map(\.shownAs) }

    /// A step's row, if the operation runs that step.
    public func row(step: Int) -> Row? { byStep[step].map { rows[$0] } }

    /// The state of the row shown as `id` (a participant or a group in the panes).
    public func state(of id: JID) -> RowState? { byShown[id].map { rows[$0].state } }

    /// A step moved on; a step this operation does not run changes nothing.
    public mutating func update(step: Int, _ state: RowState) {
        guard let i = byStep[step] else { return }
        rows[i].state = state
    }

    public var done: Int { rows.filter { if case .ended(let o) = $0.state { o.isSuccess } else { false } }.count }
    public var failed: Int { rows.filter { if case .ended(let o) = $0.state { !o.isSuccess } else { false } }.count }
    public var left: Int { rows.count - done - failed }
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
    /// For a lock, an unlock or a settings change: each group's settings before it (what `u`
    /// puts back); the targets are those groups.
    public var settings: [JID: GroupSettings] = [:]
    public init(auditID: String, action: MemberAction, key: GroupKey, subject: String, targets: [JID], names: [JID: String] = [:]) {
        self.auditID = auditID; self.action = action; self.key = key; self.subject = subject; self.targets = targets; self.names = names
    }
}

/// One operation of this gateway, from the audit log, for the history view (`H`).
public struct HistoryItem: Sendable, Hashable {
    public var auditID: String
    /// ISO 8601, as recorded.
    public var time: String
    public var user: String
    public var action: String
    public var session: String
    public var group: JID?
    /// The group's subject and the targets' names as recorded (older records have none).
    public var subject: String?
    public var names: [JID: String] = [:]
    public var targets: Int
    /// Targets that ended done, and those without a final result.
    public var done: [JID]
    public var unsettled: Int
    public var reason: String?
    public var undoes: String?
    /// Undone since (by the console or `wamod undo`).
    public var undoneBy: String?
    public var dryRun: Bool
    /// What `u` would do here, or why it cannot.
    public var undo: Result<MemberAction, GatewayError>

    public init(auditID: String, time: String, user: String, action: String, session: String, group: JID?, targets: Int,
                done: [JID], unsettled: Int, reason: String?, undoes: String?, undoneBy: String?, dryRun: Bool,
                undo: Result<MemberAction, GatewayError>) {
        self.auditID = auditID; self.time = time; self.user = user; self.action = action; self.session = session
        self.group = group; self.targets = targets; self.done = done; self.unsettled = unsettled; self.reason = reason
        self.undoes = undoes; self.undoneBy = undoneBy; self.dryRun = dryRun; self.undo = undo
    }

    /// Builds the newest-first history of one gateway from the audit log's records.
    public static func from(_ records: [AuditRecord], gateway: String, limit: Int = 100) -> [HistoryItem] {
        var starts: [AuditRecord] = []
        var results: [String: [String: AuditRecord]] = [:]
        var undoneBy: [String: String] = [:]
        for r in records {
            switch r.type {
            case "operation":
                guard r.gateway == gateway else { continue }
                starts.append(r)
                if let u = r.undoes { undoneBy[u] = r.op }
            case "result":
                // The last result of a target is its final one (a resume supersedes).
                if let t = r.target { results[r.op, default: [:]][(r.group ?? "") + "|" + t] = r }
            default: break
            }
        }
        return starts.suffix(limit).reversed().map { st in
            let mine = results[st.op] ?? [:]
            let done = mine.values.filter { $0.outcome == "done" }.compactMap { $0.target.flatMap(JID.lenient) }.sorted()
            let steps = st.steps?.count ?? st.targets?.count ?? 0
            let unsettled = max(0, steps - mine.values.filter { $0.resumable != true }.count)
            let groups = Set(st.steps?.map(\.group) ?? []).union(st.group.map { [$0] } ?? [])
            var undo = Undo.inverse(of: st.action ?? "")
            if case .success = undo {
                if st.dryRun == true { undo = .failure(.notPossible("a dry run: nothing was sent")) }
                else if done.isEmpty { undo = .failure(.notPossible("it changed nobody")) }
                else if let by = undoneBy[st.op] { undo = .failure(.notPossible("undone already by \(by)")) }
                else if groups.count > 1 { undo = .failure(.notPossible("it spans \(groups.count) groups: wamod undo \(st.op)")) }
                else if st.undoes != nil { undo = .failure(.notPossible("it is an undo")) }
            }
            var item = HistoryItem(auditID: st.op, time: st.time, user: st.user ?? "?", action: st.action ?? "?", session: st.session ?? "",
                                   group: (st.group ?? groups.first).flatMap(JID.lenient), targets: steps, done: done, unsettled: unsettled,
                                   reason: st.reason, undoes: st.undoes, undoneBy: undoneBy[st.op], dryRun: st.dryRun == true, undo: undo)
            item.subject = st.subject ?? st.subjects?.values.first
            for (t, n) in st.names ?? [:] { if let j = JID.lenient(t) { item.names[j] = n } }
            for r in mine.values { if let n = r.name, let t = r.target.flatMap(JID.lenient) { item.names[t] = n } }
            return item
        }
    }
}

/// The console's whole state. Views draw it; the reducer changes it; nothing else does.
public struct ConsoleState: Sendable {
    public var width = 80
    public var height = 24
    public var focus: Pane = .sessions
    /// The pane focused before the log took focus.
    public var lastListFocus: Pane = .sessions

    public var sessions = Loaded<[Session]>() { didSet { sessionsVersion &+= 1 } }
    /// Changes with every change of `sessions`.
    public private(set) var sessionsVersion = 0
    public var openSession: String?
    public var groups: [String: Loaded<[Group]>] = [:] { didSet { groupsVersion &+= 1 } }
    /// Changes with every change of `groups` (what the derived lists are keyed by).
    public private(set) var groupsVersion = 0
    public var openGroup: GroupKey?
    /// Participants per group, kept in display order (owner, admins, members by name).
    public private(set) var participants: [GroupKey: Loaded<[Participant]>] = [:] { didSet { participantsVersion &+= 1 } }
    /// Changes with every change of `participants` (what the derived lists are keyed by).
    public private(set) var participantsVersion = 0
    /// Each participant's folded search text, in the same order, so filtering a 1,024-member
    /// group does not fold every name on every key.
    public private(set) var participantSearch: [GroupKey: [String]] = [:]
    /// The digits of the same text, for number terms ("2922").
    public private(set) var participantDigits: [GroupKey: [String]] = [:]

    public var lists: [Pane: ListState] = [.sessions: ListState(), .groups: ListState(), .participants: ListState(), .log: ListState()]
    /// Tagged groups, per session.
    public var groupTags: [String: Set<JID>] = [:]
    /// Groups whose members were asked for in the background to learn our role.
    public var rolesAsked: Set<GroupKey> = []
    /// Tagged participants, per group (by the participant's id).
    public var participantTags: [GroupKey: Set<JID>] = [:]

    public var log: [LogEntry] = [] { didSet { logVersion &+= 1 } }
    /// Changes with every change of `log`.
    public private(set) var logVersion = 0
    /// The log pane follows new entries until the operator scrolls up.
    public var logFollow = true
    /// Folds opened with Enter in the log (an operation's id, or a run of requests' first entry).
    public var logExpanded: Set<LogFold> = []
    /// 0 as usual, 1 half the screen, 2 full screen (`z`).
    public var logSize = 0
    /// The focused list pane alone, the terminal's full width (`Z`); Tab shows the next one.
    public var widePane = false

    /// Where each pane goes now.
    public var layout: Layout {
        Layout(width: width, height: height, logSize: logSize, wide: widePane ? lastListFocus : nil)
    }

    public var dialog: Dialog?
    public var operation: OperationState?
    /// What `u` undoes, newest last: this console's removes, demotes and promotes not yet
    /// undone. Each `u` takes the newest, so `u` walks back through them.
    public var undoStack: [UndoCandidate] = []
    /// The newest operation `u` undoes.
    public var lastUndo: UndoCandidate? { undoStack.last }
    /// The audit id of each operation of this console, by its console number.
    public var auditIDs: [Int: String] = [:]
    /// The operation running when the operator quit, for the summary printed on exit.
    public var quitDuring: Int?
    /// Interrupted operations still to offer.
    public var pending: [PendingOperation] = []
    /// The number or JID being typed for find (`f`); nil when not typing.
    public var findQuery: String?
    public var nextOperationID = 1

    /// What the gateway's dialect can do: a command it lacks is disabled with that reason.
    public var capabilities: Capabilities?
    /// The exit notice a remove dialog's notice field starts with (the profile's template).
    public var noticeTemplate: String?
    /// Groups' settings as last read (a preflight, a group's details, a finished lock), for the
    /// badges where the group list does not tell them.
    public var groupSettings: [GroupKey: GroupSettings] = [:]

    /// A group's settings as best known: the list's own, else the last read.
    public func settings(of key: GroupKey) -> GroupSettings? {
        groupSettings[key] ?? groups[key.session]?.value?.first { $0.jid == key.group }?.settings
    }
    public var dialect: Dialect?

    /// The fleet index, live events and the watchlist, as the console shows them.
    public var fleet = FleetState()

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

    /// The derived lists, kept between keys and frames (`DerivedCache`).
    public let derived = DerivedCache()

    public init() {}

    /// Stores a group's participants, sorted for display, with their search text.
    /// - Parameter searchable: false for a list read in the background (to learn our role):
    ///   its search text is made when it is filtered, not for every group the console probes.
    public mutating func setParticipants(_ key: GroupKey, _ list: [Participant], searchable: Bool = true) {
        // The same people as stored (a live read confirming the index's rows, a poll that
        // found no change): kept as they are, sorted and folded once.
        if let current = participants[key]?.value, current.count == list.count,
           !searchable || participantSearch[key]?.count == current.count {
            let now = Set(list)
            if now.count == list.count, now == Set(current) { return }
        }
        let sorted = Self.displayOrder(list)
        participants[key, default: Loaded()].value = sorted
        guard searchable else {
            participantSearch[key] = nil
            participantDigits[key] = nil
            return
        }
        var search: [String] = [], digits: [String] = []
        search.reserveCapacity(sorted.count)
        digits.reserveCapacity(sorted.count)
        for p in sorted {
            let (text, numbers) = Self.searchText(p)
            search.append(text)
            digits.append(numbers)
        }
        participantSearch[key] = search
        participantDigits[key] = digits
    }

    /// A participant's folded search text (name, number, JIDs) and the digits of their ids.
    static func searchText(_ p: Participant) -> (text: String, digits: String) {
        // Each part folded on its own: the name is what repeats from read to read (and is
        // memoised when it is not ASCII); the whole line, number included, never did.
        ([p.name, p.numberText, p.phone?.string, p.lid?.string].compactMap { $0.map(Self.folded) }.joined(separator: "\u{1}"),
         [p.phone?.string, p.lid?.string].compactMap { $0.map(Self.asciiDigits) }.joined(separator: "|"))
    }

    /// The ASCII digits of an id (a JID's user part is digits; anything else is not a number
    /// anyone types).
    static func asciiDigits(_ s: String) -> String {
        String(decoding: s.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)
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

extension ConsoleState {
    /// After a quit during an operation: what was done, what was not sent, and its id
    /// (printed once the terminal is restored).
    public var quitSummary: [String] {
        guard let id = quitDuring, let op = operation, op.id == id else { return [] }
        let notSent = op.rows.filter { r in
            switch r.state {
            case .pending: true
            case .ended(.notAttempted): true
            default: false
            }
        }
        let failed = op.rows.filter { r in
            switch r.state {
            case .ended(.notAttempted): false
            case .ended(let o): !o.isSuccess
            default: false
            }
        }
        let inFlight = op.rows.filter { $0.state == .sending }
        let ref = op.auditID.map { " (operation \($0))" } ?? ""
        var lines = ["wamod: quit during \(TerminalText.clip(op.title, 80))\(ref): \(op.done) done, \(failed.count) failed, \(notSent.count) not sent\(inFlight.isEmpty ? "" : ", \(inFlight.count) without an answer yet")"]
        if !notSent.isEmpty {
            let names = notSent.prefix(10).map { TerminalText.clip($0.name, 40) }
            lines.append("  not sent: \(names.joined(separator: ", "))\(notSent.count > 10 ? ", … (\(notSent.count - 10) more)" : "")")
        }
        if let auditID = op.auditID {
            lines.append("  every result is in the audit log: wamod audit --op \(auditID)")
            if !inFlight.isEmpty || op.resumable > 0 { lines.append("  what is unsettled stays in the journal: wamod resume \(auditID)") }
        }
        return lines
    }
}
