import FleetIndex
import Foundation
import GatewayKit
import Testing
@testable import Console

/// The derived lists are kept between keys and frames, and made again whenever anything they
/// are made of changes: the rows, the filter, the index's records, the window of "new", the log.
@Suite("console: derived lists kept between keys")
struct DerivedCacheTests {
    @Test("cursor moves and frames reuse the participants list and the column widths")
    func reused() {
        var s = Fixtures.loaded(width: 120, height: 34)
        let view = RootView(keys: .standard)
        _ = view.render(s)
        let before = s.derived.counts
        for _ in 0..<5 { _ = Fixtures.press(&s, .down); _ = view.render(s) }
        let after = s.derived.counts
        #expect(after.misses == before.misses)
        #expect(after.hits > before.hits)
    }

    @Test("new rows, a filter and a log line are seen at once")
    func invalidated() {
        var s = Fixtures.loaded(width: 120, height: 34)
        let key = Fixtures.alphaKey
        let all = s.visibleParticipants.count
        #expect(all == Fixtures.people.count)
        // New rows.
        let newcomer = Participant(phone: JID(kind: .user, user: "5511900000001"), lid: nil, name: "Zed Newcomer", role: .member)
        s.setParticipants(key, Fixtures.people + [newcomer])
        #expect(s.visibleParticipants.count == all + 1)
        #expect(s.visibleParticipants.contains { $0.name == "Zed Newcomer" })
        // A filter, typed and cleared.
        _ = Fixtures.press(&s, .char("/"), .char("z"), .char("e"), .char("d"))
        #expect(s.visibleParticipants.map(\.name) == ["Zed Newcomer"])
        _ = Fixtures.press(&s, .escape)
        #expect(s.visibleParticipants.count == all + 1)
        // The log.
        let rows = s.visibleLog.count
        s.log.append(LogEntry(at: s.now, kind: .info, text: "a new line"))
        #expect(s.visibleLog.count == rows + 1)
    }

    @Test("a group learned in the background has no search text until it is filtered, and filters the same")
    func learnedLazily() {
        var s = Fixtures.loaded(width: 120, height: 34)
        let vip = GroupKey(session: Fixtures.support.id, group: Fixtures.vip.jid)
        _ = Reducer().reduce(&s, .rolesLearned(vip, Fixtures.people))
        #expect(s.participantSearch[vip] == nil, "a probed group is not folded for search")
        #expect(s.participants[vip]?.value?.count == Fixtures.people.count)
        // Opened before its live read: the filter folds the rows itself, with the same result
        // as for a group stored with its search text.
        s.openGroup = vip
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "ramirez 1110")
        #expect(s.visibleParticipants.map(\.name) == ["Diego Ramírez"])
        s.openGroup = Fixtures.alphaKey
        #expect(s.visibleParticipants.map(\.name) == ["Diego Ramírez"])
        // ASCII folds to lower case as Foundation's folding does; the rest goes through it.
        for text in ["Ana SOUZA", "bruno-LIMA_01 +55", "Diego Ramírez", "ＡＢＣ", "Ünïcödé"] {
            #expect(ConsoleState.folded(text) == text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil))
            // Remembered, the same again.
            #expect(ConsoleState.folded(text) == text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil))
        }
    }

    @Test("the same people stored again are kept as they are; a change of role, name or person is stored")
    func sameListKept() throws {
        var s = Fixtures.loaded(width: 120, height: 34)
        let key = Fixtures.alphaKey
        let shown = s.participants[key]?.value ?? []
        #expect(!shown.isEmpty)
        let version = s.participantsVersion
        s.setParticipants(key, shown.reversed())
        #expect(s.participantsVersion == version, "nothing to store")
        #expect(s.participants[key]?.value == shown)
        var promoted = shown
        let i = try #require(promoted.firstIndex { $0.role == .member })
        promoted[i].role = .admin
        s.setParticipants(key, promoted)
        #expect(s.participantsVersion != version)
        #expect(s.participants[key]?.value?.first { $0.id == promoted[i].id }?.role == .admin)
        // Someone twice in an answer is not the same list as everyone once.
        var twice = shown
        twice[0] = shown[1]
        s.setParticipants(key, shown)
        let before = s.participantsVersion
        s.setParticipants(key, twice)
        #expect(s.participantsVersion != before)
    }

    @Test("folded texts are remembered up to a bound, then forgotten all at once")
    func foldMemoIsBounded() {
        let memo = FoldMemo(capacity: 3)
        for (i, name) in ["Ärla", "Björn", "Çelik"].enumerated() {
            memo.put(name, name.lowercased())
            #expect(memo.count == i + 1)
        }
        #expect(memo.get("Björn") == "björn")
        memo.put("Đức", "duc")
        #expect(memo.count == 1, "full: it started again")
        #expect(memo.get("Björn") == nil && memo.get("Đức") == "duc")
    }

    @Test("text laid out once is drawn the same from memory; a secret registered later is masked the next time")
    func textLayouts() {
        let texts = ["Ana Souza", "客服 支持群 with a long tail that will not fit", "👩‍👩‍👧 Família", "e\u{301}\u{1B}[2J", "", "\u{202E}4321", "x\ty"]
        for text in texts {
            for limit in [1, 2, 5, 12, 40] {
                for fit in [TextLayout.Fit.none, .left(limit), .right(limit)] {
                    let made = TextLayout.make(text, limit: limit, fit: fit)
                    #expect(TextLayout.glyphs(text, limit: limit, fit: fit) == made)
                    #expect(TextLayout.glyphs(text, limit: limit, fit: fit) == made, "from memory")
                    #expect(made.reduce(0) { $0 + Int($1.width) } <= limit)
                }
            }
        }
        let token = "tok-\(UUID().uuidString)"
        var before = Screen(width: 80, height: 1)
        before.put(0, 0, "echo \(token)")
        #expect(before.line(0).contains(token))
        Secrets.register(token)
        var after = Screen(width: 80, height: 1)
        after.put(0, 0, "echo \(token)")
        #expect(!after.line(0).contains(token) && after.line(0).contains(Secrets.shown))
    }

    @Test("typing a filter leaves the participants' columns where they were")
    func columnsStay() {
        var s = Fixtures.loaded(width: 120, height: 34)
        // A long name widens the name column; filtered away, it still sets the columns.
        let long = Participant(phone: JID(kind: .user, user: "5511977770000"), lid: nil, name: "Maximiliano Bartolomeu Fernandes", role: .member)
        s.setParticipants(Fixtures.alphaKey, Fixtures.people + [long])
        func numberColumn(_ s: ConsoleState) -> Int? {
            let screen = RootView().render(s)
            let left = s.layout.participants.x
            guard let y = (0..<screen.height).first(where: { screen.line($0).contains("Diego") }) else { return nil }
            return (left..<screen.width).first { screen[$0, y].text == "+" }
        }
        let before = numberColumn(s)
        #expect(before != nil)
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "diego")
        #expect(s.visibleParticipants.count == 1)
        #expect(numberColumn(s) == before, "the one row left keeps the whole group's columns")
    }

    @Test("cells hold graphemes as numbers: one scalar is itself, longer ones are numbered, bounded")
    func graphemeNumbers() {
        let table = GraphemeTable(capacity: 2)
        #expect(table.code("") == 0 && table.text(0) == "")
        #expect(table.code("a") == 0x61 && table.text(0x61) == "a")
        #expect(table.code("界") == 0x754C)
        let family = "👩‍👩‍👧", accented = "e\u{301}", flag = "🇲🇽"
        let f = table.code(family), e = table.code(accented)
        #expect(f != e && f >= 0x20_0000 && e >= 0x20_0000)
        #expect(table.code(family) == f, "the same grapheme, the same number")
        #expect(table.text(f) == family && table.text(e) == accented)
        // Full: a third distinct one is drawn as U+FFFD; those already numbered still are.
        #expect(table.code(flag) == 0xFFFD)
        #expect(table.code(family) == f)
        #expect(table.text(0x20_0000 + 7) == "\u{FFFD}")
        // Through cells: equal text, equal cells; the text comes back.
        #expect(Cell(family, .normal) == Cell(family, .normal))
        #expect(Cell(family, .normal).text == family && Cell("", .normal).isContinuation)
    }

    @Test("the filter's substring search agrees with String's")
    func substrings() {
        let hays = ["", "a", "ana lima", "fernanda muller\u{1}+55 11 99999-0000", "日本語のテキスト", "café 🇲🇽 x", "aaab", "abcabd"]
        let needles = ["", "a", "ana", "lima", "muller", "99999", "テキ", "🇲🇽", "aab", "abd", "zzz", "ana lima and more"]
        for h in hays {
            for n in needles {
                #expect(FilterQuery.contains(h, n) == (n.isEmpty || h.utf8.elementsEqual(h.utf8) && h.range(of: n) != nil), "\(h) / \(n)")
            }
        }
    }

    @Test("the groups and sessions lists follow new data under a filter")
    func groupsAndSessions() {
        var s = Fixtures.loaded(width: 120, height: 34)
        s.focus = .groups
        _ = Fixtures.press(&s, .char("/"), .char("v"), .char("i"), .char("p"))
        let shown = s.visibleGroups.map(\.jid)
        #expect(shown == [Fixtures.vip.jid])
        var more = Fixtures.vip
        more.jid = JID(kind: .group, user: "120363000000000999")
        more.subject = "VIP Two"
        s.groups["S1"]?.value?.append(more)
        #expect(s.visibleGroups.map(\.jid) == shown + [more.jid])
        let sessions = s.visibleSessions.count
        s.sessions.value?.removeLast()
        #expect(s.visibleSessions.count == sessions - 1)
    }

    @Test("only new members: a record from the index, and time passing, change who is new")
    func newMembers() {
        var s = FleetConsoleTests.indexed(width: 120, height: 34)
        let key = Fixtures.alphaKey
        s.fleet.onlyNew = true
        s.fleet.newWindow = 3600
        let p = Fixtures.people[3]
        #expect(s.visibleParticipants.isEmpty)
        #expect(s.newCount(key) == 0)
        // The index learns that one of them joined 10 minutes ago.
        s.fleet.meta[key, default: [:]][p.id] = FleetConsoleTests.iperson(p, key: key, joinedAgo: 600, via: .invite)
        #expect(s.visibleParticipants.map(\.id) == [p.id])
        #expect(s.newCount(key) == 1)
        // 51 minutes later they are no longer new.
        s.now = s.now.addingTimeInterval(51 * 60)
        #expect(s.visibleParticipants.isEmpty)
        #expect(s.newCount(key) == 0)
    }
}

/// Whatever is typed into the participants' filter, character by character, cut back and
/// typed again, the list is the one filtering every row from scratch gives.
@Suite("console: the participants' filter as it is typed")
struct FilterTypingTests {
    /// Every row, filtered from scratch (no derived cache): what the list must be.
    static func oracle(_ s: ConsoleState, _ filter: String) -> [JID] {
        let q = FilterQuery(filter.trimmedSpaces)
        return s.allParticipants.filter { p in
            if q.terms.isEmpty { return true }
            let (text, digits) = ConsoleState.searchText(p)
            return q.matches(text, digits: digits)
        }.map(\.id)
    }

    @Test("typed, extended, cut back, a second word, digits, cleared and typed again: the same rows as filtering all")
    func sameAsFull() {
        var s = Fixtures.loaded(width: 120, height: 34)
        _ = Fixtures.press(&s, .char("/"))
        var typed = ""
        func check(_ why: String) {
            #expect(s.visibleParticipants.map(\.id) == Self.oracle(s, typed), "\(why): \(typed)")
        }
        func chars(_ t: String) -> [Key] { t.map { Key.char($0) } }
        func back(_ n: Int) -> [Key] { [Key](repeating: .backspace, count: n) }
        // Never cut back past the first character: Backspace on an empty filter closes it.
        var steps: [Key] = chars("ana") + back(2) + chars("ra mi") + back(3)  // "ara"
        steps += chars(" 5511") + back(1) + chars(" 9") + back(8)            // "ara 551 9", then "a"
        steps += chars("z") + back(1) + chars(" 22 222")                      // "a 22 222"
        for key in steps {
            _ = Fixtures.press(&s, key)
            if case .char(let c) = key { typed.append(c) } else if case .backspace = key, !typed.isEmpty { typed.removeLast() }
            check("after \(key)")
        }
        // Cleared, then typed again: the list kept from before is not taken for the new one.
        _ = Fixtures.press(&s, .escape, .char("/"))
        typed = ""
        for ch in "ramirez 1110" {
            _ = Fixtures.press(&s, .char(ch))
            typed.append(ch)
            check("typed again")
        }
        #expect(s.visibleParticipants.map(\.name) == ["Diego Ramírez"])
    }
}

/// The groups pane's filter folds each group's subject and JID once per read of the list.
@Suite("console: the groups' filter")
struct GroupFilterTests {
    @Test("accents and case ignored, a JID's digits found; a group read in later is found at once")
    func foldedOncePerRead() {
        var s = Fixtures.loaded(width: 120, height: 34)
        s.focus = .groups
        _ = Fixtures.press(&s, .char("/"))
        Fixtures.type(&s, "clientes")
        #expect(s.visibleGroups.map(\.subject) == ["VIP Clientes 🎉"])
        _ = Fixtures.press(&s, .escape, .char("/"))
        Fixtures.type(&s, "000000000001")
        #expect(s.visibleGroups.map(\.subject) == ["Team Alpha"])
        // A new read of the session's groups: the new one matches, without typing again.
        let added = Group(jid: JID(kind: .group, user: "120363000000000099"), subject: "Équipe Nouvelle", size: 3, owner: nil, ourRole: .member)
        s.groups[Fixtures.support.id] = Loaded(value: (s.groups[Fixtures.support.id]?.value ?? []) + [added])
        _ = Fixtures.press(&s, .escape, .char("/"))
        Fixtures.type(&s, "EQUIPE")
        #expect(s.visibleGroups.map(\.subject) == ["Équipe Nouvelle"])
    }
}
