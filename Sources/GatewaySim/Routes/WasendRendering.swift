import Foundation
import WamodModel

/// Why a Wasend request failed, rendered as Wasend's error body.
enum WasendFailure: Error {
    case status(Int, String, String)
    case refusal(WorldRefusal)

    static func wrap<T>(_ body: () throws(WorldRefusal) -> T) throws(WasendFailure) -> T {
        do throws(WorldRefusal) { return try body() } catch { throw .refusal(error) }
    }

    var response: SimResponse {
        switch self {
        case .status(let status, let error, let message): WasendRoutes.error(status, error, message)
        case .refusal(let refusal): Self.render(refusal)
        }
    }

    static func render(_ refusal: WorldRefusal) -> SimResponse {
        switch refusal {
        case .sessionNotFound: WasendRoutes.error(404, "Not Found", "Session not found")
        case .groupNotFound: WasendRoutes.error(404, "Not Found", "Group not found")
        case .notConnected(let status):
            WasendRoutes.error(422, "Session is not WORKING",
                               "Session status is not as expected: \(status) (expected WORKING)")
        case .rateLimited(let seconds): WasendRoutes.tooManyRequests(retryAfter: seconds)
        case .notAdmin: WasendRoutes.error(403, "Forbidden", "You are not an admin of this group")
        case .notMember: WasendRoutes.error(403, "Forbidden", "You are not a member of this group")
        case .ownerCannotLeave: WasendRoutes.error(403, "Forbidden", "The group owner cannot leave the group")
        }
    }
}

/// Wasend's body shapes (gateways.md §3).
enum WasendRender {
    static func iso(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(.iso8601)
    }

    static func status(_ s: SessionState) -> String { s.connected ? "WORKING" : s.offlineStatus }

    static func session(_ s: SessionState) -> JSON {
        let status = status(s)
        let inner: JSON = [
            "id": .string(s.recordId),
            "uniqueSessionId": .string(s.id),
            "userId": .string(s.userId),
            "sessionName": .string(s.label),
            "phoneNumber": .string(s.account.phone.map { "+" + $0 } ?? ""),
            "status": .string(status),
            "enableAccountProtection": false,
            "enableMessageLogging": false,
            "enableWebhook": false,
            "createdAt": .string(iso(s.createdAt)),
            "updatedAt": .string(iso(s.lastConnectedAt)),
        ]
        let downstream: JSON = [
            "name": .string(s.id),
            "status": .string(status),
            "config": [
                "metadata": ["userId": .string(s.userId), "userEmail": .string("ops+\(s.label)@example.com")],
                "proxy": nil,
                "debug": false,
                "noweb": ["markOnline": false, "store": ["enabled": true, "fullSync": false]],
                "webhooks": [],
            ],
            "engine": [
                "grpc": ["client": "READY", "stream": "READY"],
                "gows": ["found": true, "connected": .bool(s.connected)],
            ],
        ]
        return ["session": inner, "downstream": downstream]
    }

    /// A participant row. A privacy-hidden one has its `@lid` as `jid` and an empty `phoneNumber`.
    static func participant(_ m: Member) -> JSON {
        [
            "jid": .string(m.person.phone.map { "\($0)@c.us" } ?? "\(m.person.lid)@lid"),
            "phoneNumber": .string(m.person.phone.map { "+" + $0 } ?? ""),
            "lid": .string("\(m.person.lid)@lid"),
            "isAdmin": .bool(m.role.isAdmin),
            "isSuperAdmin": .bool(m.role == .superadmin),
            "displayName": .string(m.person.name),
        ]
    }

    /// A group in whatsmeow's field set, every field present (gateways.md §3). The settings are
    /// the group's: `isLocked`, `isAnnounce`, `isJoinApprovalRequired`, `memberAddMode`
    /// (`admin_add` or `all_member_add`), and `isParent` for a community's parent, as whatsmeow's
    /// `GroupInfo` names them (its JSON is what `@wasend/core` 1.3.3 reads).
    static func group(_ g: GroupState) -> JSON {
        let owner = g.creator.jid.string
        let ownerPn = g.creator.phone.map { "+" + $0 } ?? ""
        let created = iso(g.createdAt)
        return [
            "jid": .string(g.jid.string), "ownerJid": .string(owner), "ownerPn": .string(ownerPn),
            "name": .string(g.subject), "nameSetAt": .string(created), "nameSetBy": .string(owner),
            "nameSetByPn": .string(ownerPn),
            "topic": .string(g.description), "topicId": .string(String(format: "%016llX", UInt64(g.rowId) &* 2_654_435_761)),
            "topicSetAt": .string(created), "topicSetBy": .string(owner), "topicSetByPn": .string(ownerPn),
            "topicDeleted": false, "isLocked": .bool(g.isLocked), "isAnnounce": .bool(g.isAnnounce),
            "announceVersionId": .string(String(g.createdAt * 1000)), "isEphemeral": false, "disappearingTimer": 0,
            "isIncognito": false, "isParent": .bool(g.isCommunity), "defaultMembershipApprovalMode": "", "linkedParentJid": "",
            "isDefaultSubGroup": false, "isJoinApprovalRequired": .bool(g.approval), "addressingMode": "pn",
            "groupCreated": .string(created), "creatorCountryCode": "",
            "participantVersionId": .string(String(g.createdAt * 1000 + Int64(g.size))),
            "memberAddMode": .string(g.adminsAdd ? "admin_add" : "all_member_add"),
            "participants": .array((g.members ?? []).map(participant)),
        ]
    }

    /// The per-row result body of a mutation, or the call's error when no row could succeed.
    static func result(_ action: MemberAction, _ rules: [TargetRule]) throws(WasendFailure) -> SimResponse {
        let id = { (r: TargetRule) -> JSON in .string(r.target.string) }
        switch action {
        case .remove:
            let removed = rules.filter { $0.outcome == .ok }
            guard !removed.isEmpty else {
                throw .status(422, "Unprocessable Entity",
                              "None of the participants could be removed: they are not members of the group, or are its owner")
            }
            return .json(200, ["success": true, "removed": .array(removed.map { ["id": id($0)] }),
                               "message": "Selected participants were successfully removed."])
        case .add:
            let reason: (RuleOutcome) -> String = {
                switch $0 {
                case .ok: "SUCCESS"
                case .alreadySo: "ALREADY_IN_GROUP"
                case .privacyRestricted: "PRIVACY_RESTRICTED"
                case .groupFull: "GROUP_FULL"
                default: "NOT_ON_WHATSAPP"
                }
            }
            let rows = rules.map { (ok: $0.outcome == .ok, json: JSON(dictionaryLiteral: ("id", id($0)), ("reason", .string(reason($0.outcome))))) }
            return .json(200, ["success": true, "data": ["added": .array(rows.filter(\.ok).map(\.json)),
                                                          "failed": .array(rows.filter { !$0.ok }.map(\.json))]])
        case .promote:
            let promoted = rules.filter { $0.outcome == .ok || $0.outcome == .alreadySo }
            guard !promoted.isEmpty else {
                throw .status(404, "Not Found", "Participant not found: none of them is a member of this group")
            }
            return .json(200, ["success": true, "promoted": .array(promoted.map { ["id": id($0), "isAdmin": true] }),
                               "message": "Participants were successfully promoted to admin."])
        case .demote:
            let reason: (RuleOutcome) -> String = {
                switch $0 {
                case .ok: "SUCCESS"
                case .alreadySo: "NOT_ADMIN"
                // gateways.md §3 documents NOT_ADMIN and NOT_FOUND only and is silent on the
                // creator; the emulator names it apart (the client reads it as a refusal).
                case .isCreator: "GROUP_OWNER"
                default: "NOT_FOUND"
                }
            }
            let rows = rules.map { (ok: $0.outcome == .ok, json: JSON(dictionaryLiteral: ("id", id($0)), ("reason", .string(reason($0.outcome))))) }
            return .json(200, ["success": true, "data": ["demoted": .array(rows.filter(\.ok).map(\.json)),
                                                          "failed": .array(rows.filter { !$0.ok }.map(\.json))]])
        }
    }
}
