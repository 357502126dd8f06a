import Foundation
import WamodModel

/// Why an Evolution request failed, rendered as Evolution answers it.
enum EvolutionFailure: Error {
    /// 400 with the validator's messages.
    case validation([String])
    case instanceNotFound(String)
    /// A world refusal inside an operation: Evolution's `context`, then the engine's words.
    case refusal(WorldRefusal, context: String)
    /// The same, where Evolution throws a `NotFoundException` (404): reading and revoking the
    /// invite code (`whatsapp.baileys.service.ts` in EvolutionAPI/evolution-api 2.3.6).
    case notFound(WorldRefusal, context: String)
    /// A send's refusal: the engine's words alone, 400.
    case cause(WorldRefusal)

    static func wrap<T>(_ context: String, _ body: () throws(WorldRefusal) -> T) throws(EvolutionFailure) -> T {
        do throws(WorldRefusal) { return try body() } catch { throw .refusal(error, context: context) }
    }

    var response: SimResponse {
        switch self {
        case .validation(let messages): EvolutionRender.error(400, "Bad Request", messages)
        case .instanceNotFound(let name): EvolutionRender.error(404, "Not Found", ["The \"\(name)\" instance does not exist"])
        case .refusal(let refusal, let context): Self.render(refusal, status: 400, messages: [context, Self.words(refusal)])
        case .notFound(let refusal, let context): Self.render(refusal, status: 404, messages: [context, Self.words(refusal)])
        case .cause(let refusal): Self.render(refusal, status: 400, messages: [Self.words(refusal)])
        }
    }

    static func render(_ refusal: WorldRefusal, status: Int, messages: [String]) -> SimResponse {
        switch refusal {
        case .rateLimited(let seconds): EvolutionRender.tooManyRequests(retryAfter: seconds)
        case .sessionNotFound: EvolutionRender.error(404, "Not Found", ["The instance does not exist"])
        default: EvolutionRender.error(status, status == 404 ? "Not Found" : "Bad Request", messages)
        }
    }

    /// What Baileys throws for each refusal.
    static func words(_ refusal: WorldRefusal) -> String {
        switch refusal {
        case .notConnected: "Error: Connection Closed"
        case .notAdmin, .ownerCannotLeave: "Error: forbidden"
        case .groupNotFound, .notMember, .sessionNotFound: "Error: item-not-found"
        case .rateLimited: "Error: rate-overlimit"
        }
    }
}

/// Evolution's body shapes (gateways.md §7): instances, Baileys' group metadata, participants
/// with `admin`, and the error body.
enum EvolutionRender {
    static func error(_ status: Int, _ title: String, _ messages: [String], headers: [(String, String)] = []) -> SimResponse {
        .json(status, ["status": .int(status), "error": .string(title), "response": ["message": .array(messages.map(JSON.string))]],
              headers: headers)
    }

    static func tooManyRequests(retryAfter: Int) -> SimResponse {
        error(429, "Too Many Requests", ["Too many requests: retry in \(retryAfter) s"], headers: [("Retry-After", String(retryAfter))])
    }

    /// An unknown route: the method and path only.
    static func routeMiss(_ request: SimRequest) -> SimResponse {
        let path = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        return error(404, "Not Found", ["Cannot \(request.method) \(path)"])
    }

    static func userJID(_ phone: String) -> String { "\(phone)@s.whatsapp.net" }

    /// An instance: `open` when connected, `connecting` while waiting for a QR scan, else `close`.
    static func instance(_ s: SessionState) -> JSON {
        let state = s.connected ? "open" : (s.offlineStatus == "SCAN_QR_CODE" ? "connecting" : "close")
        return [
            "id": .string(s.recordId),
            "name": .string(s.id),
            "connectionStatus": .string(state),
            "ownerJid": .optional(s.account.phone.map(userJID)),
            "profileName": .string(s.account.name),
            "integration": "WHATSAPP-BAILEYS",
            "number": .optional(s.account.phone),
        ]
    }

    /// Baileys' group metadata; `participants` only when asked for.
    static func group(_ g: GroupState, participants: Bool) -> JSON {
        let created = Int(g.createdAt / 1000)
        var fields: [JSON.Field] = [
            .init("id", .string(g.jid.string)),
            .init("subject", .string(g.subject)),
            .init("subjectOwner", .string(g.creator.jid.string)),
            .init("subjectTime", .int(created)),
            .init("pictureUrl", nil),
            .init("size", .int(g.size)),
            .init("creation", .int(created)),
            .init("owner", .string(g.creator.jid.string)),
            .init("desc", .string(g.description)),
            .init("restrict", .bool(g.isLocked)),
            .init("announce", .bool(g.isAnnounce)),
        ]
        // Baileys' `GroupMetadata` (WhiskeySockets/Baileys, `src/Types/GroupMetadata.ts`), which
        // Evolution's fetchAllGroups passes on: approval and who may add.
        fields += [.init("joinApprovalMode", .bool(g.approval)), .init("memberAddMode", .bool(!g.adminsAdd))]
        if g.isCommunity { fields.append(.init("isCommunity", true)) }
        if participants { fields.append(.init("participants", .array((g.members ?? []).map(participant)))) }
        return .object(fields)
    }

    /// A sent text as Baileys' message record, as Evolution's `sendText` answers it (201).
    static func message(_ m: SimMessage, instance s: SessionState?) -> JSON {
        [
            "key": ["remoteJid": .string(m.chat.string), "fromMe": true, "id": .string(m.id)],
            "pushName": .string(s?.account.name ?? ""),
            "status": "PENDING",
            "message": ["conversation": .string(m.text)],
            "messageType": "conversation",
            "messageTimestamp": .int(Int(m.at)),
            "instanceId": .string(s?.recordId ?? ""),
            "source": "web",
        ]
    }

    /// `{"id","admin"}`: `id` the phone JID, or the `@lid` when the number is hidden; `admin`
    /// null, `"admin"` or `"superadmin"`.
    static func participant(_ m: Member) -> JSON {
        ["id": .string(m.person.phone.map(userJID) ?? "\(m.person.lid)@lid"),
         "admin": m.role == .member ? nil : .string(m.role.rawValue)]
    }
}
