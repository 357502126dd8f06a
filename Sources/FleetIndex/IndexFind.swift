import Foundation
import GatewayKit

/// `f` and `wamod find` from the index: the hits at once, with their age; before anything
/// is changed, the groups involved read live (the index never decides an action alone).
public enum IndexFind {
    /// The groups of `hits` read live through `sync` (so the index follows), with the
    /// sessions listed live once: where `who` is now, as `FindEverywhere` reports it. A
    /// group where they no longer are is not a hit; one that cannot be read is in
    /// `notSearched`. Sessions are read side by side (at most the budget's `sessionsAtOnce`),
    /// each one's groups in turn at its pace. Cancelling stops it (`stopped`).
    public static func confirm(_ who: JID, hits: [IndexHit], sync: FleetSync) async -> FindEverywhere.Report {
        var report = FindEverywhere.Report(who: who)
        var seen = Set<String>()
        let groups = hits.filter { seen.insert($0.group.session + " " + $0.group.group.jid.string).inserted }
        report.groupsTotal = groups.count
        guard !groups.isEmpty else { return report }

        let sessions: [Session]
        do throws(GatewayError) {
            sessions = try await sync.gateway.sessions()
        } catch {
            if Task.isCancelled { report.stopped = true } else { report.notSearched.append("sessions: \(error.message)") }
            return report
        }
        let byID = Dictionary(sessions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var perSession: [String: [IndexHit]] = [:]
        var order: [String] = []
        for hit in groups {
            let id = hit.group.session
            guard byID[id] != nil else {
                report.notSearched.append("\(hit.session.session.label) / \(hit.group.group.subject): the session is no longer on the gateway")
                continue
            }
            if perSession[id] == nil { order.append(id) }
            perSession[id, default: []].append(hit)
        }

        struct Part: Sendable {
            var hits: [FindEverywhere.Hit] = []
            var notSearched: [String] = []
            var read = 0
            var stopped = false
        }
        let parts = await withTaskGroup(of: Part.self) { tasks -> [Part] in
            var next = order.makeIterator()
            func add() -> Bool {
                guard !Task.isCancelled, let id = next.next(), let session = byID[id] else { return false }
                let mine = perSession[id] ?? []
                tasks.addTask {
                    var part = Part()
                    for hit in mine {
                        if Task.isCancelled { part.stopped = true; break }
                        let g = hit.group.group
                        do throws(GatewayError) {
                            let (people, _) = try await sync.read(session: id, group: g.jid)
                            part.read += 1
                            // The person as the index knew them too: a gateway may name them by
                            // `@lid` where the index has their phone, or the other way round.
                            let known = hit.participant.participant
                            let found = people.first { p in
                                p.matches(who) || known.phone.map(p.matches) == true || known.lid.map(p.matches) == true
                            }
                            if let p = found {
                                let group = (try? sync.store.group(session: id, jid: g.jid))?.group ?? g
                                part.hits.append(FindEverywhere.Hit(session: session, group: group, participant: p,
                                                                    ourRole: people.role(of: session) ?? group.ourRole))
                            }
                        } catch {
                            if Task.isCancelled { part.stopped = true; break }
                            part.notSearched.append("\(session.label) / \(g.subject): \(error.message)")
                        }
                    }
                    return part
                }
                return true
            }
            for _ in 0..<max(1, sync.budget.sessionsAtOnce) {
                if !add() { break }
            }
            var parts: [Part] = []
            while let part = await tasks.next() {
                parts.append(part)
                _ = add()
            }
            return parts
        }
        for part in parts {
            report.hits += part.hits
            report.notSearched += part.notSearched
            report.groupsRead += part.read
            report.stopped = report.stopped || part.stopped
        }
        if parts.count < order.count || Task.isCancelled { report.stopped = true }
        report.hits.sort { ($0.session.label, $0.group.subject, $0.group.jid) < ($1.session.label, $1.group.subject, $1.group.jid) }
        return report
    }
}
