import Foundation
import GatewayKit

/// The command line's `--json` shapes. Stable: fields are only ever added.
enum JSONOutput {
    struct SessionRow: Encodable {
        /// `account` is the account's phone JID; `e164` its number (`+5511…`).
        var id: String, label: String, account: String?, e164: String?, lid: String?, connected: Bool, status: String
        init(_ s: Session) {
            id = s.id; label = s.label; account = s.account?.string; e164 = s.account?.phoneNumber; lid = s.accountLID?.string
            connected = s.connected; status = s.status
        }
    }
    struct Sessions: Encodable { var sessions: [SessionRow] }

    struct GroupRow: Encodable {
        var jid: String, subject: String, size: Int?, owner: String?, role: String?
        init(_ g: Group) { jid = g.jid.string; subject = g.subject; size = g.size; owner = g.owner?.string; role = g.ourRole?.rawValue }
    }
    struct Groups: Encodable { var session: String; var groups: [GroupRow] }

    struct ParticipantRow: Encodable {
        /// `phone` is the phone JID (`…@s.whatsapp.net`), as it always was; `e164` the number itself (`+5511…`).
        var id: String, phone: String?, e164: String?, lid: String?, name: String?, role: String
        init(_ p: Participant) {
            id = p.id.string; phone = p.phone?.string; e164 = p.phone?.phoneNumber; lid = p.lid?.string; name = p.name; role = p.role.rawValue
        }
    }
    struct Members: Encodable { var session: String; var group: String; var participants: [ParticipantRow] }

    struct ResultRow: Encodable {
        /// The target as given, in canonical form.
        var target: String
        var name: String?
        /// done, already, refused, failed, not-attempted; with --dry-run: will-act, skip.
        var outcome: String
        var reason: String?
        var httpStatus: Int?
        var latencyMs: Int?
        /// True when the target is not finished and stays in the journal (`wamod resume`).
        var resumable: Bool? = nil

        /// The target's number (`+5511…`) when it is a phone JID; absent for an `@lid` or a group.
        var e164: String? { (try? JID(parsing: target)).flatMap(\.phoneNumber) }

        enum CodingKeys: String, CodingKey { case target, e164, name, outcome, reason, httpStatus, latencyMs, resumable }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(target, forKey: .target)
            try c.encodeIfPresent(e164, forKey: .e164)
            try c.encodeIfPresent(name, forKey: .name)
            try c.encode(outcome, forKey: .outcome)
            try c.encodeIfPresent(reason, forKey: .reason)
            try c.encodeIfPresent(httpStatus, forKey: .httpStatus)
            try c.encodeIfPresent(latencyMs, forKey: .latencyMs)
            try c.encodeIfPresent(resumable, forKey: .resumable)
        }
    }
    struct Operation: Encodable {
        var action: String, session: String, group: String, dryRun: Bool
        var blocked: String?
        var results: [ResultRow]
        /// The audit log's id of the operation (for `wamod undo` and `wamod audit`); nil when nothing was sent.
        var operation: String? = nil
    }

    static func print<T: Encodable>(_ value: T) {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? e.encode(value) { Stdio.json(String(decoding: data, as: UTF8.self)) }
    }
}
