import FleetIndex
import Foundation
import GatewayKit
import Synchronization

/// Folded texts that are not ASCII, remembered. Bounded: past `capacity` texts (a gateway
/// may send any number of names) it starts again empty. Any thread.
final class FoldMemo: Sendable {
    static let shared = FoldMemo(capacity: 1 << 15)
    private let capacity: Int
    private let table = Mutex([String: String]())

    init(capacity: Int) { self.capacity = capacity }

    func get(_ s: String) -> String? { table.withLock { $0[s] } }

    func put(_ s: String, _ folded: String) {
        table.withLock { t in
            if t.count >= capacity { t.removeAll(keepingCapacity: true) }
            t[s] = folded
        }
    }

    var count: Int { table.withLock { $0.count } }
}

/// The rows each pane shows: its data, filtered and in display order.
extension ConsoleState {
    static func folded(_ s: String) -> String {
        // ASCII folds to its lower case, byte by byte: what Foundation's folding gives for it,
        // without going through NSString for every name of a 1,024-member group.
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        // Anything else goes through Foundation, once per text: the same names come back with
        // every read of a group (the index's rows, then the live read, then each refresh).
        if let known = FoldMemo.shared.get(s) { return known }
        let f = s.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        FoldMemo.shared.put(s, f)
        return f
    }

    static func matches(_ q: FilterQuery, _ fields: [String?]) -> Bool {
        if q.isEmpty { return true }
        let t = searchFields(fields)
        return q.matches(t.text, digits: t.digits)
    }

    /// What a filter looks in for a row made of these fields: their folded text and digits.
    static func searchFields(_ fields: [String?]) -> DerivedCache.SearchText {
        let present = fields.compactMap { $0 }
        // Each field folded on its own, so that a text met again (a subject, a name) is
        // folded once (`FoldMemo`).
        return DerivedCache.SearchText(text: present.map(folded).joined(separator: "\u{1}"), digits: present.map { $0.filter(\.isNumber) }.joined(separator: "|"))
    }

    public var visibleSessions: [Session] {
        let f = list(.sessions).filter
        let key = DerivedCache.ListKey(session: nil, version: sessionsVersion, joinsVersion: 0, filter: f, second: 0)
        return derived.sessions(key) {
            let q = FilterQuery(f)
            return (sessions.value ?? []).filter { Self.matches(q, [$0.label, $0.id, $0.account?.string, $0.status]) }
        }
    }

    public var allGroups: [Group] {
        guard let s = openSession else { return [] }
        return groups[s]?.value ?? []
    }

    public var visibleGroups: [Group] {
        let f = list(.groups).filter
        // Only a `joined:` term makes the list depend on the time (and the joins).
        let windowed = !f.isEmpty && FilterQuery(f).joined != nil
        let key = DerivedCache.ListKey(session: openSession, version: groupsVersion, joinsVersion: windowed ? fleet.joinsVersion : 0, filter: f,
                                       second: windowed ? Int64(now.timeIntervalSince1970.rounded(.down)) : 0)
        return derived.groups(key) { filteredGroups(f) }
    }

    private func filteredGroups(_ f: String) -> [Group] {
        let q = FilterQuery(f)
        let all = allGroups
        guard !q.isEmpty else { return all }
        // Each group's subject and JID folded once per read of the list, not per character
        // typed (folding goes through Foundation for every subject that is not ASCII).
        let texts = derived.groupSearch(DerivedCache.SearchKey(session: openSession, version: groupsVersion)) {
            all.map { Self.searchFields([$0.subject, $0.jid.string]) }
        }
        // Made from this very list (the key is its version): one text per group.
        func hit(_ i: Int) -> Bool { q.terms.isEmpty || q.matches(texts[i].text, digits: texts[i].digits) }
        guard let window = q.joined, let sid = openSession else { return all.indices.filter(hit).map { all[$0] } }
        // `joined:<1h` in the groups pane: the groups where someone joined within that long.
        return all.indices.filter { i in
            hit(i) && fleet.joinCount(session: sid, group: all[i].jid, within: window, now: now) > 0
        }.map { all[$0] }
    }

    /// Owner first, then admins, then members; by name within each.
    static func displayOrder(_ list: [Participant]) -> [Participant] {
        // Sorted as positions beside their keys, not as whole participants moved about.
        let names = list.map { p in p.name.map(folded) ?? "\u{10FFFF}" }
        let order = list.indices.sorted { a, b in
            if list[a].role != list[b].role { return list[a].role > list[b].role }
            if names[a] != names[b] { return names[a] < names[b] }
            return list[a].id < list[b].id
        }
        return order.map { list[$0] }
    }

    /// The open group's participants, in display order (sorted once, when stored).
    public var allParticipants: [Participant] {
        guard let key = openGroup else { return [] }
        return participants[key]?.value ?? []
    }

    /// What the participants list is made of, as the derived cache keys it.
    var participantsKey: DerivedCache.ParticipantsKey {
        let f = list(.participants).filter.trimmedSpaces
        let windowed = fleet.onlyNew || (!f.isEmpty && FilterQuery(f).joined != nil)
        return DerivedCache.ParticipantsKey(group: openGroup, version: participantsVersion, metaVersion: fleet.metaVersion, filter: f,
                                            onlyNew: fleet.onlyNew, newWindow: fleet.newWindow,
                                            second: windowed ? Int64(now.timeIntervalSince1970.rounded(.down)) : 0)
    }

    public var visibleParticipants: [Participant] {
        derived.participants(participantsKey) { filteredParticipants }
    }

    private var filteredParticipants: [Participant] {
        let all = allParticipants
        let f = list(.participants).filter.trimmedSpaces
        guard let key = openGroup, !f.isEmpty || (fleet.onlyNew && !key.requests) else { return all }
        let search = participantSearch[key] ?? []
        let digits = participantDigits[key] ?? []
        let q = FilterQuery(f)
        // "New": joined within the window (`n`), or within what `joined:<…` says; the index
        // tells it, so without it no one is new.
        var window = q.joined
        if fleet.onlyNew, !key.requests { window = min(window ?? fleet.newWindow, fleet.newWindow) }
        let meta = window == nil ? [:] : (fleet.meta[key] ?? [:])
        let since = window.map { now.addingTimeInterval(-$0) }
        // Rows stored without their search text (learned in the background) are folded here.
        let ready = search.count == all.count && digits.count == all.count
        return all.indices.compactMap { i in
            if let since, meta[all[i].id]?.isNew(since: since) != true { return nil }
            if q.terms.isEmpty { return all[i] }
            let (text, numbers) = ready ? (search[i], digits[i]) : Self.searchText(all[i])
            return q.matches(text, digits: numbers) ? all[i] : nil
        }
    }

    /// How many of a group's members joined within the "new" window (`FleetState.newCount`),
    /// kept while the index's records and the second do not change.
    public func newCount(_ key: GroupKey) -> Int {
        let since = now.addingTimeInterval(-fleet.newWindow)
        let k = DerivedCache.CountKey(group: key, metaVersion: fleet.metaVersion, sinceSecond: Int64(since.timeIntervalSince1970.rounded(.down)))
        return derived.newCount(k) { fleet.newCount(key, now: now) }
    }

    /// The open group's index record of a participant, if the index knows them.
    public func indexed(_ p: Participant) -> IndexedParticipant? {
        guard let key = openGroup else { return nil }
        return fleet.meta[key]?[p.id]
    }

    /// Rows in a list pane now.
    public func rowCount(_ pane: Pane) -> Int {
        switch pane {
        case .sessions: visibleSessions.count
        case .groups: visibleGroups.count
        case .participants: visibleParticipants.count
        case .log: visibleLog.count
        }
    }

    static func identity(_ row: LogRow) -> String {
        switch row {
        case .entry(let i): "e\(i)"
        case .fold(.operation(let id), _, _, _): "o\(id)"
        case .fold(.run(let start), _, _, _): "r\(start)"
        }
    }

    /// Runs of this many background requests or more fold into one row.
    static let logRunFold = 4

    /// The log's rows. With no filter, an operation's requests fold into one row under it
    /// ("▸ 212 requests", Enter unfolds), placed where the first was, so its ✓ and ✗ lines stay
    /// in view; a run of 4 or more background requests folds likewise, and a failed background
    /// request is never folded. With a filter, every entry that matches, unfolded.
    public var visibleLog: [LogRow] {
        let f = list(.log).filter.trimmedSpaces
        return derived.log(DerivedCache.LogKey(version: logVersion, filter: f, expanded: f.isEmpty ? logExpanded : [])) { foldedLog(filter: f) }
    }

    private func foldedLog(filter f: String) -> [LogRow] {
        if !f.isEmpty {
            let q = FilterQuery(f)
            return log.indices.filter { i in
                let text = Self.logSearchText(log[i])
                return q.matches(Self.folded(text), digits: text.filter(\.isNumber))
            }.map { .entry($0) }
        }
        var rows: [LogRow] = []
        var opRow: [Int: Int] = [:]
        var run: [Int] = []
        func flush() {
            defer { run = [] }
            guard let first = run.first else { return }
            if run.count < Self.logRunFold { rows += run.map { .entry($0) }; return }
            rows.append(.fold(.run(first), count: run.count, errors: 0, first: first))
            if logExpanded.contains(.run(first)) { rows += run.map { .entry($0) } }
        }
        for (i, e) in log.enumerated() {
            guard case .request(let ev) = e.kind else {
                flush()
                rows.append(.entry(i))
                continue
            }
            let failed = ev.status.map { $0 >= 400 } ?? true
            if let op = e.operation {
                flush()
                if let r = opRow[op], case .fold(let fold, let c, let errs, let first) = rows[r] {
                    rows[r] = .fold(fold, count: c + 1, errors: errs + (failed ? 1 : 0), first: first)
                } else {
                    opRow[op] = rows.count
                    rows.append(.fold(.operation(op), count: 1, errors: failed ? 1 : 0, first: i))
                }
                if logExpanded.contains(.operation(op)) { rows.append(.entry(i)) }
                continue
            }
            if failed {
                flush()
                rows.append(.entry(i))
            } else {
                run.append(i)
            }
        }
        flush()
        return rows
    }

    /// What the log's filter looks in: the text, the request's method, path and status, and
    /// the operation ("op 3", "#3").
    static func logSearchText(_ e: LogEntry) -> String {
        var parts = [e.text]
        if case .request(let ev) = e.kind {
            parts += [ev.method, ev.path, ev.status.map(String.init) ?? "---"]
            if let err = ev.error { parts.append(err) }
        }
        if let op = e.operation { parts += ["op \(op)", "#\(op)"] }
        return parts.joined(separator: "\u{1}")
    }

    /// What the row at `index` of a pane is (a session id, a group or participant JID, a log
    /// entry's index), so the cursor can stay on it when the rows change.
    func rowIdentity(_ pane: Pane, at index: Int) -> String? {
        switch pane {
        case .sessions: visibleSessions.indices.contains(index) ? visibleSessions[index].id : nil
        case .groups: visibleGroups.indices.contains(index) ? visibleGroups[index].jid.string : nil
        case .participants: visibleParticipants.indices.contains(index) ? visibleParticipants[index].id.string : nil
        case .log: visibleLog.indices.contains(index) ? Self.identity(visibleLog[index]) : nil
        }
    }

    /// Where the row `identity` is now, if shown.
    func rowIndex(_ pane: Pane, of identity: String) -> Int? {
        switch pane {
        case .sessions: visibleSessions.firstIndex { $0.id == identity }
        // Compared as ids, not as text made for every row.
        case .groups: JID.lenient(identity).flatMap { jid in visibleGroups.firstIndex { $0.jid == jid } }
        case .participants: JID.lenient(identity).flatMap { jid in visibleParticipants.firstIndex { $0.id == jid } }
        case .log: visibleLog.firstIndex { Self.identity($0) == identity }
        }
    }

    public var tagsHere: Set<JID> {
        switch focus {
        case .groups, .sessions: openSession.flatMap { groupTags[$0] } ?? []
        case .participants, .log: openGroup.flatMap { participantTags[$0] } ?? []
        }
    }

    /// Tagged participants of the open group that the filter hides.
    public var hiddenParticipantTags: Int {
        guard let key = openGroup, let tags = participantTags[key], !tags.isEmpty else { return 0 }
        let shown = Set(visibleParticipants.map(\.id))
        return tags.subtracting(shown).count
    }

    public var hiddenGroupTags: Int {
        guard let s = openSession, let tags = groupTags[s], !tags.isEmpty else { return 0 }
        let shown = Set(visibleGroups.map(\.jid))
        return tags.subtracting(shown).count
    }
}

/// What `/` typed, as terms that must all match (words are ANDed): "maria 2922" is Maria whose
/// number holds 2922. Letters compare folded (case, accents and width ignored); a run of
/// words made of digits and `+ - ( )` is one number, compared on digits only, so "+55 11 9999"
/// matches "+5511999912345".
struct FilterQuery: Sendable, Hashable {
    enum Term: Sendable, Hashable {
        case text(String)
        case digits(String)
    }
    var terms: [Term] = []
    /// `joined:<1h`: only those who joined within this long (participants; groups with such
    /// joins). Other panes ignore it.
    var joined: TimeInterval?

    init(_ filter: String) {
        var number = ""
        var numberWords: [String] = []
        func flushNumber() {
            guard !numberWords.isEmpty else { return }
            // Fewer than 3 digits is too little to be a number: it is text ("2" in "Team 2").
            if number.count >= 3 { terms.append(.digits(number)) } else { terms += numberWords.map { .text($0) } }
            number = ""
            numberWords = []
        }
        for word in ConsoleState.folded(filter).split(whereSeparator: \.isWhitespace) {
            let w = String(word)
            if case .some(.some(let window)) = JoinedTerm.window(w) {
                flushNumber()
                joined = min(joined ?? window, window)
                continue
            }
            if w.contains(where: \.isNumber), w.allSatisfy({ $0.isNumber || "+-()".contains($0) }) {
                number += w.filter(\.isNumber)
                numberWords.append(w)
            } else {
                flushNumber()
                terms.append(.text(w))
            }
        }
        flushNumber()
    }

    var isEmpty: Bool { terms.isEmpty && joined == nil }

    /// Whether every term is in `hay` (folded text) or, for a number, in `digits` (its digits).
    func matches(_ hay: String, digits: String) -> Bool {
        terms.allSatisfy { t in
            switch t {
            case .text(let w): Self.contains(hay, w)
            case .digits(let d): Self.contains(digits, d)
            }
        }
    }

    /// A substring search over UTF-8 bytes (`ByteSearch`). Both sides are folded already, so
    /// bytes are enough; Foundation's `contains` went through NSString and UTF-16 for every
    /// row, most of the time of a character typed into a 1,024-member group's filter.
    static func contains(_ hay: String, _ needle: String) -> Bool {
        var hay = hay, needle = needle
        return hay.withUTF8 { h in needle.withUTF8 { n in ByteSearch.firstOffset(of: n, in: h) != nil } }
    }
}
