import Foundation
import WamodModel

/// Why a WUTS request failed, rendered in WUTS's error envelope.
enum WUTSFailure: Error {
    /// 400 `VALIDATION_ERROR`, with the offending field.
    case validation(field: String, message: String, value: String)
    case refusal(WorldRefusal)
    /// A community route named a group that is not a community's parent.
    case notCommunity(String)

    static func wrap<T>(_ body: () throws(WorldRefusal) -> T) throws(WUTSFailure) -> T {
        do throws(WorldRefusal) { return try body() } catch { throw .refusal(error) }
    }

    var response: SimResponse {
        switch self {
        case .validation(let field, let message, let value):
            WUTSRender.error(400, "VALIDATION_ERROR", "validation failed",
                             validation: [["field": .string(field), "message": .string(message), "value": .string(value)]])
        case .notCommunity(let jid):
            WUTSRender.error(404, "GROUP_NOT_FOUND", "community not found: \(jid) is not a community's parent group")
        case .refusal(let refusal):
            switch refusal {
            case .sessionNotFound: WUTSRender.error(404, "DEVICE_NOT_FOUND", "device not found")
            case .notConnected: WUTSRender.error(503, "DEVICE_NOT_READY", "WhatsApp session is not connected")
            case .rateLimited(let seconds): WUTSRender.tooManyRequests(retryAfter: seconds)
            case .groupNotFound: WUTSRender.error(404, "GROUP_NOT_FOUND", "group not found")
            case .notMember: WUTSRender.error(404, "GROUP_NOT_FOUND", "not a participant of this group")
            case .notAdmin: WUTSRender.error(403, "NOT_GROUP_ADMIN", "the device's account is not an admin of this group")
            case .ownerCannotLeave: WUTSRender.error(403, "FORBIDDEN", "the group's creator cannot leave")
            }
        }
    }
}

/// WUTS's body shapes (gateways.md §5): the device's status, groups in snake case, participant
/// rows with `is_admin` / `is_super_admin`, and the error envelope.
enum WUTSRender {
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601)
    }

    /// `{"success":false,"error":…,"error_code":…,"timestamp":…}`, `validation` only for field errors.
    static func error(_ status: Int, _ code: String, _ message: String, validation: [JSON]? = nil,
                      headers: [(String, String)] = []) -> SimResponse {
        var fields: [JSON.Field] = [.init("success", false), .init("error", .string(message)),
                                    .init("error_code", .string(code)), .init("timestamp", .string(timestamp()))]
        if let validation { fields.append(.init("validation", .array(validation))) }
        return .json(status, .object(fields), headers: headers)
    }

    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        error(429, "RATE_LIMITED", "rate limit exceeded: retry in \(retryAfter) s", headers: [("Retry-After", String(retryAfter))])
    }

    static func userJID(_ phone: String) -> String { "\(phone)@s.whatsapp.net" }

    /// The device's live state. A device waiting for a QR scan is logged out: no account.
    static func status(_ s: SessionState) -> JSON {
        let loggedIn = s.connected || s.offlineStatus != "SCAN_QR_CODE"
        return [
            "connected": .bool(s.connected),
            "status": .string(s.connected ? "connected" : "disconnected"),
            "device_id": .string(s.id),
            "jid": loggedIn ? .optional(s.account.phone.map(userJID)) : nil,
            "phone_number": loggedIn ? .optional(s.account.phone) : nil,
            "is_logged_in": .bool(loggedIn),
            "last_seen": .string(Date(timeIntervalSince1970: Double(s.lastConnectedAt) / 1000).formatted(.iso8601)),
        ]
    }

    /// A group; with its `participants` for `GET /groups/{jid}`. The fields are those of
    /// https://docs.wuts.com.br/groups/listGroups/ and …/groups/updateGroup/ (`created_at`,
    /// `is_announce`, `is_locked`, `join_approval`). WUTS's pages show no field for a
    /// community's parent, which the list includes as a group it has joined; the emulator adds
    /// `is_community: true` to that row only (named after the `community` option of
    /// https://docs.wuts.com.br/guides/group-management/), so a client can tell it apart.
    static func group(_ g: GroupState, participants: Bool) -> JSON {
        var fields: [JSON.Field] = [
            .init("jid", .string(g.jid.string)),
            .init("name", .string(g.subject)),
            .init("topic", .string(g.description)),
            .init("owner", .string(g.creator.jid.string)),
            .init("created_at", .string(timestamp(Date(timeIntervalSince1970: Double(g.createdAt) / 1000)))),
            .init("is_announce", .bool(g.isAnnounce)),
            .init("is_locked", .bool(g.isLocked)),
            .init("join_approval", .bool(g.approval)),
            .init("members_count", .int(g.size)),
        ]
        if g.isCommunity { fields.append(.init("is_community", true)) }
        if participants {
            fields.append(.init("participants", .array((g.members ?? []).map { participant($0.person, role: $0.role) })))
        }
        return .object(fields)
    }

    /// A participant: `jid` is the phone JID, or the `@lid` when the number is hidden;
    /// `phone_number` repeats the phone JID (as the seed shows), empty when hidden.
    static func participant(_ p: Person, role: Role) -> JSON {
        let jid = p.phone.map(userJID) ?? "\(p.lid)@lid"
        return [
            "jid": .string(jid),
            "phone_number": .string(p.phone.map(userJID) ?? ""),
            "is_admin": .bool(role.isAdmin),
            "is_super_admin": .bool(role == .superadmin),
        ]
    }

    /// One target's row after a change: the participant as it now stands, with WhatsApp's code
    /// in `error` when it was refused.
    static func row(_ action: MemberAction, _ rule: TargetRule) -> JSON {
        let code = WAHARender.code(action, rule.outcome)
        let phone = rule.member?.phone?.user ?? (rule.target.kind == .user ? rule.target.user : nil)
        let lid = rule.member?.lid.user ?? (rule.target.kind == .lid ? rule.target.user : "0")
        var role = rule.member?.role ?? .member
        if rule.outcome == .ok {
            switch action {
            case .promote: role = .admin
            case .demote, .remove, .add: role = .member
            }
        }
        guard case .object(var fields) = participant(Person(phone: phone, lid: lid, name: ""), role: role) else { return nil }
        if code != 200 { fields.append(.init("error", .int(code))) }
        return .object(fields)
    }
}
