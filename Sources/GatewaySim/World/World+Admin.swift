import Foundation
import WamodModel

// Group administration (gateways.md §9): invite links, settings, join requests, sending a text,
// with WhatsApp's rules. Every dialect's routes call these; each renders the outcome in its own
// shapes.

/// A text a session sent, as tests and the emulator's admin view see it.
public struct SimMessage: Sendable, Hashable {
    /// 1, 2, 3… in the order the texts were sent, over the whole world.
    public var seq: Int
    /// WhatsApp's message id (`3EB0…`, as WhatsApp Web's ids look).
    public var id: String
    public var session: String
    /// The chat: a group's JID, or the person's (phone JID or `@lid`).
    public var chat: JID
    public var text: String
    /// Seconds since 1970.
    public var at: Double
    /// Why WhatsApp did not deliver a queued send (v1's `?async`); nil when it was delivered.
    public var failure: String?

    public var delivered: Bool { failure == nil }
}

/// A request to join, waiting for an admin, as tests and the admin view see it.
public struct SimJoinRequest: Sendable, Hashable {
    public var phone: JID?
    public var lid: JID
    public var name: String
    /// How they asked (`invite_link`).
    public var method: String
    /// Milliseconds since 1970.
    public var at: Int64

    /// WhatsApp names a requester by `@lid`; the phone JID names them too.
    public var id: JID { lid }
    public func matches(_ jid: JID) -> Bool { jid == lid || (phone != nil && jid == phone) }

    /// The shared model's view of it.
    public var model: JoinRequest {
        JoinRequest(requester: lid, phone: phone, method: method, at: Date(timeIntervalSince1970: Double(at) / 1000))
    }
}

/// One change to a group's info or settings.
public enum GroupChange: Sendable, Hashable {
    case subject(String)
    case description(String)
    case setting(GroupSetting, Bool)
}

/// What became of one requester named in an approve or reject.
public struct JoinAnswer: Sendable, Hashable {
    public var requester: JID
    /// false: the id names no pending request (WhatsApp answers that row 404).
    public var answered: Bool
    /// The request that was answered.
    public var request: SimJoinRequest?
}

/// What joining by an invite code did.
public enum JoinByCodeOutcome: Sendable, Hashable {
    case joined(session: String, group: JID)
    /// The group needs an admin's approval: the person now waits among its join requests.
    case pending(session: String, group: JID)
    case alreadyMember(session: String, group: JID)
}

public enum JoinByCodeRefusal: Error, Sendable, Equatable {
    /// No group has this code: it never existed, or the link was reset since.
    case invalidCode
    case notOnWhatsApp
    case groupFull
}

/// A send as it was answered, kept for v1's `Idempotency-Key` replays.
public struct SendReceipt: Sendable, Hashable {
    public var message: SimMessage
    /// Sent with `?async`: answered 202 with an outbox id.
    public var queued: Bool
    /// The outbox id a queued send was given.
    public var outboxId: String
    /// An earlier answer, replayed for a key already seen.
    public var replayed: Bool
}

extension World {
    // MARK: Invite links

    /// The group's invite code. Needs a connected session, an admin, and counts against the
    /// session's rate limit (a live WhatsApp query in every dialect).
    public func inviteCode(session: String, group: JID) throws(WorldRefusal) -> String {
        try rule(session: session, group: group, admin: true) { s, _, g in
            s.inviteCode(g)
        }
    }

    /// Resets the invite link: a new code, and the old one stops working. Answers the new code.
    public func resetInviteCode(session: String, group: JID) throws(WorldRefusal) -> String {
        try rule(session: session, group: group, admin: true) { s, _, g in
            s.sessions[session]?.groups[g.id]?.inviteGeneration += 1
            s.recordChange(session: session, group: g.id, action: "invite-reset", target: g.jid.string)
            return s.inviteCode(s.sessions[session]?.groups[g.id] ?? g)
        }
    }

    /// Joins the group whose current invite code is `code`, as the person `who` (a phone JID or
    /// a known `@lid`). With approval on, the person waits among the join requests instead.
    /// An old code (the link was reset since) names no group. Not a session's request: no rate
    /// limit, no connection needed (the person joins from their own phone).
    public func join(code: String, as who: JID, name: String = "") throws(JoinByCodeRefusal) -> JoinByCodeOutcome {
        let given = InviteLink(parsing: code)?.code ?? code
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let result = state.withLock { s -> Result<JoinByCodeOutcome, JoinByCodeRefusal> in
            guard let (session, groupID) = s.group(withInviteCode: given) else { return .failure(.invalidCode) }
            s.materialize(session: session, group: groupID)
            guard var g = s.sessions[session]?.groups[groupID], var members = g.members else { return .failure(.invalidCode) }
            guard var person = s.lookUpForAdd(who) else { return .failure(.notOnWhatsApp) }
            if person.name.isEmpty { person.name = name }
            if members.contains(where: { $0.person.lid == person.lid }) { return .success(.alreadyMember(session: session, group: g.jid)) }
            if g.approval {
                let new = !g.pending.contains(where: { $0.person.lid == person.lid })
                if new { g.pending.append(PendingRequest(person: person, method: "invite_link", at: now)) }
                s.directory[person.lid] = person
                s.sessions[session]?.groups[groupID] = g
                if new { s.publishChange(session: session, place: g.jid.string, action: "request", person: person, detail: nil) }
                return .success(.pending(session: session, group: g.jid))
            }
            guard members.count < s.maxGroupSize else { return .failure(.groupFull) }
            s.nextAddedRowId += 1
            members.append(Member(person: person, role: .member, rowId: s.nextAddedRowId, firstSeenAt: now))
            g.members = members
            s.directory[person.lid] = person
            s.sessions[session]?.groups[groupID] = g
            s.recordChange(session: session, group: groupID, action: "join", person: person)
            return .success(.joined(session: session, group: g.jid))
        }
        return try result.get()
    }

    // MARK: Settings

    /// Changes a group's subject, description and settings, in order. Subject and description
    /// need an admin only while the group is locked; the settings always need one. With
    /// `allOrNothing` (WUTS's PATCH) a refusal of any change refuses them all before any is
    /// made; without it (v1's PATCH, where each field is a WhatsApp operation of its own) the
    /// changes before the refused one stay made. One request for the rate limit. Answers the
    /// group's settings afterwards.
    @discardableResult
    public func updateGroup(_ changes: [GroupChange], session: String, group: JID,
                            allOrNothing: Bool) throws(WorldRefusal) -> GroupSettings {
        try rule(session: session, group: group, admin: false) { s, me, g throws(WorldRefusal) in
            let isAdmin = me.ourRole(in: g)?.isAdmin == true
            func allowed(_ change: GroupChange, locked: Bool) -> Bool {
                switch change {
                case .subject, .description: isAdmin || !locked
                case .setting: isAdmin
                }
            }
            if allOrNothing, !changes.allSatisfy({ allowed($0, locked: g.isLocked) }) { throw .notAdmin }
            for change in changes {
                let locked = s.sessions[session]?.groups[g.id]?.isLocked ?? g.isLocked
                guard allowed(change, locked: locked) else { throw .notAdmin }
                s.apply(change, session: session, group: g.id)
            }
            return (s.sessions[session]?.groups[g.id] ?? g).settings
        }
    }

    // MARK: Join requests

    /// The requests waiting for an admin. Needs an admin; counts against the rate limit.
    public func joinRequests(session: String, group: JID) throws(WorldRefusal) -> [SimJoinRequest] {
        try rule(session: session, group: group, admin: true) { _, _, g in
            g.pending.map(\.snapshot)
        }
    }

    /// Approves (the requester becomes a member) or rejects (the request is dropped) each
    /// requester, named by `@lid` or phone JID; one that is not pending is answered
    /// `answered: false`. Needs an admin; one request for the rate limit.
    public func answerJoinRequests(approve: Bool, session: String, group: JID,
                                   requesters: [JID]) throws(WorldRefusal) -> [JoinAnswer] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return try rule(session: session, group: group, admin: true) { s, _, g in
            var answers: [JoinAnswer] = []
            for requester in requesters {
                guard var current = s.sessions[session]?.groups[g.id],
                      let index = current.pending.firstIndex(where: { $0.person.matches(requester) })
                else {
                    answers.append(JoinAnswer(requester: requester, answered: false, request: nil))
                    continue
                }
                let request = current.pending.remove(at: index)
                if approve {
                    s.nextAddedRowId += 1
                    current.members?.append(Member(person: request.person, role: .member, rowId: s.nextAddedRowId, firstSeenAt: now))
                }
                s.sessions[session]?.groups[g.id] = current
                s.recordChange(session: session, group: g.id, action: approve ? "approve" : "reject", person: request.person)
                answers.append(JoinAnswer(requester: requester, answered: true, request: request.snapshot))
            }
            return answers
        }
    }

    // MARK: Sending a text

    /// Sends a text to a group (needs membership, and an admin while the group is announce-only)
    /// or to a person (any valid number). Needs a connected session; counts against the rate
    /// limit. `queued` is v1's `?async`: not rate-limited (the send waits in the gateway's
    /// queue), and a refusal by WhatsApp's rules comes later, so the send is kept as failed and
    /// answered. `key` is v1's `Idempotency-Key`: a key already answered gets that answer again
    /// (`replayed`), and nothing is sent.
    public func sendText(session: String, to chat: JID, text: String, queued: Bool = false,
                         key: String? = nil) throws(WorldRefusal) -> SendReceipt {
        let now = clock.now()
        let at = Date().timeIntervalSince1970
        let result = state.withLock { s -> Result<SendReceipt, WorldRefusal> in
            do throws(WorldRefusal) {
                _ = try s.session(session)
                if let key, var earlier = s.sendReceipts[key] {
                    earlier.replayed = true
                    return .success(earlier)
                }
                if queued {
                    guard let me = s.sessions[session], me.connected else {
                        throw .notConnected(status: s.sessions[session]?.offlineStatus ?? "STOPPED")
                    }
                } else {
                    try s.admitMutation(session: session, now: now)
                }
                defer { if !queued { s.finishMutation(session: session) } }
                var failure: String?
                do throws(WorldRefusal) {
                    try s.mayPost(session: session, to: chat)
                } catch {
                    guard queued else { throw error }
                    failure = error == .notAdmin ? "only admins may send to this group" : "not a participant of this group"
                }
                let message = s.storeMessage(session: session, chat: chat, text: text, at: at, failure: failure)
                let receipt = SendReceipt(message: message, queued: queued, outboxId: "ob_" + message.id.lowercased(), replayed: false)
                if let key { s.sendReceipts[key] = receipt }
                return .success(receipt)
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: Inspection

    /// A group's settings, nil when the session is not in it.
    public func settings(session: String, group: JID) -> GroupSettings? {
        state.withLock { s in s.sessions[session]?.visible(group)?.settings }
    }

    /// A group's invite code as it stands (without WhatsApp's rules: for tests and the admin view).
    public func currentInviteCode(session: String, group: JID) -> String? {
        state.withLock { s in s.sessions[session]?.visible(group).map { s.inviteCode($0) } }
    }

    /// The requests waiting in a group, oldest first; nil when the session is not in it.
    public func pendingRequests(session: String, group: JID) -> [SimJoinRequest]? {
        state.withLock { s in s.sessions[session]?.visible(group)?.pending.map(\.snapshot) }
    }

    /// The texts sent (the newest 200,000), oldest first: by one session and to one chat when given.
    public func messages(session: String? = nil, chat: JID? = nil) -> [SimMessage] {
        state.withLock { s in
            s.messages.elements.filter { m in
                (session == nil || m.session == session) && (chat == nil || m.chat == chat)
            }
        }
    }

    // MARK: Control

    /// Sets a group's settings as its admins could (every setting `change` names), without
    /// WhatsApp's rules and without a record: for tests and rehearsals.
    public func setSettings(_ change: GroupSettings, session: String, group: JID) {
        state.withLock { s in
            guard var g = s.sessions[session]?.groups[group.user] else { return }
            g.set(change)
            s.sessions[session]?.groups[group.user] = g
        }
    }

    /// Makes a group a community's parent (or a plain group again).
    public func markCommunity(_ isCommunity: Bool = true, session: String, group: JID) {
        state.withLock { $0.sessions[session]?.groups[group.user]?.isCommunity = isCommunity }
    }

    /// Puts someone among a group's join requests, as if they had asked by the invite link.
    public func addJoinRequest(_ who: JID, name: String = "", session: String, group: JID) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        state.withLock { s in
            guard var person = s.lookUpForAdd(who), var g = s.sessions[session]?.groups[group.user] else { return }
            if person.name.isEmpty { person.name = name }
            guard !g.pending.contains(where: { $0.person.lid == person.lid }) else { return }
            g.pending.append(PendingRequest(person: person, method: "invite_link", at: now))
            s.directory[person.lid] = person
            s.sessions[session]?.groups[group.user] = g
            s.publishChange(session: session, place: g.jid.string, action: "request", person: person, detail: nil)
        }
    }

    // MARK: Helpers

    /// One administration request under WhatsApp's rules, in order: unknown session → not
    /// connected → rate limit → unknown group (or not a member) → not an admin (when `admin`).
    func rule<T: Sendable>(session: String, group: JID, admin: Bool,
                           _ body: (inout WorldState, SessionState, GroupState) throws(WorldRefusal) -> T) throws(WorldRefusal) -> T {
        let now = clock.now()
        let result = state.withLock { s -> Result<T, WorldRefusal> in
            do throws(WorldRefusal) {
                try s.admitMutation(session: session, now: now)
                defer { s.finishMutation(session: session) }
                let g = try s.visibleGroup(session: session, group: group)
                let me = try s.session(session)
                if admin, me.ourRole(in: g)?.isAdmin != true { throw .notAdmin }
                return .success(try body(&s, me, g))
            } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension PendingRequest {
    var snapshot: SimJoinRequest {
        SimJoinRequest(phone: person.phone.map { JID(kind: .user, user: $0) }, lid: JID(kind: .lid, user: person.lid),
                       name: person.name, method: method, at: at)
    }
}

extension SessionState {
    /// The group when the session is a member of it.
    func visible(_ group: JID) -> GroupState? {
        guard let g = groups[group.user], isMember(of: g) else { return nil }
        return g
    }
}

extension GroupState {
    /// Sets every setting `change` names.
    mutating func set(_ change: GroupSettings) {
        if let on = change.announce { isAnnounce = on }
        if let on = change.locked { isLocked = on }
        if let on = change.adminsAdd { adminsAdd = on }
        if let on = change.approval { approval = on }
    }
}

extension WorldState {
    /// A group's invite code: 22 letters and digits, as WhatsApp's, derived from the world's
    /// invite seed, the group and how many times its link was reset.
    func inviteCode(_ g: GroupState) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in g.id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var dice = SplitMix64(seed: SplitMix64.mix(inviteSeed, hash, UInt64(g.inviteGeneration)))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<22).map { _ in alphabet[Int(dice.next() % UInt64(alphabet.count))] })
    }

    /// The session and group whose current code is `code`.
    func group(withInviteCode code: String) -> (String, String)? {
        for id in sessionOrder {
            guard let session = sessions[id] else { continue }
            for gid in session.groupOrder {
                if let g = session.groups[gid], inviteCode(g) == code { return (id, gid) }
            }
        }
        return nil
    }

    /// Makes one change (already allowed), recording it when it changed something.
    mutating func apply(_ change: GroupChange, session: String, group: String) {
        guard var g = sessions[session]?.groups[group] else { return }
        switch change {
        case .subject(let text):
            guard g.subject != text else { return }
            g.subject = text
            sessions[session]?.groups[group] = g
            recordChange(session: session, group: group, action: "subject", target: g.jid.string, detail: text)
        case .description(let text):
            guard g.description != text else { return }
            g.description = text
            sessions[session]?.groups[group] = g
            recordChange(session: session, group: group, action: "description", target: g.jid.string, detail: text)
        case .setting(let setting, let on):
            guard g.settings[setting] != on else { return }
            var change = GroupSettings()
            change[setting] = on
            g.set(change)
            sessions[session]?.groups[group] = g
            recordChange(session: session, group: group, action: "settings", target: g.jid.string,
                         detail: "\(setting.key)=\(on ? "on" : "off")")
        }
    }

    /// WhatsApp's rules for posting to `chat`: a group needs membership, and an admin while it
    /// is announce-only; a person needs nothing.
    mutating func mayPost(session: String, to chat: JID) throws(WorldRefusal) {
        guard chat.kind == .group else { return }
        let g = try visibleGroup(session: session, group: chat)
        let me = try self.session(session)
        if g.isAnnounce, me.ourRole(in: g)?.isAdmin != true { throw .notAdmin }
    }

    mutating func storeMessage(session: String, chat: JID, text: String, at: Double, failure: String?) -> SimMessage {
        nextMessageSeq += 1
        var dice = SplitMix64(seed: SplitMix64.mix(inviteSeed, 0x5E4D, UInt64(nextMessageSeq)))
        let message = SimMessage(seq: nextMessageSeq, id: "3EB0" + dice.hex(18).uppercased(), session: session,
                                 chat: chat, text: text, at: at, failure: failure)
        messages.append(message)
        if failure == nil {
            record(session: session, place: chat.string, action: "send", target: chat.string, detail: message.id)
        }
        return message
    }
}
