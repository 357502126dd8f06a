import FleetEvents
import FleetIndex
import Foundation
import GatewayKit
import Synchronization

/// The profile's index, watchlist and sync once a background task has opened them; nil parts
/// until then (and for good where the console has no index). Any thread.
final class IndexHandle: Sendable {
    private struct Parts: Sendable {
        var store: FleetStore?
        var watchlist: Watchlist?
        var sync: FleetSync?
        var warned = false
        /// The live session list that came before the index was open.
        var sessions: [Session]?
    }
    private let parts = Mutex(Parts())

    var store: FleetStore? { parts.withLock { $0.store } }
    var watchlist: Watchlist? { parts.withLock { $0.watchlist } }
    var sync: FleetSync? { parts.withLock { $0.sync } }

    /// Makes the index available, recording first the live session list that came before
    /// it was open (under the lock, so a newer list cannot be overwritten by it).
    func set(store: FleetStore, watchlist: Watchlist?, sync: FleetSync, inbox: Inbox) {
        let failed = parts.withLock { p -> (any Error)? in
            var failed: (any Error)?
            if let early = p.sessions {
                do { try store.recordSessions(early, at: Date()) } catch { failed = error }
            }
            p.store = store; p.watchlist = watchlist; p.sync = sync
            p.sessions = nil
            return failed
        }
        if let failed { warnOnce(inbox, failed) }
    }

    /// Records the live session list (our account in each: what a read's `our_role` is
    /// worked out from). Before the index is open it is kept and recorded at the open: on a
    /// first start the groups read to learn our role came after it, and were recorded
    /// without one, so the next start read them again.
    func recordSessions(_ inbox: Inbox, _ list: [Session]) {
        guard !list.isEmpty else { return }
        let failed = parts.withLock { p -> (any Error)? in
            guard let store = p.store else {
                p.sessions = list
                return nil
            }
            do { try store.recordSessions(list, at: Date()) } catch { return error }
            return nil
        }
        if let failed { warnOnce(inbox, failed) }
    }

    /// Writes what the console read into the index; a failure is said once (the console goes on).
    func record(_ inbox: Inbox? = nil, _ body: (FleetStore) throws -> Void) {
        guard let store else { return }
        do { try body(store) } catch { warnOnce(inbox, error) }
    }

    func warnOnce(_ inbox: Inbox?, _ error: any Error) {
        let first = parts.withLock { p -> Bool in
            defer { p.warned = true }
            return !p.warned
        }
        if first { inbox?.post(.notice("index: could not record a read (\(TerminalText.clip(String(describing: error), 120))); the panes are live, the index may lag", error: true)) }
    }
}

extension EffectRunner {
    /// How often the index's age is read for the status line.
    static let statusEvery: Duration = .seconds(15)

    /// Ends what runs in the background (the follower, the status reads, a search).
    public func stopBackground() {
        for t in background { t.cancel() }
        background = []
        findTask?.cancel()
        // At quit: a second at most for another process's write, then the log stays for the
        // next writer to empty (nothing is lost).
        index.store?.checkpoint(waitingAtMost: 1)
    }

    static func status(_ store: FleetStore) -> IndexStatus {
        let counts = try? store.counts()
        return IndexStatus(freshness: (try? store.freshness()) ?? nil, groups: counts?.groups ?? 0, participants: counts?.participants ?? 0, at: Date())
    }

    /// A group read live (opened, a preflight, a role probe) goes into the index; what the index
    /// then knows of each member comes back.
    static func recordRead(_ index: IndexHandle, _ inbox: Inbox, _ key: GroupKey, _ list: [Participant]) {
        guard let store = index.store else { return }
        do {
            let diff = try store.recordParticipants(session: key.session, group: key.group, list, at: Date())
            let rows = try store.participants(session: key.session, group: key.group)
            inbox.post(.participantsIndexed(key, rows, diff))
        } catch {
            index.warnOnce(inbox, error)
        }
    }

    func runFleet(_ effect: Effect) {
        let inbox = inbox, index = index, gw = gateway
        switch effect {
        case .openIndex:
            guard let opts = options.index else { return }
            background.append(Task.detached {
                let store: FleetStore
                do { store = try FleetStore(path: opts.storePath) } catch {
                    inbox.post(.indexUnavailable("cannot open \(opts.storePath): \(TerminalText.clip(String(describing: error), 160))"))
                    return
                }
                var watchlist: Watchlist?
                do { watchlist = try Watchlist(path: opts.watchlistPath) } catch {
                    inbox.post(.notice("watchlist: cannot open \(opts.watchlistPath): \(TerminalText.clip(String(describing: error), 160))", error: true))
                }
                index.set(store: store, watchlist: watchlist, sync: FleetSync(store: store, gateway: gw, budget: opts.budget), inbox: inbox)
                let sessions = (try? store.sessions()) ?? []
                // The groups of the session the console opens first (the first connected one);
                // another session's are read from the index when it is opened
                // (`.loadIndexGroups`): 50 sessions' 1,600 groups were an eighth of the start.
                var groups: [String: [IndexedGroup]] = [:]
                if let first = sessions.map(\.session).openedFirst {
                    groups[first.id] = (try? store.groups(session: first.id)) ?? []
                }
                let entries = (try? watchlist?.entries()) ?? []
                let hits = entries.isEmpty ? [] : ((try? store.watchHits(entries)) ?? [])
                inbox.post(.indexOpened(IndexSnapshot(sessions: sessions, groups: groups, status: EffectRunner.status(store), watchlist: entries, watchHits: hits)))
                while !Task.isCancelled {
                    try? await Task.sleep(for: EffectRunner.statusEvery)
                    if Task.isCancelled { break }
                    inbox.post(.indexStatus(EffectRunner.status(store)))
                }
            })
        case .follow(let sessions):
            guard let opts = options.index, let store = index.store, let sync = index.sync else { return }
            let source = opts.source?(store, sessions)
            let follower = Follower(store: store, sync: sync, source: source, pollEvery: opts.pollEvery)
            background.append(Task.detached {
                for await update in follower.updates() {
                    inbox.post(.follow(update))
                    guard case .synced = update else { continue }
                    inbox.post(.indexStatus(EffectRunner.status(store)))
                    // A round's reads may have found a watchlisted person anywhere in the fleet.
                    if let entries = try? index.watchlist?.entries(), !entries.isEmpty, let hits = try? store.watchHits(entries), !hits.isEmpty {
                        inbox.post(.watchHits(hits, via: "sync"))
                    }
                }
            })
        case .findInIndex(let who):
            findTask?.cancel()
            findTask = Task.detached {
                let hits = (try? index.store?.find(who)) ?? []
                inbox.post(.indexFound(who, hits))
            }
        case .confirmFound(let who, let hits):
            findTask?.cancel()
            findTask = Task.detached {
                guard let store = index.store, let sync = index.sync else {
                    let report = await FindEverywhere.search(who, gateway: gw) { inbox.post(.findProgress(who, $0)) }
                    inbox.post(.foundEverywhere(who, report))
                    return
                }
                // The groups named, and any other where the index saw them: all read live.
                var all = hits ?? []
                for h in (try? store.find(who)) ?? [] where !all.contains(where: { $0.session.session.id == h.session.session.id && $0.group.group.jid == h.group.group.jid }) {
                    all.append(h)
                }
                var report = await IndexFind.confirm(who, hits: all, sync: sync)
                if Task.isCancelled { report.stopped = true }
                inbox.post(.foundEverywhere(who, report))
            }
        case .loadJoins(let sid):
            Task.detached {
                guard let store = index.store, let hits = try? store.joined(since: Date().addingTimeInterval(-7 * 86_400), session: sid) else { return }
                var by: [JID: [Date]] = [:]
                for h in hits.prefix(20_000) { by[h.group.group.jid, default: []].append(h.participant.joined) }
                inbox.post(.joinsLoaded(session: sid, by))
            }
        case .loadIndexGroups(let sid):
            Task.detached {
                guard let store = index.store, let groups = try? store.groups(session: sid), !groups.isEmpty else { return }
                inbox.post(.indexGroups(session: sid, groups))
            }
        case .refreshFromIndex(let key):
            Task.detached {
                guard let store = index.store, let rows = try? store.participants(session: key.session, group: key.group) else { return }
                let read = (try? store.group(session: key.session, jid: key.group))?.lastFullRead
                inbox.post(.indexParticipants(key, rows, lastFullRead: read))
            }
        case .watchAdd(let asked):
            let audit = options.auditContext == nil ? nil : options.audit, ctx = context
            Task.detached {
                guard let list = index.watchlist else { return inbox.post(.notice("watchlist: not open; nothing added", error: true)) }
                let entry = WatchEntry(who: asked.who, reason: asked.reason, addedBy: ctx.user, added: asked.added, expires: asked.expires)
                let who = entry.who.phoneNumber ?? entry.who.string
                // Audited first, as an operation is: a change that cannot be recorded is not made.
                do throws(GatewayError) { try audit?.append(.watch("watch-add", who: entry.who, reason: entry.reason, expires: entry.expires, context: ctx)) } catch {
                    return inbox.post(.notice("watchlist: \(error.message); \(who) not added", error: true))
                }
                do { try list.add(entry) } catch {
                    return inbox.post(.notice("watchlist: cannot add \(who): \(TerminalText.clip(String(describing: error), 120))", error: true))
                }
                inbox.post(.watchlistLoaded((try? list.entries()) ?? [], note: "watchlist: \(who) added · reason: \(entry.reason)"))
                if let store = index.store, let hits = try? store.watchHits([entry]), !hits.isEmpty { inbox.post(.watchHits(hits, via: "index")) }
            }
        case .watchRemove(let target, let reason):
            let audit = options.auditContext == nil ? nil : options.audit, ctx = context
            Task.detached {
                guard let list = index.watchlist else { return inbox.post(.notice("watchlist: not open; nothing changed", error: true)) }
                let who = target.phoneNumber ?? target.string
                do throws(GatewayError) { try audit?.append(.watch("watch-remove", who: target, reason: reason, expires: nil, context: ctx)) } catch {
                    return inbox.post(.notice("watchlist: \(error.message); \(who) not taken off", error: true))
                }
                let removed: WatchEntry?
                do { removed = try list.remove(target) } catch {
                    return inbox.post(.notice("watchlist: cannot take \(who) off: \(TerminalText.clip(String(describing: error), 120))", error: true))
                }
                inbox.post(.watchlistLoaded((try? list.entries()) ?? [], note: removed == nil ? "watchlist: \(who) was not on it" : "watchlist: \(who) taken off · reason: \(reason)"))
            }
        default:
            break
        }
    }
}
