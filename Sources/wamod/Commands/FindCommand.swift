import ArgumentParser
import Foundation
import GatewayKit

/// For incidents: every group of every session where a person is.
struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List every group of every session where a number or JID is a participant, with our role there.",
        discussion: "Reads every group's participants (two requests at a time); nothing is changed.")

    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "A phone number with country code, a user JID or an @lid id.") var who: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Hit: Encodable {
        var session: String, sessionLabel: String, group: String, subject: String, theirRole: String, ourRole: String?
    }

    struct Found: Encodable { var who: String; var groups: [Hit]; var notSearched: [String] }

    func run() async throws {
        let target: JID
        do { target = try JID.member(who) } catch { throw error.failure }
        let (_, gw) = try gateway.makeGateway()
        let sessions = try await gw.sessions()
        var hits: [Hit] = []
        var unreadable: [String] = []
        for s in sessions {
            let groups: [Group]
            do { groups = try await gw.groups(session: s.id) } catch {
                unreadable.append("\(s.label): \(error.message)")
                continue
            }
            let found = await Self.scan(gw, session: s, groups: groups, target: target)
            hits += found.hits
            unreadable += found.failures
        }
        if json {
            JSONOutput.print(Found(who: target.string, groups: hits, notSearched: unreadable))
        } else {
            var t = Table(["SESSION", "GROUP", "SUBJECT", "THEIR ROLE", "OUR ROLE"])
            t.maxWidths = [2: 36]
            for h in hits { t.add([h.sessionLabel, h.group, h.subject, h.theirRole, h.ourRole ?? "?"]) }
            Stdio.out(hits.isEmpty ? "\(target) is in no group the sessions can read" : t.render())
        }
        for u in unreadable { Stdio.err("wamod: not searched: \(u)") }
        throw ExitCode(unreadable.isEmpty ? Exit.allDone : Exit.someFailed)
    }

    /// Reads a session's groups two at a time.
    static func scan(_ gw: any Gateway, session: Session, groups: [Group], target: JID) async -> (hits: [Hit], failures: [String]) {
        await withTaskGroup(of: (Hit?, String?).self) { tasks in
            var next = groups.makeIterator()
            func add() -> Bool {
                guard let g = next.next() else { return false }
                tasks.addTask {
                    do throws(GatewayError) {
                        let people = try await gw.participants(session: session.id, group: g.jid)
                        guard let p = people.first(matching: target) else { return (nil, nil) }
                        let ours = people.role(of: session) ?? g.ourRole
                        return (Hit(session: session.id, sessionLabel: session.label, group: g.jid.string, subject: g.subject,
                                    theirRole: p.role.rawValue, ourRole: ours?.rawValue), nil)
                    } catch {
                        return (nil, "\(session.label) / \(g.subject): \(error.message)")
                    }
                }
                return true
            }
            _ = add(); _ = add()
            var hits: [Hit] = [], failures: [String] = []
            while let (hit, failure) = await tasks.next() {
                if let hit { hits.append(hit) }
                if let failure { failures.append(failure) }
                _ = add()
            }
            return (hits.sorted { ($0.sessionLabel, $0.subject) < ($1.sessionLabel, $1.subject) }, failures)
        }
    }
}
