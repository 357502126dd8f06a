import ArgumentParser
import Foundation
import FleetIndex
import GatewayKit

struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "List the gateway's sessions (connected WhatsApp accounts).",
        discussion: """
        Examples:
          wamod sessions
          wamod sessions --profile sales --json
          WAMOD_TOKEN=… wamod sessions --gateway https://gw.example.com --dialect waha
        """)
    @OptionGroup var gateway: GatewayOptions
    @Flag(name: .long, help: "Print JSON (see the README for the shape).") var json = false

    func run() async throws {
        let (_, gw) = try await gateway.makeGateway()
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
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "List a session's groups.",
        discussion: """
        Some gateways' group lists do not say our role in each group (ROLE shows ?): --roles \
        reads each such group's participants to tell it, one group at a time and paced.

        Examples:
          wamod groups Support
          wamod groups Support --roles
          wamod groups --profile sales --json
        """)
    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "The session: its id or label (default: the profile's session).") var session: String?
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .long, help: "Where the list does not say our role, read each group's participants for it (paced).") var roles = false

    /// The line that says why ROLE is `?`, and what tells it.
    static let unknownRoleNote = "ROLE ? : this gateway's group list does not say our role; --roles reads each group (paced)"

    func run() async throws {
        let (profile, gw) = try await gateway.makeGateway()
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        var groups = try await gw.groups(session: s.id)
        var unread = 0
        if roles {
            let missing = groups.indices.filter { groups[$0].ourRole == nil }
            if !missing.isEmpty && !json {
                Stdio.err("reading the participants of \(missing.count) group\(missing.count == 1 ? "" : "s") for our role (paced)…")
            }
            for (n, i) in missing.enumerated() {
                if n > 0 { try? await Task.sleep(for: .seconds(Self.readInterval(profile))) }
                do {
                    let people = try await gw.participants(session: s.id, group: groups[i].jid)
                    groups[i].ourRole = people.role(of: s)
                } catch {
                    unread += 1
                    Stdio.err("wamod: our role in \(groups[i].jid) stays unknown: \(error.message)")
                }
            }
        }
        if json { return JSONOutput.print(JSONOutput.Groups(session: s.id, groups: groups.map(JSONOutput.GroupRow.init))) }
        var t = Table(["SUBJECT", "JID", "SIZE", "ROLE"])
        t.rightAligned = [2]
        t.maxWidths = [0: 40]
        for g in groups {
            t.add([g.subject, g.jid.string, g.size.map(String.init) ?? "?", g.ourRole?.rawValue ?? "?"])
        }
        Stdio.out(t.render())
        if groups.contains(where: { $0.ourRole == nil }) {
            // Standard error: the table stays the same for what reads it.
            Stdio.err(roles ? "ROLE ? : \(unread > 0 ? "\(unread) group\(unread == 1 ? "" : "s") could not be read, or " : "")our account is not among the participants"
                            : Self.unknownRoleNote)
        }
    }

    /// Reads for roles are light, yet many in a row: spaced by the profile's pace, at most half a second apart.
    static func readInterval(_ profile: Profile) -> Double {
        min(0.5, 60.0 / Double(max(1, profile.pacePerMinute ?? 10)))
    }
}

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members", abstract: "List a group's participants.",
        discussion: """
        With --joined-since, only those who joined since then, as the fleet index knows it: the \
        group is read live into the index first, and those there when the index first read the \
        group do not count as new. How they joined (an invite link, added by an admin) is shown \
        where the gateway's events told it.

        Examples:
          wamod members Support "Buyers Club"
          wamod members Support 120363041234567890@g.us --joined-since 1h --json
        """)
    @OptionGroup var gateway: GatewayOptions
    @Argument(help: "The session: its id or label.") var session: String
    @Argument(help: "The group: its JID (…@g.us) or its exact subject.") var group: String
    @Option(name: .long, help: "Only those who joined since then: a duration (90s, 15m, 1h30m, 2d) or a date.") var joinedSince: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        var since: Date?
        if let joinedSince {
            guard let d = Durations.since(joinedSince) else { throw CommandFailure.usage("--joined-since takes a duration (90s, 15m, 1h30m, 2d, 1w) or a date (2026-11-22)") }
            since = d
        }
        let (profile, gw) = try await gateway.makeGateway()
        let s = try await Lookup.session(session, profile: profile, gateway: gw)
        let g = try await Lookup.group(group, session: s, gateway: gw)
        if let since { return try await joined(since: since, profile: profile, gateway: gw, session: s, group: g) }
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

    struct JoinedRow: Encodable {
        var id: String, phone: String?, lid: String?, name: String?, role: String
        var joined: String, via: String?, addedBy: String?
    }

    func joined(since: Date, profile: Profile, gateway gw: any Gateway, session s: Session, group g: Group) async throws {
        let store = try FleetFiles.store(profile)
        let first = try store.group(session: s.id, jid: g.jid)?.lastFullRead == nil
        try await FleetSync(store: store, gateway: gw, budget: FleetFiles.budget(profile)).read(session: s.id, group: g.jid)
        let rows = try store.participants(session: s.id, group: g.jid).filter { $0.isNew(since: since) }.sorted { $0.joined > $1.joined }
        if json {
            return JSONOutput.print(rows.map { r in
                JoinedRow(id: r.participant.id.string, phone: r.participant.phone?.string, lid: r.participant.lid?.string, name: r.participant.name,
                          role: r.participant.role.rawValue, joined: AuditLog.timestamp(r.joined), via: r.joinedVia?.rawValue, addedBy: r.addedBy?.string)
            })
        }
        if first { Stdio.err("the index had not read this group before: everyone in it now counts as there from the start; joins show from the next read") }
        guard !rows.isEmpty else { return Stdio.out("nobody joined \(g.subject) since \(AuditLog.timestamp(since))") }
        var t = Table(["NAME", "NUMBER", "ROLE", "JOINED", "HOW"])
        t.maxWidths = [0: 32]
        let now = Date()
        for r in rows {
            let how = r.joinedVia.map { v in v == .added ? "added" + (r.addedBy.map { " by \($0.phoneNumber ?? $0.string)" } ?? "") : v.rawValue } ?? "-"
            t.add([r.participant.name ?? "-", r.participant.numberText, r.participant.role.rawValue,
                   Age.text(since: r.joined, now: now) + " ago" + (r.joinedAt == nil ? " (first seen)" : ""), how])
        }
        Stdio.out(t.render())
    }
}
