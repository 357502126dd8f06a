import ArgumentParser
import Foundation
import GatewayKit

struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List the gateway's sessions (connected WhatsApp accounts).")
    @OptionGroup var gateway: GatewayOptions
    @Flag(name: .long, help: "Print JSON (see the README for the shape).") var json = false

    func run() async throws {
        let (_, gw) = try gateway.makeGateway()
        let sessions = try await gw.sessions()
        if json { return JSONOutput.print(JSONOutput.Sessions(sessions: sessions.map(JSONOutput.SessionRow.init))) }
        var t = Table(["SESSION", "ID", "STATE", "ACCOUNT", "STATUS"])
        for s in sessions {
            t.add([s.label, s.id, s.connected ? "connected" : "offline", s.account?.phoneNumber ?? s.accountLID?.string ?? "-", s.status])
        }
        Stdio.out(t.render())
    }
}

struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "groups", abstract: "List a session's groups.")
    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "The session: its id or label (default: the profile's session).") var session: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let (profile, gw) = try gateway.makeGateway()
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let groups = try await gw.groups(session: s.id)
        if json { return JSONOutput.print(JSONOutput.Groups(session: s.id, groups: groups.map(JSONOutput.GroupRow.init))) }
        var t = Table(["SUBJECT", "JID", "SIZE", "ROLE"])
        t.rightAligned = [2]
        t.maxWidths = [0: 40]
        for g in groups {
            t.add([g.subject, g.jid.string, g.size.map(String.init) ?? "?", g.ourRole?.rawValue ?? "?"])
        }
        Stdio.out(t.render())
    }
}

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: "List a group's participants.")
    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID (…@g.us) or its exact subject.") var group: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let (profile, gw) = try gateway.makeGateway()
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let g = try await Lookup.group(group, session: s, gateway: gw)
        let people = try await gw.participants(session: s.id, group: g.jid)
        if json {
            return JSONOutput.print(JSONOutput.Members(session: s.id, group: g.jid.string, participants: people.map(JSONOutput.ParticipantRow.init)))
        }
        var t = Table(["NAME", "NUMBER", "ROLE", "ID"])
        t.maxWidths = [0: 32]
        for p in people.sorted(by: { ($0.role, $1.name ?? "") > ($1.role, $0.name ?? "") }) {
            t.add([p.name ?? "-", p.numberText, p.role == .superadmin ? "owner" : p.role.rawValue, p.id.string])
        }
        Stdio.out(t.render())
    }
}
