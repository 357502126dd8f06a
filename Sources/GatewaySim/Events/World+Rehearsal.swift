import Foundation
import WamodModel

/// What a rehearsal changed: who went in, out, up and down (those already so are left out).
public struct RehearsalOutcome: Sendable, Hashable {
    public var added: [JID] = []
    public var removed: [JID] = []
    public var promoted: [JID] = []
    public var demoted: [JID] = []
    /// Named but not changed, and why ("not a member", "the group's creator", …).
    public var skipped: [(JID, String)] = []

    public static func == (a: RehearsalOutcome, b: RehearsalOutcome) -> Bool {
        a.added == b.added && a.removed == b.removed && a.promoted == b.promoted && a.demoted == b.demoted
            && a.skipped.map(\.0) == b.skipped.map(\.0) && a.skipped.map(\.1) == b.skipped.map(\.1)
    }
    public func hash(into h: inout Hasher) { h.combine(added); h.combine(removed); h.combine(promoted); h.combine(demoted) }
}

public enum RehearsalRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownSession
    case unknownGroup

    public var description: String {
        switch self {
        case .unknownSession: "no such session"
        case .unknownGroup: "the session is not in that group"
        }
    }
}

extension World {
    /// Someone other than the session changes a group's members, as WhatsApp would let them
    /// (a member joins by the link, another admin adds, removes, promotes or demotes): no rate
    /// limit, no connection needed, nothing asked of the session. Each change is in the ledger
    /// and pushed as an event, as a change the session made would be. `via` is how those
    /// added came in (`.invite` makes each join look as a join by the link, done by the person
    /// themself; else they were added by `by`). The creator cannot be removed or demoted;
    /// removing the session's own account takes it out of the group.
    public func rehearse(session: String, group: JID, add: [JID] = [], remove: [JID] = [], promote: [JID] = [],
                         demote: [JID] = [], via: JoinVia = .added, by: JID? = nil) throws(RehearsalRefusal) -> RehearsalOutcome {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let result = state.withLock { s -> Result<RehearsalOutcome, RehearsalRefusal> in
            guard let me = s.sessions[session] else { return .failure(.unknownSession) }
            guard let g0 = me.groups[group.user], me.isMember(of: g0) else { return .failure(.unknownGroup) }
            s.materialize(session: session, group: group.user)
            guard var g = s.sessions[session]?.groups[group.user], var members = g.members else { return .failure(.unknownGroup) }
            var out = RehearsalOutcome()
            let actor: JID?? = via == .invite ? .some(nil) : .some(by)
            for target in add {
                if members.contains(where: { $0.person.matches(target) }) { out.skipped.append((target, "already a member")); continue }
                guard let person = s.lookUpForAdd(target) else { out.skipped.append((target, "not on WhatsApp")); continue }
                guard members.count < s.maxGroupSize else { out.skipped.append((target, "the group is full")); continue }
                s.nextAddedRowId += 1
                members.append(Member(person: person, role: .member, rowId: s.nextAddedRowId, firstSeenAt: now))
                s.directory[person.lid] = person
                g.pending.removeAll { $0.person.lid == person.lid }
                g.members = members
                s.sessions[session]?.groups[group.user] = g
                s.recordChange(session: session, group: group.user, action: via == .invite ? "join" : "add", person: person,
                               by: actor, via: via)
                out.added.append(person.jid)
            }
            for target in remove {
                guard let i = members.firstIndex(where: { $0.person.matches(target) }) else { out.skipped.append((target, "not a member")); continue }
                if members[i].role == .superadmin { out.skipped.append((target, "the group's creator")); continue }
                let person = members.remove(at: i).person
                s.directory[person.lid] = person
                g.members = members
                s.sessions[session]?.groups[group.user] = g
                let selfLeft = by.map { person.matches($0) } ?? false
                s.recordChange(session: session, group: group.user, action: "remove", person: person,
                               by: selfLeft ? .some(nil) : .some(by))
                out.removed.append(person.jid)
            }
            for (targets, up) in [(promote, true), (demote, false)] {
                for target in targets {
                    guard let i = members.firstIndex(where: { $0.person.matches(target) }) else { out.skipped.append((target, "not a member")); continue }
                    switch (members[i].role, up) {
                    case (.superadmin, _): out.skipped.append((target, "the group's creator")); continue
                    case (.admin, true): out.skipped.append((target, "already an admin")); continue
                    case (.member, false): out.skipped.append((target, "not an admin")); continue
                    default: break
                    }
                    members[i].role = up ? .admin : .member
                    g.members = members
                    s.sessions[session]?.groups[group.user] = g
                    s.recordChange(session: session, group: group.user, action: up ? "promote" : "demote", person: members[i].person,
                                   by: .some(by))
                    if up { out.promoted.append(members[i].person.jid) } else { out.demoted.append(members[i].person.jid) }
                }
            }
            return .success(out)
        }
        return try result.get()
    }

    /// Someone else changes a group's subject or settings (an admin on their phone): recorded
    /// and pushed as the session's own change would be. Answers the group's settings.
    @discardableResult
    public func rehearse(session: String, group: JID, changes: [GroupChange]) throws(RehearsalRefusal) -> GroupSettings {
        let result = state.withLock { s -> Result<GroupSettings, RehearsalRefusal> in
            guard let me = s.sessions[session] else { return .failure(.unknownSession) }
            guard let g = me.groups[group.user], me.isMember(of: g) else { return .failure(.unknownGroup) }
            for change in changes { s.apply(change, session: session, group: group.user) }
            return .success((s.sessions[session]?.groups[group.user] ?? g).settings)
        }
        return try result.get()
    }
}
