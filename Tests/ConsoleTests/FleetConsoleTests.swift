import FleetEvents
import FleetIndex
import Foundation
import GatewayKit
import Testing
@testable import Console

/// The fleet index in the console, reducer and views alone: the first paint from the index
/// (cached, then live), the follower's events in the panes, the status line's source and age,
/// new members (`n`, `joined:<1h`), find from the index, and watchlist alerts.
@Suite("console: fleet index, events, new members, watchlist")
struct FleetConsoleTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let spammer = JID(kind: .user, user: "5511955501234")
    static var spammerP: Participant { Participant(phone: spammer, lid: nil, name: "Spam Bot", role: .member) }

    static func isession(_ s: Session, ago: TimeInterval = 240) -> IndexedSession {
        IndexedSession(session: s, firstSeen: now.addingTimeInterval(-86_400), lastSeen: now.addingTimeInterval(-ago), groupsListed: now.addingTimeInterval(-ago))
    }

    static func igroup(_ sid: String, _ g: Group, ago: TimeInterval = 240) -> IndexedGroup {
        IndexedGroup(session: sid, group: g, firstSeen: now.addingTimeInterval(-86_400), lastSeen: now.addingTimeInterval(-ago), lastFullRead: now.addingTimeInterval(-ago))
    }

    static func iperson(_ p: Participant, key: GroupKey = Fixtures.alphaKey, joinedAgo: TimeInterval? = nil, via: JoinVia? = nil) -> IndexedParticipant {
        let first = joinedAgo.map { now.addingTimeInterval(-$0) } ?? now.addingTimeInterval(-86_400)
        return IndexedParticipant(session: key.session, group: key.group, participant: p, firstSeen: first, lastSeen: now.addingTimeInterval(-60),
                                  baseline: joinedAgo == nil, joinedAt: via == nil ? nil : first, joinedVia: via)
    }

    static func status(groups: Int = 4, neverRead: Int = 0, roundAgo: TimeInterval = 180) -> IndexStatus {
        IndexStatus(freshness: Freshness(oldest: now.addingTimeInterval(-3600), newest: now.addingTimeInterval(-60), neverRead: neverRead,
                                         lastRound: now.addingTimeInterval(-roundAgo)),
                    groups: groups, participants: 40, at: now)
    }

    static func snapshot(watch: [WatchEntry] = []) -> IndexSnapshot {
        IndexSnapshot(sessions: [isession(Fixtures.support), isession(Fixtures.sales), isession(Fixtures.old)],
                      groups: ["S1": [Fixtures.alpha, Fixtures.vip].map { igroup("S1", $0) }, "S2": [igroup("S2", Fixtures.vip)]],
                      status: status(), watchlist: watch)
    }

    /// A console just started: nothing live yet.
    static func fresh(width: Int = 120, height: Int = 34) -> ConsoleState {
        var s = ConsoleState()
        s.width = width
        s.height = height
        s.now = now
        s.gatewayName = "support"
        s.sessions.loading = true
        return s
    }

    /// The loaded fixture with an index open and a polling follower.
    static func indexed(width: Int = 120, height: Int = 34, watch: [WatchEntry] = []) -> ConsoleState {
        var s = Fixtures.loaded(width: width, height: height)
        s.now = now
        s.fleet.available = true
        s.fleet.following = true
        s.fleet.status = status()
        s.fleet.source = .polling
        s.fleet.watchlist = watch
        return s
    }

    static func reduce(_ s: inout ConsoleState, _ a: Action) -> [Effect] { Reducer().reduce(&s, a) }

    static func entry(_ who: JID = spammer, reason: String = "spam wave") -> WatchEntry {
        WatchEntry(who: who, reason: reason, addedBy: "ana", added: now.addingTimeInterval(-7200), expires: nil)
    }

    // MARK: first paint

    @Test("the index paints sessions and groups at once, marked cached with their age; the live reads replace them")
    func firstPaint() {
        var s = Self.fresh()
        let effects = Self.reduce(&s, .indexOpened(Self.snapshot()))
        #expect(s.sessions.value?.map(\.id) == ["S1", "S2", "S3"])
        #expect(s.openSession == "S1", "the first connected session opens, as the live list would")
        #expect(s.groups["S1"]?.value?.map(\.subject) == ["Team Alpha", "VIP Clientes 🎉"])
        #expect(effects.contains(.loadGroups(session: "S1")), "its groups are read live too")
        #expect(!effects.contains { if case .follow = $0 { true } else { false } }, "the follower waits for the live session list")
        let screen = RootView().render(s).text
        #expect(screen.contains("cached 4m"), "\(screen)")

        // Live sessions: the mark goes, the follower starts.
        let live = Self.reduce(&s, .sessionsLoaded(.success([Fixtures.support, Fixtures.sales])))
        #expect(s.fleet.cachedSessions == nil && s.sessions.value?.count == 2)
        #expect(live.contains(.follow(sessions: ["S1", "S2"])))
        #expect(s.fleet.cachedGroups["S1"] != nil, "the groups are still the index's")
        _ = Self.reduce(&s, .groupsLoaded(session: "S1", .success([Fixtures.alpha, Fixtures.vip, Fixtures.cjk])))
        #expect(s.fleet.cachedGroups["S1"] == nil && s.groups["S1"]?.value?.count == 3)
        #expect(!RootView().render(s).text.contains("cached"))
    }

    @Test("the index's rows of groups, shown while the live list loads (in the index's order), are not probed for our role; the live list's are")
    func cachedGroupsAreNotProbed() {
        let old = Self.igroup("S1", Fixtures.vip, ago: ReadBudget.default.maxAge + 60)
        var stale = old.group
        stale.ourRole = nil
        let snap = IndexSnapshot(sessions: [Self.isession(Fixtures.support)],
                                 groups: ["S1": [IndexedGroup(session: "S1", group: stale, firstSeen: old.firstSeen, lastSeen: old.lastSeen, lastFullRead: old.lastFullRead)]],
                                 status: Self.status(), watchlist: [])
        func probed(_ effects: [Effect]) -> [JID] {
            effects.flatMap { e -> [JID] in if case .learnRoles(_, let groups) = e { groups } else { [] } }
        }
        var s = Self.fresh()
        s.focus = .groups
        var effects = Self.reduce(&s, .indexOpened(snap))
        effects += Self.reduce(&s, .sessionsLoaded(.success([Fixtures.support])))
        #expect(s.groups["S1"]?.loading == true && s.fleet.cachedGroups["S1"] != nil)
        #expect(s.groups["S1"]?.value?.map(\.jid) == [Fixtures.vip.jid], "the index's row is on screen")
        #expect(probed(effects).isEmpty, "not probed while the live list is on its way")
        // Nor when the operator scrolls or filters meanwhile (a slow gateway).
        #expect(probed(Reducer().probeRoles(&s)).isEmpty)
        var live = Fixtures.vip
        live.ourRole = nil
        #expect(probed(Self.reduce(&s, .groupsLoaded(session: "S1", .success([live])))) == [Fixtures.vip.jid])
        // A live list that fails leaves the index's rows: they are probed then.
        var t = Self.fresh()
        t.focus = .groups
        _ = Self.reduce(&t, .indexOpened(snap))
        _ = Self.reduce(&t, .sessionsLoaded(.success([Fixtures.support])))
        #expect(probed(Self.reduce(&t, .groupsLoaded(session: "S1", .failure(.transport("reset"))))) == [Fixtures.vip.jid])
        #expect(t.groups["S1"]?.loading == false && t.fleet.cachedGroups["S1"] != nil)
    }

    @Test("our role from a recent full read in the index is shown and not probed again; an old one is probed, whichever comes first")
    func rolesFromTheIndex() {
        func noRole(_ g: Group) -> Group { var g = g; g.ourRole = nil; return g }
        let recent = Self.igroup("S1", Fixtures.alpha, ago: 600)
        let old = Self.igroup("S1", Fixtures.vip, ago: ReadBudget.default.maxAge + 60)
        let snap = IndexSnapshot(sessions: [Self.isession(Fixtures.support)], groups: ["S1": [recent, old]], status: Self.status(), watchlist: [])
        func probed(_ effects: [Effect]) -> [JID] {
            effects.flatMap { e -> [JID] in if case .learnRoles(_, let groups) = e { groups } else { [] } }
        }
        let live = [noRole(Fixtures.alpha), noRole(Fixtures.vip)]

        // The index first, then a live list that does not tell roles (v1's).
        var s = Self.fresh()
        s.focus = .groups
        _ = Self.reduce(&s, .indexOpened(snap))
        _ = Self.reduce(&s, .sessionsLoaded(.success([Fixtures.support])))
        let asked = probed(Self.reduce(&s, .groupsLoaded(session: "S1", .success(live))))
        #expect(s.groups["S1"]?.value?.first { $0.jid == Fixtures.alpha.jid }?.ourRole == .admin)
        #expect(asked == [Fixtures.vip.jid], "only the group the index read too long ago is read for our role")

        // The live list first, while the index opens: nothing is read until it has, then the
        // index fills the roles it knows and only the others are read.
        var t = Self.fresh()
        t.focus = .groups
        t.fleet.openingSince = Self.now
        _ = Self.reduce(&t, .sessionsLoaded(.success([Fixtures.support])))
        #expect(probed(Self.reduce(&t, .groupsLoaded(session: "S1", .success(live)))).isEmpty)
        #expect(t.groups["S1"]?.value?.first { $0.jid == Fixtures.alpha.jid }?.ourRole == nil)
        #expect(probed(Self.reduce(&t, .indexOpened(snap))) == [Fixtures.vip.jid])
        #expect(t.groups["S1"]?.value?.first { $0.jid == Fixtures.alpha.jid }?.ourRole == .admin)
        #expect(t.groups["S1"]?.value?.first { $0.jid == Fixtures.vip.jid }?.ourRole == nil)

        // An index that does not open in time, or cannot: the roles are read live.
        for late in [Action.tick(Self.now.addingTimeInterval(FleetState.openingGrace + 1)), .indexUnavailable("locked")] {
            var u = Self.fresh()
            u.fleet.openingSince = Self.now
            _ = Self.reduce(&u, .sessionsLoaded(.success([Fixtures.support])))
            _ = Self.reduce(&u, .groupsLoaded(session: "S1", .success(live)))
            #expect(Self.reduce(&u, .tick(Self.now.addingTimeInterval(1))).isEmpty, "still within the grace")
            #expect(Set(probed(Self.reduce(&u, late))) == [Fixtures.alpha.jid, Fixtures.vip.jid])
            #expect(u.fleet.openingSince == nil)
        }

        // What a live read learns wins over the index's.
        var demoted = Fixtures.people
        for i in demoted.indices where demoted[i].role != .member { demoted[i].role = .member }
        _ = Self.reduce(&s, .rolesLearned(GroupKey(session: "S1", group: Fixtures.alpha.jid), demoted))
        _ = Self.reduce(&s, .groupsLoaded(session: "S1", .success(live)))
        #expect(s.groups["S1"]?.value?.first { $0.jid == Fixtures.alpha.jid }?.ourRole == .member)
    }

    @Test("another session's groups are read from the index when it is opened, drawn cached until its live list comes")
    func otherSessionFromTheIndex() {
        var s = Self.fresh()
        // The snapshot holds the groups of the session opened first only.
        var snap = Self.snapshot()
        snap.groups["S2"] = nil
        _ = Self.reduce(&s, .indexOpened(snap))
        _ = Self.reduce(&s, .sessionsLoaded(.success([Fixtures.support, Fixtures.sales])))
        _ = Self.reduce(&s, .groupsLoaded(session: "S1", .success([Fixtures.alpha, Fixtures.vip])))
        #expect(s.groups["S2"] == nil)
        let effects = Reducer().openSession(&s, "S2")
        #expect(effects.contains(.loadIndexGroups(session: "S2")) && effects.contains(.loadGroups(session: "S2")))
        var vip = Fixtures.vip
        vip.ourRole = nil
        _ = Self.reduce(&s, .indexGroups(session: "S2", [Self.igroup("S2", Fixtures.vip)]))
        #expect(s.groups["S2"]?.value?.map(\.subject) == [Fixtures.vip.subject])
        #expect(s.fleet.cachedGroups["S2"] != nil)
        #expect(RootView().render(s).text.contains("cached 4m"))
        _ = Self.reduce(&s, .groupsLoaded(session: "S2", .success([vip, Fixtures.cjk])))
        #expect(s.fleet.cachedGroups["S2"] == nil && s.groups["S2"]?.value?.count == 2)
        #expect(s.groups["S2"]?.value?.first?.ourRole == .admin, "the role the index read four minutes ago")
        // Once its rows are live, opening it again does not draw the index's over them.
        _ = Reducer().openSession(&s, "S1")
        #expect(!Reducer().openSession(&s, "S2").contains(.loadIndexGroups(session: "S2")))
    }

    @Test("a live read that fails keeps the cached rows, still marked cached")
    func liveFails() {
        var s = Self.fresh()
        _ = Self.reduce(&s, .indexOpened(Self.snapshot()))
        _ = Self.reduce(&s, .sessionsLoaded(.failure(.transport("connection refused"))))
        #expect(s.sessions.value?.count == 3 && s.fleet.cachedSessions != nil)
        _ = Self.reduce(&s, .groupsLoaded(session: "S1", .failure(.transport("connection refused"))))
        #expect(s.groups["S1"]?.value?.count == 2 && s.fleet.cachedGroups["S1"] != nil)
        let screen = RootView().render(s).text
        #expect(screen.contains("cached 4m") && screen.contains("refresh failed"), "\(screen)")
    }

    @Test("live sessions first, the index after: the live rows stay; groups still loading get the index's rows meanwhile")
    func liveFirst() {
        var s = Self.fresh()
        let opened = Self.reduce(&s, .sessionsLoaded(.success([Fixtures.support])))
        #expect(opened == [.loadGroups(session: "S1")])
        _ = Self.reduce(&s, .indexOpened(Self.snapshot()))
        #expect(s.sessions.value?.map(\.id) == ["S1"] && s.fleet.cachedSessions == nil)
        #expect(s.groups["S1"]?.value?.count == 2 && s.fleet.cachedGroups["S1"] != nil)
        _ = Self.reduce(&s, .groupsLoaded(session: "S1", .success([Fixtures.alpha])))
        #expect(s.groups["S1"]?.value?.count == 1 && s.fleet.cachedGroups["S1"] == nil)
    }

    @Test("Enter on a session whose groups came from the index reads them live")
    func openCachedSession() {
        var s = Self.fresh()
        _ = Self.reduce(&s, .indexOpened(Self.snapshot()))
        _ = Self.reduce(&s, .sessionsLoaded(.success([Fixtures.support, Fixtures.sales])))
        s.focus = .sessions
        s.lists[.sessions]?.cursor = 1
        let e = Fixtures.press(&s, .enter)
        #expect(e == [.loadGroups(session: "S2"), .loadJoins(session: "S2")])
    }

    @Test("a group's rows from the index show at once, marked cached; the live read replaces them; a failed one keeps them")
    func participantsCached() {
        var s = Self.indexed()
        let key = GroupKey(session: "S1", group: Fixtures.vip.jid)
        s.openGroup = key
        _ = Self.reduce(&s, .indexParticipants(key, Fixtures.people.prefix(3).map { Self.iperson($0, key: key) }, lastFullRead: Self.now.addingTimeInterval(-300)))
        #expect(s.visibleParticipants.count == 3 && s.fleet.cachedParticipants[key] != nil)
        #expect(RootView().render(s).text.contains("cached 5m"))
        _ = Self.reduce(&s, .participantsLoaded(key, .failure(.transport("refused"))))
        #expect(s.visibleParticipants.count == 3 && s.fleet.cachedParticipants[key] != nil)
        _ = Self.reduce(&s, .participantsLoaded(key, .success(Fixtures.people)))
        #expect(s.visibleParticipants.count == Fixtures.people.count && s.fleet.cachedParticipants[key] == nil)
        // An index read older than the live one does not replace it.
        _ = Self.reduce(&s, .indexParticipants(key, Fixtures.people.prefix(2).map { Self.iperson($0, key: key) }, lastFullRead: Self.now.addingTimeInterval(-10)))
        #expect(s.visibleParticipants.count == Fixtures.people.count)
    }

    // MARK: following

    @Test("a new member known by phone and @lid counts once; a group read in the background keeps its joins, not a record per member")
    func newCountsOnce() {
        var s = Self.indexed()
        let both = Participant(phone: JID(kind: .user, user: "5511944443333"), lid: JID(kind: .lid, user: "77001"), name: "Nova", role: .member)
        let rows = Fixtures.people.map { Self.iperson($0) } + [Self.iperson(both, joinedAgo: 600)]
        _ = Self.reduce(&s, .participantsIndexed(Fixtures.alphaKey, rows, ParticipantDiff()))
        #expect(s.fleet.newCount(Fixtures.alphaKey, now: s.now) == 1)
        #expect(s.indexed(both)?.participant.id == both.id, "the open group's rows show what the index knows")
        // Another group, read to learn our role: its new member is counted from its joins.
        let vip = GroupKey(session: Fixtures.support.id, group: Fixtures.vip.jid)
        _ = Self.reduce(&s, .participantsIndexed(vip, [Self.iperson(both, key: vip, joinedAgo: 600)], ParticipantDiff()))
        #expect(s.fleet.meta[vip] == nil)
        #expect(s.fleet.newCount(vip, now: s.now) == 1)
    }

    @Test("an event of a join in the open group: the row appears with no key pressed, the title counts it new, the size follows")
    func eventJoin() {
        var s = Self.indexed()
        _ = Self.reduce(&s, .participantsIndexed(Fixtures.alphaKey, Fixtures.people.map { Self.iperson($0) }, ParticipantDiff()))
        let newcomer = Participant(phone: JID(kind: .user, user: "5511988887777"), lid: nil, name: nil, role: .member)
        let ev = FleetEvent(kind: .joined, session: "S1", group: Fixtures.alpha.jid, participants: [newcomer], via: .invite, at: Self.now.addingTimeInterval(-30))
        let effects = Self.reduce(&s, .follow(.event(ev, ParticipantDiff(joined: [newcomer]))))
        #expect(s.allParticipants.contains { $0.matches(newcomer.id) })
        #expect(s.currentGroup?.size == Fixtures.people.count + 1)
        #expect(effects == [.refreshFromIndex(Fixtures.alphaKey)])
        #expect(s.fleet.newCount(Fixtures.alphaKey, now: s.now) == 1)
        let screen = RootView().render(s).text
        #expect(screen.contains("1 new"), "\(screen)")
        #expect(s.log.contains { $0.text.contains("+5511988887777 joined Team Alpha") && $0.text.contains("via invite") })
        // And leaving takes the row away.
        _ = Self.reduce(&s, .follow(.event(FleetEvent(kind: .left, session: "S1", group: Fixtures.alpha.jid, participants: [newcomer]), ParticipantDiff())))
        #expect(!s.allParticipants.contains { $0.matches(newcomer.id) })
    }

    @Test("the status line says what the console follows by and how old the index is")
    func statusLine() {
        var s = Self.indexed()
        var line = RootView().render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("events: polling 5m") && line.contains("index 3m"), "\(line)")
        _ = Self.reduce(&s, .follow(.source(.websocket, detail: "WAHA WebSocket")))
        line = RootView().render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("events: websocket"), "\(line)")
        #expect(s.log.contains { $0.text.contains("events: websocket") })
        _ = Self.reduce(&s, .indexStatus(Self.status(groups: 4000, neverRead: 3880)))
        line = RootView().render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("indexing 120/4000"), "\(line)")
        // Every group it knows read (by the console's own reads), but no round finished yet:
        // the index has not listed the fleet, so it is not "index 1m" yet.
        var first = Self.status(groups: 2, neverRead: 0)
        first.freshness?.lastRound = nil
        _ = Self.reduce(&s, .indexStatus(first))
        line = RootView().render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("indexing 2/2") && !line.contains("index 1h"), "\(line)")
        _ = Self.reduce(&s, .indexStatus(Self.status(groups: 2, neverRead: 0, roundAgo: 60)))
        line = RootView().render(s).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("index 1m") && !line.contains("indexing"), "\(line)")
        // 80 columns: the short form.
        var narrow = Self.indexed(width: 80, height: 24)
        narrow.fleet.source = .webhook
        line = RootView().render(narrow).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("webhook") && !line.contains("events:") && line.contains("index 3m"), "\(line)")
        // No index: nothing of it.
        #expect(!(RootView().render(Fixtures.loaded(width: 120, height: 34)).text.contains("index ")))
    }

    @Test("a polling round: the log says what it read and who joined; the open group is read again")
    func synced() {
        var s = Self.indexed()
        var report = SyncReport()
        report.groupsRead = 3
        report.groupsSkipped = 7
        let hit = IndexHit(session: Self.isession(Fixtures.support), group: Self.igroup("S1", Fixtures.alpha),
                           participant: Self.iperson(Fixtures.people[4], joinedAgo: 60, via: .invite))
        report.joined = [hit]
        let effects = Self.reduce(&s, .follow(.synced(report)))
        #expect(effects == [.pollOpenGroup(Fixtures.alphaKey), .loadJoins(session: "S1")])
        #expect(s.log.contains { $0.text == "index: 3 groups read, 7 unchanged, 1 join" })
        #expect(s.log.contains { $0.text.contains("joined Team Alpha (support-br) via invite") })
    }

    @Test("a polling round reads the open group live: a leave and a join between rounds leave its size as it was, and the round skips it")
    func pollingReadsTheOpenGroup() {
        var s = Self.indexed()
        _ = Self.reduce(&s, .follow(.source(.polling, detail: "")))
        var report = SyncReport()
        report.groupsSkipped = 10
        #expect(Self.reduce(&s, .follow(.synced(report))) == [.pollOpenGroup(Fixtures.alphaKey), .loadJoins(session: "S1")])
        // Over events the index is told of each change: the open group is redrawn from it.
        _ = Self.reduce(&s, .follow(.source(.websocket, detail: "")))
        #expect(Self.reduce(&s, .follow(.synced(report))) == [.refreshFromIndex(Fixtures.alphaKey), .loadJoins(session: "S1")])
    }

    @Test("the first polling round, ending just after the open group was read live, takes the index's rows rather than reading it again; a later round reads it")
    func pollingSkipsAFreshRead() {
        var s = Self.indexed()
        _ = Self.reduce(&s, .follow(.source(.polling, detail: "")))
        _ = Self.reduce(&s, .participantsLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        #expect(s.fleet.readAt[Fixtures.alphaKey] == s.now)
        var report = SyncReport()
        report.groupsSkipped = 10
        // Read 2 s ago: not read live again; the index's rows are taken (they replace the
        // pane only where the round read the group after the console did).
        s.now = s.now.addingTimeInterval(2)
        #expect(Self.reduce(&s, .follow(.synced(report))) == [.refreshFromIndex(Fixtures.alphaKey), .loadJoins(session: "S1")])
        s.now = s.now.addingTimeInterval(FleetState.pollFresh)
        #expect(Self.reduce(&s, .follow(.synced(report))) == [.pollOpenGroup(Fixtures.alphaKey), .loadJoins(session: "S1")])
        // A short poll interval: half of it is fresh enough.
        s.fleet.pollEvery = 4
        _ = Self.reduce(&s, .participantsLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        s.now = s.now.addingTimeInterval(1)
        #expect(Self.reduce(&s, .follow(.synced(report))).first == .refreshFromIndex(Fixtures.alphaKey))
        s.now = s.now.addingTimeInterval(1.5)
        #expect(Self.reduce(&s, .follow(.synced(report))).first == .pollOpenGroup(Fixtures.alphaKey))
    }

    // MARK: new members

    @Test("n shows only the new members with when and how they joined; again, everyone")
    func newMembers() {
        var s = Self.indexed()
        var rows = Fixtures.people.map { Self.iperson($0) }
        rows[3] = Self.iperson(Fixtures.people[3], joinedAgo: 12 * 60, via: .invite)
        rows[4] = Self.iperson(Fixtures.people[4], joinedAgo: 40 * 60, via: .added)
        rows[5] = Self.iperson(Fixtures.people[5], joinedAgo: 3 * 3600)
        _ = Self.reduce(&s, .participantsIndexed(Fixtures.alphaKey, rows, ParticipantDiff()))
        _ = Fixtures.press(&s, .char("n"))
        #expect(s.fleet.onlyNew)
        #expect(s.visibleParticipants.map(\.name) == ["Carla Dias", "Diego Ramírez"])
        var wide = s
        wide.width = 200
        let full = RootView().render(wide).text
        #expect(full.contains("joined 12m ago via invite") && full.contains("joined 40m ago via added"), "\(full)")
        let screen = RootView().render(s).text
        #expect(screen.contains("Diego Ramírez") && screen.contains("12m ago · invite"), "\(screen)")
        #expect(screen.contains("New members (1h)"))
        #expect(s.message?.contains("only the 2 new members") == true)
        _ = Fixtures.press(&s, .char("n"))
        #expect(s.visibleParticipants.count == Fixtures.people.count)
        #expect(RootView().render(s).text.contains("2 new"), "the title counts them")
        // 80x24 keeps a short form.
        s.width = 80; s.height = 24
        _ = Fixtures.press(&s, .char("n"))
        let narrow = RootView().render(s).text
        #expect(narrow.contains("12m") && narrow.contains("Carla"), "\(narrow)")
    }

    @Test("n needs the index, an open group and the participants pane, and says so")
    func newMembersDisabled() {
        var s = Fixtures.loaded()
        _ = Fixtures.press(&s, .char("n"))
        #expect(!s.fleet.onlyNew && s.message?.contains("fleet index") == true)
        var t = Self.indexed()
        t.focus = .groups
        _ = Fixtures.press(&t, .char("n"))
        #expect(!t.fleet.onlyNew && t.message?.contains("participants pane") == true)
    }

    @Test("the filter takes joined:<1h, <30m, <2d beside the other terms; in the groups pane it keeps groups with such joins")
    func joinedTerm() {
        var s = Self.indexed()
        var rows = Fixtures.people.map { Self.iperson($0) }
        rows[3] = Self.iperson(Fixtures.people[3], joinedAgo: 12 * 60)
        rows[4] = Self.iperson(Fixtures.people[4], joinedAgo: 40 * 60)
        rows[5] = Self.iperson(Fixtures.people[5], joinedAgo: 30 * 3600)
        _ = Self.reduce(&s, .participantsIndexed(Fixtures.alphaKey, rows, ParticipantDiff()))
        func filtered(_ f: String) -> [String?] {
            s.lists[.participants]?.filter = f
            return s.visibleParticipants.map(\.name)
        }
        #expect(filtered("joined:<1h") == ["Carla Dias", "Diego Ramírez"])
        #expect(filtered("joined:<30m") == ["Carla Dias"])
        #expect(filtered("joined:<2d") == ["Carla Dias", "Diego Ramírez", "王小明"])
        #expect(filtered("joined:<0h30m") == ["Carla Dias"], "the command line's durations: combined units")
        #expect(filtered("joined:<1h30m") == ["Carla Dias", "Diego Ramírez"])
        #expect(filtered("joined:<1h diego") == ["Diego Ramírez"], "ANDed with a name")
        #expect(filtered("joined:<1h 91110 0002") == ["Carla Dias"], "and with a number")
        #expect(filtered("joined:soon").isEmpty, "a malformed term matches nothing")
        s.lists[.participants]?.filter = "joined:<1h"
        #expect(RootView().render(s).text.contains("joined 12m ago"))
        // The groups pane: only Team Alpha had joins.
        s.focus = .groups
        s.lists[.groups]?.filter = "joined:<1h"
        #expect(s.visibleGroups.map(\.subject) == ["Team Alpha"])
        s.lists[.groups]?.filter = ""
        #expect(RootView().render(s).text.contains("+2"), "the group row counts its new members")
    }

    // MARK: find

    @Test("f with an index: the index answers, each hit with its age; x reads the groups live first; the live report confirms")
    func findFromIndex() {
        var s = Self.indexed()
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+5511955501234")
        let asked = Fixtures.press(&s, .enter)
        #expect(asked == [.findInIndex(Self.spammer)])
        let hits = [IndexHit(session: Self.isession(Fixtures.support), group: Self.igroup("S1", Fixtures.alpha, ago: 240),
                             participant: Self.iperson(Self.spammerP, joinedAgo: 600)),
                    IndexHit(session: Self.isession(Fixtures.sales), group: Self.igroup("S2", Fixtures.vip, ago: 120),
                             participant: Self.iperson(Self.spammerP, key: GroupKey(session: "S2", group: Fixtures.vip.jid), joinedAgo: 600))]
        _ = Self.reduce(&s, .indexFound(Self.spammer, hits))
        #expect(KeyContext.of(s) == .findList)
        var screen = RootView().render(s).text
        #expect(screen.contains("is in 2 groups, as the index knows") && screen.contains("seen 1m ago"), "\(screen)")
        let confirm = Fixtures.press(&s, .char("x"))
        #expect(confirm == [.confirmFound(Self.spammer, hits: hits)])
        #expect(KeyContext.of(s) == .findRunning)
        screen = RootView().render(s).text
        #expect(screen.contains("reading 2 groups live before anything is changed"), "\(screen)")
        // The live read: one of them left since; the confirmation counts only the other.
        let live = FindEverywhere.Report(who: Self.spammer, hits: [FindEverywhere.Hit(session: Fixtures.support, group: Fixtures.alpha, participant: Self.spammerP, ourRole: .admin)])
        _ = Self.reduce(&s, .foundEverywhere(Self.spammer, live))
        #expect(s.dialog?.confirmation?.expected == "Team Alpha")
        #expect(KeyContext.of(s) == .confirmTyped)
    }

    @Test("f while the index holds nothing read: today's live search")
    func findFallsBack() {
        var s = Self.indexed()
        s.fleet.status = Self.status(groups: 0, neverRead: 0)
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+5511955501234")
        #expect(Fixtures.press(&s, .enter) == [.findEverywhere(Self.spammer)])
        var t = Fixtures.loaded()
        _ = Fixtures.press(&t, .char("f"))
        Fixtures.type(&t, "+5511955501234")
        #expect(Fixtures.press(&t, .enter) == [.findEverywhere(Self.spammer)], "no index at all")
    }

    @Test("in the find dialog W asks why, and puts them on the watchlist; on it, W takes them off; no reason, no change")
    func watchFromFind() {
        var s = Self.indexed()
        _ = Fixtures.press(&s, .char("f"))
        Fixtures.type(&s, "+5511955501234")
        _ = Fixtures.press(&s, .enter)
        _ = Self.reduce(&s, .indexFound(Self.spammer, []))
        #expect(RootView().render(s).text.contains("Not in the index"))
        _ = Fixtures.press(&s, .char("W"))
        #expect(KeyContext.of(s) == .watchReason)
        #expect(Fixtures.press(&s, .enter).isEmpty && s.dialog?.found?.watchWarning != nil, "a reason is needed")
        Fixtures.type(&s, "spam wave")
        #expect(RootView().render(s).text.contains("why must they stay out"))
        let add = Fixtures.press(&s, .enter)
        guard case .watchAdd(let e)? = add.first else { Issue.record("got \(add)"); return }
        #expect(e.who == Self.spammer && e.reason == "spam wave")
        #expect(KeyContext.of(s) == .findList)
        _ = Self.reduce(&s, .watchlistLoaded([Self.entry()], note: "watchlist: +5511955501234 added · reason: spam wave"))
        #expect(s.dialog?.found?.watch != nil && RootView().render(s).text.contains("on the watchlist: spam wave"))
        _ = Fixtures.press(&s, .char("W"))
        Fixtures.type(&s, "a mistake")
        #expect(Fixtures.press(&s, .enter) == [.watchRemove(Self.spammer, reason: "a mistake")])
        // Esc in the reason goes back to the list, nothing changed.
        _ = Fixtures.press(&s, .char("W"), .escape)
        #expect(KeyContext.of(s) == .findList && s.dialog?.found?.watchReason == nil)
    }

    // MARK: the watchlist

    @Test("a watchlisted person joining is raised at once: a banner that stays, a log line; w reads live and confirms with the entry's reason")
    func alertAndRemove() {
        var s = Self.indexed(watch: [Self.entry()])
        let ev = FleetEvent(kind: .joined, session: "S1", group: Fixtures.alpha.jid, participants: [Self.spammerP], via: .invite)
        _ = Self.reduce(&s, .follow(.event(ev, ParticipantDiff(joined: [Self.spammerP]))))
        #expect(s.fleet.alerts.count == 1)
        #expect(s.log.contains { $0.kind == .error && $0.text.contains("watchlist: +5511955501234 (spam wave) is in Team Alpha") })
        let screen = RootView().render(s).text
        #expect(screen.contains("WATCHLIST +5511955501234 (spam wave) in Team Alpha (support-br)") && screen.contains("w remove"), "\(screen)")
        // It stays after other keys.
        _ = Fixtures.press(&s, .char("j"), .char("k"))
        #expect(RootView().render(s).text.contains("WATCHLIST"))
        #expect(KeyMap.standard.hints(s).prefix(2).map(\.keys) == ["w", "D"])

        let effects = Fixtures.press(&s, .char("w"))
        guard case .confirmFound(Self.spammer, let hits?)? = effects.first else { Issue.record("got \(effects)"); return }
        #expect(hits.map(\.group.group.jid) == [Fixtures.alpha.jid])
        #expect(RootView().render(s).text.contains("reading 1 group live"))
        let live = FindEverywhere.Report(who: Self.spammer, hits: [FindEverywhere.Hit(session: Fixtures.support, group: Fixtures.alpha, participant: Self.spammerP, ourRole: .admin)])
        _ = Self.reduce(&s, .foundEverywhere(Self.spammer, live))
        #expect(s.dialog?.confirmation?.reason == "watchlist: spam wave")
        Fixtures.type(&s, "1")
        let run = Fixtures.press(&s, .enter)
        guard case .runSweep(let id, let steps, "watchlist: spam wave", _, _)? = run.first else { Issue.record("got \(run)"); return }
        #expect(steps.count == 1)
        _ = Self.reduce(&s, .operationEvent(id: id, StepEvent(step: 0, event: .finished(TargetResult(target: Self.spammer, outcome: .done)))))
        _ = Self.reduce(&s, .operationFinished(id: id))
        #expect(s.fleet.alerts.isEmpty, "handled once removed")
        #expect(!RootView().render(s).text.contains("WATCHLIST"))
    }

    @Test("D dismisses the alert (logged); a sync seeing them there again does not raise it, an event of them joining again does")
    func dismiss() {
        var s = Self.indexed(watch: [Self.entry()])
        let hit = WatchHit(entry: Self.entry(), hit: IndexHit(session: Self.isession(Fixtures.support), group: Self.igroup("S1", Fixtures.alpha),
                                                              participant: Self.iperson(Self.spammerP)))
        _ = Self.reduce(&s, .watchHits([hit], via: "sync"))
        #expect(s.fleet.alerts.count == 1)
        _ = Fixtures.press(&s, .char("D"))
        #expect(s.fleet.alerts.isEmpty && s.log.contains { $0.text.contains("dismissed") })
        _ = Self.reduce(&s, .watchHits([hit], via: "sync"))
        #expect(s.fleet.alerts.isEmpty)
        let ev = FleetEvent(kind: .joined, session: "S1", group: Fixtures.alpha.jid, participants: [Self.spammerP])
        _ = Self.reduce(&s, .follow(.event(ev, ParticipantDiff())))
        #expect(s.fleet.alerts.count == 1)
        #expect(Fixtures.press(&s, .char("D")).isEmpty)
        #expect(Fixtures.press(&s, .char("w")).isEmpty && s.message == "no watchlist alert stands")
    }

    @Test("a group opened with a watchlisted member raises it; the owner and our own account are never targets")
    func openedAndNeverTargets() {
        var s = Self.indexed(watch: [Self.entry(), Self.entry(Fixtures.people[0].phone!, reason: "owner listed"), Self.entry(Fixtures.us, reason: "us listed")])
        _ = Self.reduce(&s, .participantsLoaded(Fixtures.alphaKey, .success(Fixtures.people + [Self.spammerP])))
        #expect(s.fleet.alerts.map(\.entry.who) == [Self.spammer], "\(s.fleet.alerts)")
        #expect(s.fleet.alerts.first?.places.first?.via == "read")
        #expect(s.log.contains { $0.text.contains("is the owner of Team Alpha") && $0.text.contains("never a target") })
        #expect(s.log.contains { $0.text.contains("our own account") })
    }

    @Test("while w reads live, the dialog shows the roles the index knew (ours and theirs), not question marks")
    func rolesWhileReading() {
        var s = Self.indexed(watch: [Self.entry()])
        // The groups pane has not read this session: only the index knows our role there.
        s.groups["S1"] = nil
        var known = Fixtures.alpha
        known.ourRole = .admin
        var them = Self.spammerP
        them.role = .admin
        let hit = WatchHit(entry: Self.entry(), hit: IndexHit(session: Self.isession(Fixtures.support), group: Self.igroup("S1", known),
                                                              participant: Self.iperson(them)))
        _ = Self.reduce(&s, .watchHits([hit], via: "sync"))
        let effects = Fixtures.press(&s, .char("w"))
        guard case .confirmFound(_, let hits?)? = effects.first else { Issue.record("got \(effects)"); return }
        #expect(hits.first?.group.group.ourRole == .admin)
        #expect(hits.first?.participant.participant.role == .admin)
        let screen = RootView().render(s).text
        #expect(screen.contains("they admin  we admin"), "\(screen)")
        #expect(!screen.contains("we ?"), "\(screen)")
    }

    @Test("w is disabled in read-only mode; an alert still shows")
    func readOnly() {
        var s = Self.indexed(watch: [Self.entry()])
        s.readOnly = true
        _ = Self.reduce(&s, .follow(.event(FleetEvent(kind: .joined, session: "S1", group: Fixtures.alpha.jid, participants: [Self.spammerP]), ParticipantDiff())))
        #expect(s.fleet.alerts.count == 1)
        #expect(Fixtures.press(&s, .char("w")).isEmpty && s.message?.contains("read-only") == true)
    }
}
