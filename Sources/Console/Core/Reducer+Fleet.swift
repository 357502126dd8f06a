import FleetEvents
import FleetIndex
import Foundation
import GatewayKit

/// The fleet index, live events and the watchlist: the first paint from the index, the
/// follower's updates, find from the index, new members, and watchlist alerts.
extension Reducer {
    /// How many joins a polling round lists in the log before "… and N more".
    static let joinsLogged = 8

    func fleet(_ s: inout ConsoleState, _ action: Action) -> [Effect] {
        switch action {
        case .indexOpened(let snap): return indexOpened(&s, snap)
        case .indexUnavailable(let why):
            s.fleet.available = false
            s.fleet.unavailable = why
            log(&s, .error, "index: \(why) (the console reads live only)")
            if s.fleet.openingSince != nil {
                s.fleet.openingSince = nil
                return probeRoles(&s)
            }
        case .indexStatus(let st):
            s.fleet.status = st
        case .indexParticipants(let key, let rows, let lastFullRead):
            indexParticipants(&s, key, rows, lastFullRead: lastFullRead)
        case .participantsIndexed(let key, let rows, _):
            setMeta(&s, key, rows)
        case .follow(let update): return follow(&s, update)
        case .indexFound(let who, let hits):
            guard case .found(var d) = s.dialog, d.who == who, d.report == nil, !d.confirming, d.indexHits == nil else { return [] }
            d.indexHits = hits
            s.dialog = .found(d)
            let age = s.fleet.status.flatMap(indexAge).map { " (index \($0))" } ?? ""
            log(&s, .info, "  in the index: \(hits.count) group\(hits.count == 1 ? "" : "s")\(age); x reads them live before removing")
        case .indexGroups(let sid, let groups):
            indexGroups(&s, sid, groups)
        case .joinsLoaded(let sid, let joins):
            s.fleet.joins[sid] = joins
        case .watchlistLoaded(let entries, let note):
            s.fleet.watchlist = entries
            s.fleet.alerts.removeAll { a in !entries.contains { $0.who == a.entry.who } }
            if case .found(var d) = s.dialog {
                d.watch = s.fleet.entry(for: d.who, now: s.now)
                s.dialog = .found(d)
            }
            if let note {
                log(&s, .info, note)
                s.message = note
            }
        case .watchHits(let hits, let via):
            for h in hits {
                raise(&s, h.entry, place: WatchPlace(session: h.hit.session.session.id, group: h.hit.group.group.jid, subject: h.hit.group.group.subject,
                                                     sessionLabel: h.hit.session.session.label, participant: h.hit.participant.participant.id,
                                                     seen: h.hit.asOf, via: via, ourRole: h.hit.group.group.ourRole),
                      role: h.hit.participant.participant.role, session: h.hit.session.session)
            }
        default: break
        }
        return []
    }

    // MARK: the first paint

    /// The index opened: its sessions and groups are drawn at once where nothing live has come
    /// yet, marked cached; the live reads replace them.
    /// A session's groups from the index: our roles where its read is recent, and the rows
    /// themselves until the live list comes (or, where it came first, the roles it lacks).
    func indexGroups(_ s: inout ConsoleState, _ sid: String, _ groups: [IndexedGroup]) {
        for g in groups {
            guard let role = g.group.ourRole, let read = g.lastFullRead, s.now.timeIntervalSince(read) < ReadBudget.default.maxAge else { continue }
            let key = GroupKey(session: sid, group: g.group.jid)
            if s.fleet.knownRoles[key] == nil { s.fleet.knownRoles[key] = role }
        }
        if s.groups[sid]?.value == nil, !groups.isEmpty {
            s.groups[sid, default: Loaded()].value = groups.map(\.group)
            s.fleet.cachedGroups[sid] = groups.map(\.lastSeen).max()
            if sid == s.openSession { keepInView(&s, .groups) }
        } else if var live = s.groups[sid]?.value {
            for i in live.indices where live[i].ourRole == nil {
                live[i].ourRole = s.fleet.knownRoles[GroupKey(session: sid, group: live[i].jid)]
            }
            s.groups[sid]?.value = live
        }
    }

    func indexOpened(_ s: inout ConsoleState, _ snap: IndexSnapshot) -> [Effect] {
        s.fleet.available = true
        s.fleet.status = snap.status
        s.fleet.watchlist = snap.watchlist
        var effects: [Effect] = []
        if s.sessions.value == nil, !snap.sessions.isEmpty {
            s.sessions.value = snap.sessions.map(\.session)
            s.fleet.cachedSessions = snap.sessions.map(\.lastSeen).max()
            keepInView(&s, .sessions)
        }
        for (sid, groups) in snap.groups { indexGroups(&s, sid, groups) }
        if s.openSession == nil, let list = s.sessions.value, let first = list.openedFirst {
            // The session the live list will open, opened now from the index.
            if let i = s.visibleSessions.firstIndex(where: { $0.id == first.id }) { s.lists[.sessions, default: ListState()].cursor = i }
            s.openSession = first.id
            s.lists[.groups] = ListState()
            if s.groups[first.id]?.loading != true {
                s.groups[first.id, default: Loaded()].loading = true
                effects.append(.loadGroups(session: first.id))
            }
        }
        if let open = s.openSession { effects.append(.loadJoins(session: open)) }
        if !snap.sessions.isEmpty {
            let age = snap.status.freshness.flatMap { $0.lastRound ?? $0.newest }.map { ", as of \(Age.text(since: $0, now: s.now)) ago" } ?? ""
            log(&s, .info, "index: \(snap.sessions.count) session\(snap.sessions.count == 1 ? "" : "s"), \(snap.status.groups) groups, \(snap.status.participants) participants\(age) (shown until the live reads come)")
        }
        for h in snap.watchHits {
            raise(&s, h.entry, place: WatchPlace(session: h.hit.session.session.id, group: h.hit.group.group.jid, subject: h.hit.group.group.subject,
                                                 sessionLabel: h.hit.session.session.label, participant: h.hit.participant.participant.id,
                                                 seen: h.hit.asOf, via: "index", ourRole: h.hit.group.group.ourRole),
                  role: h.hit.participant.participant.role, session: h.hit.session.session)
        }
        // Roles the index did not know (or knew from too long ago) are read now.
        let waited = s.fleet.openingSince != nil
        s.fleet.openingSince = nil
        return effects + startFollowing(&s) + (waited ? probeRoles(&s) : [])
    }

    /// The follower starts once the index is open and the sessions were read live (it needs
    /// their ids).
    func startFollowing(_ s: inout ConsoleState) -> [Effect] {
        guard s.fleet.available, !s.fleet.following, s.fleet.cachedSessions == nil, let list = s.sessions.value, !list.isEmpty else { return [] }
        s.fleet.following = true
        return [.follow(sessions: list.map(\.id))]
    }

    /// A group's rows from the index: shown while nothing live is there (cached); after a
    /// polling round read the group later than the console did, they are as live.
    func indexParticipants(_ s: inout ConsoleState, _ key: GroupKey, _ rows: [IndexedParticipant], lastFullRead: Date?) {
        setMeta(&s, key, rows)
        guard !rows.isEmpty else { return }
        if s.participants[key]?.value == nil {
            s.setParticipants(key, rows.map(\.participant))
            s.fleet.cachedParticipants[key] = lastFullRead ?? rows.map(\.lastSeen).max()
            if key == s.openGroup { keepInView(&s, .participants) }
            return
        }
        guard let read = lastFullRead, let mine = s.fleet.readAt[key], read > mine, s.participants[key]?.loading != true else { return }
        s.setParticipants(key, rows.map(\.participant))
        s.fleet.readAt[key] = read
        let present = Set(rows.map(\.participant.id))
        s.participantTags[key] = s.participantTags[key]?.intersection(present)
        if key == s.openGroup { keepInView(&s, .participants) }
    }

    func setMeta(_ s: inout ConsoleState, _ key: GroupKey, _ rows: [IndexedParticipant]) {
        guard !key.requests else { return }
        // What the index knows of each member is kept for the open group (its rows show it);
        // for a group read in the background only its joins are (the groups pane's counts),
        // not a record per member of every group probed.
        if s.openGroup?.members == key {
            // Sized once (a member by phone and @lid is two keys), and no array per row: this
            // ran for every member of the open group at each of its reads.
            var byID: [JID: IndexedParticipant] = [:]
            byID.reserveCapacity(rows.count * 2)
            for r in rows {
                let p = r.participant
                if let phone = p.phone { byID[phone] = r }
                if let lid = p.lid { byID[lid] = r }
                if p.phone == nil && p.lid == nil { byID[p.id] = r }
            }
            s.fleet.meta[key] = byID
        }
        // The group's joins of the week, for the counts and `joined:` in the groups pane.
        let week = s.now.addingTimeInterval(-7 * 86_400)
        let joins = rows.filter { $0.isNew(since: week) }.map(\.joined).sorted(by: >)
        if joins.isEmpty { s.fleet.joins[key.session]?[key.group] = nil } else { s.fleet.joins[key.session, default: [:]][key.group] = joins }
    }

    /// A live read of a group: it wins over the index's rows; a watchlisted person in it is raised.
    func liveParticipants(_ s: inout ConsoleState, _ key: GroupKey, _ list: [Participant]) {
        s.fleet.cachedParticipants[key] = nil
        s.fleet.readAt[key] = s.now
        guard !key.requests else { return }
        let session = s.sessions.value?.first { $0.id == key.session }
        for p in list {
            guard let e = s.fleet.entry(for: p, now: s.now) else { continue }
            raise(&s, e, place: WatchPlace(session: key.session, group: key.group, subject: subject(s, key), sessionLabel: label(s, key.session),
                                           participant: p.id, seen: s.now, via: "read", ourRole: ourRole(s, key)),
                  role: p.role, session: session)
        }
    }

    // MARK: following

    func follow(_ s: inout ConsoleState, _ update: FollowUpdate) -> [Effect] {
        switch update {
        case .source(let kind, let detail):
            let changed = s.fleet.source != kind
            s.fleet.source = kind
            s.fleet.sourceDetail = detail
            if changed || kind == .polling {
                let what = kind == .polling ? "polling every \(Age.text(s.fleet.pollEvery))" : kind.rawValue
                log(&s, .info, "events: \(what)\(detail.isEmpty ? "" : " (\(detail))")")
            }
        case .event(let ev, _):
            return event(&s, ev)
        case .synced(let report):
            if report.groupsRead > 0 || !report.failures.isEmpty || !report.joined.isEmpty {
                var text = "index: \(report.groupsRead) group\(report.groupsRead == 1 ? "" : "s") read, \(report.groupsSkipped) unchanged"
                if !report.joined.isEmpty { text += ", \(report.joined.count) join\(report.joined.count == 1 ? "" : "s")" }
                if !report.failures.isEmpty { text += ", \(report.failures.count) not read" }
                log(&s, report.failures.isEmpty ? .info : .error, text)
                for f in report.failures.prefix(3) { log(&s, .error, "  index: \(f)") }
            }
            for h in report.joined.prefix(Self.joinsLogged) {
                log(&s, .info, "  \(h.participant.participant.numberText) joined \(h.group.group.subject) (\(h.session.session.label))\(via(h.participant.joinedVia))")
            }
            if report.joined.count > Self.joinsLogged { log(&s, .info, "  … and \(report.joined.count - Self.joinsLogged) more joins") }
            // While polling, the open group is read live each round (a leave and a join keep
            // its size, so the round itself skips it), unless the console read it moments ago
            // (the first round at start ends right after the group was opened): then the
            // index's rows are taken, which replace the pane only where the index read the
            // group after the console did. Over events the index is told of each change.
            var effects: [Effect] = []
            if let key = s.openGroup, !key.requests {
                let fresh = min(FleetState.pollFresh, s.fleet.pollEvery / 2)
                if s.fleet.source == .polling, !(s.fleet.readAt[key].map { s.now.timeIntervalSince($0) < fresh && $0 <= s.now } ?? false) {
                    effects.append(.pollOpenGroup(key))
                } else {
                    effects.append(.refreshFromIndex(key))
                }
            }
            if let sid = s.openSession { effects.append(.loadJoins(session: sid)) }
            return effects
        case .failed(let why):
            log(&s, .error, "index: \(why)")
        }
        return []
    }

    func via(_ v: JoinVia?) -> String {
        switch v {
        case .invite?: " via invite"
        case .added?: " (added)"
        case .approved?: " (approved)"
        default: ""
        }
    }

    /// A gateway's event: the panes of that group follow it at once (no key pressed), and a
    /// watchlisted person joining is raised.
    func event(_ s: inout ConsoleState, _ ev: FleetEvent) -> [Effect] {
        let key = GroupKey(session: ev.session, group: ev.group)
        let name = subject(s, key)
        let who = ev.participants.map(\.numberText).prefix(3).joined(separator: ", ") + (ev.participants.count > 3 ? " +\(ev.participants.count - 3)" : "")
        var effects: [Effect] = []
        switch ev.kind {
        case .joined: log(&s, .info, "event: \(who) joined \(name) (\(label(s, ev.session)))\(via(ev.via))")
        case .left: log(&s, .info, "event: \(who) left \(name) (\(label(s, ev.session)))")
        case .promoted: log(&s, .info, "event: \(who) promoted in \(name)")
        case .demoted: log(&s, .info, "event: \(who) demoted in \(name)")
        case .groupChanged: log(&s, .info, "event: \(name) changed\(ev.subject.map { ": now “\($0)”" } ?? "")")
        case .joinRequest: log(&s, .info, "event: \(who) asked to join \(name)")
        case .addedUs: log(&s, .info, "event: \(label(s, ev.session)) was added to \(name)")
        }
        // The group's rows, where they are shown or kept: changed as the event says.
        if var rows = s.participants[key]?.value {
            let before = rows.count
            switch ev.kind {
            case .joined:
                for p in ev.participants where !rows.contains(where: { $0.matches(p.id) || p.phone.map($0.matches) == true || p.lid.map($0.matches) == true }) {
                    rows.append(p)
                }
            case .left:
                rows.removeAll { r in ev.participants.contains { p in r.matches(p.id) || p.phone.map(r.matches) == true || p.lid.map(r.matches) == true } }
            case .promoted, .demoted:
                for i in rows.indices where ev.participants.contains(where: { rows[i].matches($0.id) }) {
                    rows[i].role = ev.kind == .promoted ? .admin : .member
                }
            default: break
            }
            if rows != s.participants[key]?.value ?? [] {
                s.setParticipants(key, rows)
                let present = Set(rows.map(\.id))
                s.participantTags[key] = s.participantTags[key]?.intersection(present)
                if let i = s.groups[key.session]?.value?.firstIndex(where: { $0.jid == key.group }), rows.count != before {
                    s.groups[key.session]?.value?[i].size = rows.count
                }
                if key == s.openGroup { keepInView(&s, .participants) }
            }
            effects.append(.refreshFromIndex(key))
        } else if let i = s.groups[key.session]?.value?.firstIndex(where: { $0.jid == key.group }), let size = s.groups[key.session]?.value?[i].size {
            let n = ev.participants.count
            if ev.kind == .joined { s.groups[key.session]?.value?[i].size = size + n }
            if ev.kind == .left { s.groups[key.session]?.value?[i].size = max(0, size - n) }
        }
        if ev.kind == .groupChanged, let sub = ev.subject, let i = s.groups[key.session]?.value?.firstIndex(where: { $0.jid == key.group }) {
            s.groups[key.session]?.value?[i].subject = sub
        }
        if ev.kind == .addedUs, s.groups[key.session]?.value != nil, s.groups[key.session]?.loading != true {
            s.groups[key.session]?.loading = true
            effects.append(.loadGroups(session: key.session))
        }
        if ev.kind == .joined {
            let at = ev.at ?? s.now
            s.fleet.joins[key.session, default: [:]][key.group, default: []].insert(at, at: 0)
            if var m = s.fleet.meta[key] {
                for p in ev.participants where m[p.id] == nil {
                    let rec = IndexedParticipant(session: key.session, group: key.group, participant: p, firstSeen: s.now, lastSeen: s.now,
                                                 baseline: false, joinedAt: at, joinedVia: ev.via, addedBy: ev.by)
                    for j in [p.id, p.phone, p.lid].compactMap({ $0 }) { m[j] = rec }
                }
                s.fleet.meta[key] = m
            }
            let session = s.sessions.value?.first { $0.id == key.session }
            for p in ev.participants {
                guard let e = s.fleet.entry(for: p, now: s.now) else { continue }
                // They joined again: a dismissal of this place no longer holds.
                s.fleet.dismissed.remove(FleetState.dismissKey(e.who, key.session, key.group))
                raise(&s, e, place: WatchPlace(session: key.session, group: key.group, subject: name, sessionLabel: label(s, key.session),
                                               participant: p.id, seen: ev.at ?? s.now, via: "event", ourRole: ourRole(s, key)),
                      role: p.role, session: session)
            }
        }
        return effects
    }

    // MARK: the watchlist

    /// A watchlisted person seen: raised at once (an alert line that stays, a log line), unless
    /// it is the group's owner or our own account, which are never targets.
    func raise(_ s: inout ConsoleState, _ entry: WatchEntry, place: WatchPlace, role: Role?, session: Session?) {
        let who = place.participant.phoneNumber ?? place.participant.string
        if role == .superadmin || session.map({ $0.isOwnAccount(place.participant) || $0.isOwnAccount(entry.who) }) == true {
            let what = role == .superadmin ? "the owner of" : "our own account in"
            let line = "watchlist: \(who) is \(what) \(place.subject) (\(place.sessionLabel)): never a target"
            if !s.log.suffix(50).contains(where: { $0.text == line }) { log(&s, .info, line) }
            return
        }
        if s.fleet.dismissed.contains(FleetState.dismissKey(entry.who, place.session, place.group)) { return }
        var place = place
        if place.theirRole == nil { place.theirRole = role }
        if let i = s.fleet.alerts.firstIndex(where: { $0.entry.who == entry.who }) {
            guard !s.fleet.alerts[i].places.contains(where: { $0.session == place.session && $0.group == place.group }) else { return }
            s.fleet.alerts[i].places.append(place)
        } else {
            s.fleet.alerts.append(WatchAlert(entry: entry, places: [place]))
        }
        let text = "watchlist: \(who) (\(entry.reason)) is in \(place.subject) (\(place.sessionLabel)), seen by \(place.via == "read" ? "a read" : place.via): w removes, D dismisses"
        log(&s, .error, text)
        s.message = text
        s.messageIsError = true
    }

    /// `w`: the first alert's person removed from the groups where they were seen: those
    /// groups are read live first, and the confirmation is built from that read, with the
    /// watchlist entry as the reason.
    func removeWatched(_ s: inout ConsoleState) -> [Effect] {
        guard let alert = s.fleet.alerts.first else { return [] }
        var d = FindDialog(who: alert.entry.who)
        d.watch = alert.entry
        d.reason = alert.reason
        d.fromIndex = true
        d.confirming = true
        d.indexHits = alert.places.map { hit(s, $0) }
        s.dialog = .found(d)
        log(&s, .info, "watchlist: reading \(alert.places.count) group\(alert.places.count == 1 ? "" : "s") live before removing \(alert.entry.who.phoneNumber ?? alert.entry.who.string)")
        return [.confirmFound(alert.entry.who, hits: d.indexHits)]
    }

    /// Our role in a group as the groups pane (live or cached) knows it.
    func ourRole(_ s: ConsoleState, _ key: GroupKey) -> Role? {
        s.groups[key.session]?.value?.first { $0.jid == key.group }?.ourRole
    }

    /// An alert's place as an index hit, for the live read before a removal.
    func hit(_ s: ConsoleState, _ p: WatchPlace) -> IndexHit {
        let session = s.sessions.value?.first { $0.id == p.session } ?? Session(id: p.session, label: p.sessionLabel, account: nil, connected: true, status: "unknown")
        var group = s.groups[p.session]?.value?.first { $0.jid == p.group } ?? Group(jid: p.group, subject: p.subject, size: nil, owner: nil, ourRole: p.ourRole)
        // The groups pane may know the group without our role (a list that does not carry it).
        if group.ourRole == nil { group.ourRole = p.ourRole }
        let person = Participant(phone: p.participant.kind == .lid ? nil : p.participant, lid: p.participant.kind == .lid ? p.participant : nil, name: nil, role: p.theirRole ?? .member)
        return IndexHit(session: IndexedSession(session: session, firstSeen: p.seen, lastSeen: p.seen, groupsListed: nil),
                        group: IndexedGroup(session: p.session, group: group, firstSeen: p.seen, lastSeen: p.seen, lastFullRead: nil),
                        participant: IndexedParticipant(session: p.session, group: p.group, participant: person, firstSeen: p.seen, lastSeen: p.seen, baseline: false))
    }

    /// `D`: the first alert dismissed (logged); a sync does not raise those places again, an
    /// event of them joining again does.
    func dismissAlert(_ s: inout ConsoleState) {
        guard !s.fleet.alerts.isEmpty else { return }
        let a = s.fleet.alerts.removeFirst()
        for p in a.places { s.fleet.dismissed.insert(FleetState.dismissKey(a.entry.who, p.session, p.group)) }
        let text = "watchlist alert for \(a.entry.who.phoneNumber ?? a.entry.who.string) dismissed (\(a.places.count) group\(a.places.count == 1 ? "" : "s")); raised again if they join again"
        log(&s, .info, text)
        s.message = text
    }

    /// After a removal: the alerts' places it emptied are handled.
    func clearHandledAlerts(_ s: inout ConsoleState, _ op: OperationState) {
        guard op.kind == .remove, !s.fleet.alerts.isEmpty else { return }
        let gone = op.rows.filter { if case .ended(let o) = $0.state { o.isSuccess } else { false } }.map(\.on)
        guard !gone.isEmpty else { return }
        for i in s.fleet.alerts.indices {
            let who = s.fleet.alerts[i].entry.who
            s.fleet.alerts[i].places.removeAll { p in
                gone.contains { st in
                    st.session == p.session && st.group == p.group
                        && (JIDKey.same(st.target, p.participant) || JIDKey.same(st.target, who))
                }
            }
        }
        for a in s.fleet.alerts where a.places.isEmpty {
            log(&s, .info, "watchlist: \(a.entry.who.phoneNumber ?? a.entry.who.string) removed where seen; alert handled")
        }
        s.fleet.alerts.removeAll { $0.places.isEmpty }
    }

    // MARK: keys

    /// `n`: only the new members of the open group, and back; the cursor stays on its person.
    func toggleNew(_ s: inout ConsoleState) {
        let before = s.rowIdentity(.participants, at: s.list(.participants).cursor)
        s.fleet.onlyNew.toggle()
        let cursor = before.flatMap { s.rowIndex(.participants, of: $0) } ?? 0
        s.lists[.participants, default: ListState()].cursor = cursor
        keepInView(&s, .participants)
        let window = Age.text(s.fleet.newWindow)
        if s.fleet.onlyNew {
            let n = s.visibleParticipants.count
            s.message = n == 0 ? "no member joined in the last \(window), as the index knows (n: everyone)"
                : "only the \(n) new member\(n == 1 ? "" : "s"): joined in the last \(window) (n: everyone)"
        } else {
            s.message = "every member (n: only those who joined in the last \(window))"
        }
    }

    // MARK: the find dialog

    /// The find dialog's list: x reads the groups live to remove; r searches live; W the watchlist.
    func findListCommand(_ s: inout ConsoleState, _ command: ContextCommand) -> [Effect] {
        guard case .found(var d) = s.dialog else { return [] }
        switch command {
        case .removeFound:
            if let why = keys.actingReason(.remove, s) {
                s.message = why
                s.messageIsError = true
                return []
            }
            if d.report != nil {
                s.message = s.dryRun ? "a dry run [DRY]: nothing is removed" : "nothing here can be removed (the list says why)"
                s.messageIsError = true
                return []
            }
            let hits = d.indexHits ?? []
            guard !hits.isEmpty else {
                s.message = "not in the index: r searches every group live"
                s.messageIsError = true
                return []
            }
            d.confirming = true
            s.dialog = .found(d)
            log(&s, .info, "  reading \(hits.count) group\(hits.count == 1 ? "" : "s") live before anything is changed")
            return [.confirmFound(d.who, hits: hits)]
        case .searchLive:
            var live = FindDialog(who: d.who)
            live.watch = d.watch
            live.reason = d.reason
            s.dialog = .found(live)
            log(&s, .info, "find \(d.who.phoneNumber ?? d.who.string) in every group of every session (live)")
            return [.findEverywhere(d.who)]
        case .watch:
            return startWatchReason(&s)
        case .scroll(let n):
            d.confirmation.scroll = max(0, d.confirmation.scroll + n)
            s.dialog = .found(d)
        case .close:
            s.dialog = nil
        default:
            break
        }
        return []
    }

    func startWatchReason(_ s: inout ConsoleState) -> [Effect] {
        guard case .found(var d) = s.dialog else { return [] }
        guard s.fleet.available else {
            s.message = "the watchlist is kept beside the fleet index, which this console has not opened (it needs a profile)"
            s.messageIsError = true
            return []
        }
        if JIDKey.same(d.who, s.currentSession?.account ?? JID(kind: .user, user: "-")) {
            s.message = "that is this session's own account: it is never a target"
            s.messageIsError = true
            return []
        }
        d.watch = s.fleet.entry(for: d.who, now: s.now)
        d.watchReason = ""
        d.watchWarning = nil
        s.dialog = .found(d)
        return []
    }

    /// Typing the watchlist reason: Enter puts them on (or takes them off); Esc goes back.
    func watchReasonCommand(_ s: inout ConsoleState, _ command: ContextCommand) -> [Effect] {
        guard case .found(var d) = s.dialog, let typed = d.watchReason else { return [] }
        switch command {
        case .cancel:
            d.watchReason = nil
            d.watchWarning = nil
        case .deleteChar:
            d.watchReason = String(typed.dropLast())
        case .submitWatch:
            let reason = typed.trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else {
                d.watchWarning = "type why: the reason stays with the entry and goes to the audit log"
                s.dialog = .found(d)
                return []
            }
            d.watchReason = nil
            d.watchWarning = nil
            s.dialog = .found(d)
            let who = d.who.phoneNumber ?? d.who.string
            if d.watch != nil {
                log(&s, .info, "watchlist: taking \(who) off · reason: \(reason)")
                return [.watchRemove(d.who, reason: reason)]
            }
            log(&s, .info, "watchlist: adding \(who) · reason: \(reason)")
            return [.watchAdd(WatchEntry(who: d.who, reason: reason, addedBy: "", added: s.now, expires: nil))]
        default:
            return []
        }
        s.dialog = .found(d)
        return []
    }

    func indexAge(_ st: IndexStatus) -> String? {
        guard let f = st.freshness, let at = f.lastRound ?? f.oldest else { return nil }
        return Age.text(st.at.timeIntervalSince(at))
    }
}
