import Foundation

/// What will happen to one target, predicted from freshly read group data.
public enum Verdict: Sendable, Hashable {
    case willAct
    /// Not sent: the wanted state already holds (already an admin, not in the group, …).
    case alreadySo(String)
    /// Not sent: certain to fail (the owner, our own account, not a member).
    case skip(String)

    public var sends: Bool { self == .willAct }
    /// Why it is not sent, without the "skip" prefix.
    public var reason: String? {
        switch self {
        case .willAct: nil
        case .alreadySo(let r), .skip(let r): r
        }
    }
    public var text: String {
        switch self {
        case .willAct: "will act"
        case .alreadySo(let r): "skip, \(r)"
        case .skip(let r): "skip, \(r)"
        }
    }
}

/// Why nothing at all can be sent.
public enum Blocker: Sendable, Hashable {
    case notConnected(status: String)
    case notAdmin
    case notMember

    public var text: String {
        switch self {
        case .notConnected(let s): "the session is not connected (status \(s)): reconnect it in the gateway first"
        case .notAdmin: "the session's account is not an admin of this group: nothing can be sent"
        case .notMember: "the session's account is not in this group"
        }
    }
}

public struct PreflightRow: Sendable, Hashable {
    public var target: JID
    /// The participant the target names, when they are in the group.
    public var participant: Participant?
    public var verdict: Verdict
}

/// The plan for an action on a group: a verdict per target, or a blocker for the whole.
public struct Preflight: Sendable, Hashable {
    public var action: MemberAction
    public var rows: [PreflightRow]
    public var blocker: Blocker?

    /// The targets a request will be sent for.
    public var toSend: [JID] { blocker == nil ? rows.filter { $0.verdict.sends }.map(\.target) : [] }

    /// Plans `action` on `targets`, given the group's participants and the session.
    public static func plan(_ action: MemberAction, targets: [JID], participants: [Participant], session: Session) -> Preflight {
        var seen = Set<JID>()
        var rows: [PreflightRow] = []
        for t in targets {
            let p = participants.first(matching: t)
            let key = p?.id ?? t
            guard seen.insert(key).inserted else { continue }
            rows.append(PreflightRow(target: t, participant: p, verdict: verdict(action, target: t, participant: p, session: session)))
        }
        var blocker: Blocker?
        if !session.connected {
            blocker = .notConnected(status: session.status)
        } else if session.account != nil || session.accountLID != nil {
            switch participants.role(of: session) {
            case nil: blocker = .notMember
            case .member?: blocker = .notAdmin
            default: break
            }
        }
        return Preflight(action: action, rows: rows, blocker: blocker)
    }

    static func verdict(_ action: MemberAction, target: JID, participant p: Participant?, session: Session) -> Verdict {
        if session.isOwnAccount(target) || (p.map { q in [session.account, session.accountLID].contains { $0.map(q.matches) ?? false } } ?? false) {
            return action == .remove ? .skip("that is this session's own account (use leave)") : .skip("that is this session's own account")
        }
        switch action {
        case .remove:
            guard let p else { return .alreadySo("not a member") }
            return p.role == .superadmin ? .skip("the owner cannot be removed") : .willAct
        case .demote:
            guard let p else { return .skip("not a member") }
            switch p.role {
            case .superadmin: return .skip("the owner cannot be demoted")
            case .member: return .alreadySo("already not an admin")
            case .admin: return .willAct
            }
        case .promote:
            guard let p else { return .skip("not a member") }
            return p.role.isAdmin ? .alreadySo("already an admin") : .willAct
        case .add:
            return p == nil ? .willAct : .alreadySo("already a member")
        }
    }
}

extension Preflight {
    /// What leaving a group will do: leaving needs membership; some gateways refuse the owner's leave.
    public static func leaveVerdict(participants: [Participant]?, session: Session, ownerMayLeave: Bool) -> Verdict {
        guard let participants, session.account != nil || session.accountLID != nil else { return .willAct }
        guard let role = participants.role(of: session) else { return .alreadySo("not a member") }
        if role == .superadmin && !ownerMayLeave { return .skip("the owner cannot leave on this gateway") }
        return .willAct
    }
}
