import WamodModel

/// Why a v1 request failed, rendered as v1's error body.
enum V1Failure: Error {
    case status(Int, String, String)
    case validation(String)
    case refusal(WorldRefusal)

    static func wrap<T>(_ body: () throws(WorldRefusal) -> T) throws(V1Failure) -> T {
        do throws(WorldRefusal) { return try body() } catch { throw .refusal(error) }
    }

    var response: SimResponse {
        switch self {
        case .status(let status, let code, let message): V1Routes.error(status, code, message)
        case .validation(let message): V1Routes.error(400, "validation_error", message)
        case .refusal(let refusal): Self.render(refusal)
        }
    }

    static func render(_ refusal: WorldRefusal) -> SimResponse {
        switch refusal {
        case .sessionNotFound: V1Routes.error(404, "not_found", "session not found")
        case .groupNotFound: V1Routes.error(404, "not_found", "group not found")
        case .notConnected:
            V1Routes.error(501, "not_implemented", "session is not connected: live actions need a connected session")
        case .rateLimited(let seconds): V1Routes.tooManyRequests(retryAfter: seconds)
        case .notAdmin: V1Routes.error(403, "forbidden", "the session's account is not an admin of this group")
        case .notMember: V1Routes.error(404, "not_found", "the session's account is not a member of this group")
        case .ownerCannotLeave: V1Routes.error(403, "forbidden", "the group's owner cannot leave")
        }
    }
}

/// v1's row shapes (gateways.md §2).
enum V1Render {
    static func session(_ s: SessionState) -> JSON {
        [
            "id": .string(s.id),
            "label": .string(s.label),
            "phoneNumber": .optional(s.account.phone),
            "status": .string(s.connected ? "working" : "disconnected"),
            "waJid": .optional(s.accountJID?.string),
            "waLid": .string(s.accountLID.string),
            "ratePerMin": .int(s.advertisedPerMinute),
            "ratePerHour": .int(s.advertisedPerHour),
            "lastConnectedAt": .int(Int(s.lastConnectedAt)),
        ]
    }

    static func group(_ g: GroupState) -> JSON {
        [
            "id": .int(g.rowId),
            "groupJid": .string(g.jid.string),
            "subject": .string(g.subject),
            "description": .string(g.description),
            "ownerJid": .string(g.creator.jid.string),
            "participantCount": .int(g.size),
            "isAnnounce": .bool(g.isAnnounce),
            "isLocked": .bool(g.isLocked),
            "createdAtWa": .int(Int(g.createdAt)),
        ]
    }

    /// `role` is `member` or `admin`: the creator shows as `admin`, and is the group's `ownerJid`.
    /// A privacy-hidden member has `jid: null` and only `lid`.
    static func member(_ m: Member, group: GroupState, session: SessionState) -> JSON {
        [
            "id": .int(m.rowId),
            "groupJid": .string(group.jid.string),
            "sessionId": .string(session.id),
            "jid": .optional(m.person.phone.map { "\($0)@s.whatsapp.net" }),
            "lid": .string("\(m.person.lid)@lid"),
            "role": .string(m.role.isAdmin ? "admin" : "member"),
            "tag": .string(m.person.name.isEmpty ? "" : "~" + m.person.name),
            "firstSeenAt": .int(Int(m.firstSeenAt)),
            "lastSeenAt": .int(Int(max(m.firstSeenAt, session.lastConnectedAt))),
        ]
    }
}
