import Foundation
import GatewayKit

/// WUTS's webhooks. What its pages document: a webhook is configured with `POST /webhook`
/// (`webhook_url`, `enabled_events`, `secret`, custom `headers`: https://docs.wuts.com.br/webhooks/,
/// …/webhooks/configureWebhook/), and the group events it can send are `group.info` and
/// `group.joined` (https://docs.wuts.com.br/webhooks/getAvailableWebhookEvents/).
///
/// The pages show no delivered body, so the shape read here is our choice, named after what
/// WUTS's own answers use (snake_case, whatsmeow's fields, which its group listing follows:
/// `jid`, `name`, `phone_number`, `is_admin`):
/// `{"event":"group.info","device_id":"…","timestamp":"<RFC 3339>","data":{"jid":"…@g.us",
/// "sender":"…","join":["…"],"leave":["…"],"promote":["…"],"demote":["…"],
/// "join_reason":"invite","name":"…"}}` (whatsmeow's `GroupInfo`: one notice may carry several
/// changes, each becomes an event), and `{"event":"group.joined","data":{"jid","name",
/// "participants":[{"jid","phone_number","is_admin","is_super_admin"}]}}` (we were added).
/// `group.participants.update` (`{"data":{"jid","action","participants"}}`) is read too. The
/// session is `device_id`, else the one the receiver was given (the token's device).
enum WUTSEvents {
    static func decode(_ object: [String: Any], defaultSession: String?) -> [FleetEvent] {
        let envelope = Fields(object)
        guard let name = Read.eventName(envelope.raw["event"] ?? envelope.raw["type"]),
              let data = envelope.object("data"),
              let session = Read.session(envelope.raw["device_id"]) ?? Read.session(data.raw["device_id"]) ?? defaultSession,
              let group = Read.group(data.raw["jid"]) ?? Read.group(data.raw["group_jid"]) ?? Read.group(data.raw["chat_jid"])
        else { return [] }
        let at = Read.time(data.raw["timestamp"]) ?? Read.time(envelope.raw["timestamp"])
        let eventID = envelope.string("id", "event_id")
        let sender = Read.person(data.raw["sender"]) ?? Read.person(data.raw["sender_pn"])

        func event(_ kind: FleetEvent.Kind, _ people: [Participant] = [], by: JID? = nil, via: JoinVia? = nil,
                   subject: String? = nil, part: Int = 0) -> FleetEvent {
            // One notice gives several events: each keeps its own id.
            let id = eventID.map { part == 0 ? $0 : "\($0)#\(part)" }
            return FleetEvent(kind: kind, session: session, group: group, participants: people, by: by, via: via,
                              subject: subject, at: at, eventID: id)
        }
        func people(_ key: String, _ role: Role) -> [Participant] {
            Read.participants(data.raw[key], role: role, idKeys: ["jid", "id"]) { f, role in wutsParticipant(f, role) }
        }
        /// The sender names who did it, unless it is the person themself.
        func by(_ people: [Participant]) -> JID? {
            guard let sender, !(people.count == 1 && people[0].matches(sender)) else { return nil }
            return sender
        }

        switch name {
        case "group.info":
            var out: [FleetEvent] = []
            let joined = people("join", .member)
            if !joined.isEmpty {
                let reason = data.string("join_reason")?.lowercased()
                let (via, who): (JoinVia, JID?) = reason == "invite" ? (.invite, nil) : joinVia(author: sender, participants: joined)
                out.append(event(.joined, joined, by: who, via: via, part: out.count))
            }
            let left = people("leave", .member)
            if !left.isEmpty { out.append(event(.left, left, by: by(left), part: out.count)) }
            let promoted = people("promote", .admin)
            if !promoted.isEmpty { out.append(event(.promoted, promoted, by: by(promoted), part: out.count)) }
            let demoted = people("demote", .member)
            if !demoted.isEmpty { out.append(event(.demoted, demoted, by: by(demoted), part: out.count)) }
            let subject = data.string("name") ?? data.object("name")?.string("name")
            let changedSettings = ["announce", "locked", "topic", "ephemeral", "membership_approval_mode"].contains { data.raw[$0] != nil }
            if subject != nil || changedSettings { out.append(event(.groupChanged, subject: subject, part: out.count)) }
            return out
        case "group.joined":
            return [event(.addedUs, people("participants", .member), subject: data.string("name"))]
        case "group.participants.update":
            let (kind, role): (FleetEvent.Kind, Role)
            switch data.string("action")?.lowercased() {
            case "add", "join": (kind, role) = (.joined, .member)
            case "remove", "leave": (kind, role) = (.left, .member)
            case "promote": (kind, role) = (.promoted, .admin)
            case "demote": (kind, role) = (.demoted, .member)
            default: return []
            }
            let list = people("participants", role)
            guard !list.isEmpty else { return [] }
            if kind == .joined {
                let (via, who) = joinVia(author: sender, participants: list)
                return [event(.joined, list, by: who, via: via)]
            }
            return [event(kind, list, by: by(list))]
        default:
            return []
        }
    }

    /// A WUTS participant object (`GET /groups/{jid}`'s rows): `jid`, `phone_number`,
    /// `is_admin`, `is_super_admin`.
    private static func wutsParticipant(_ f: Fields, _ fallback: Role) -> Participant? {
        var role = fallback
        if f.bool("is_super_admin") == true { role = .superadmin } else if f.bool("is_admin") == true { role = max(role, .admin) }
        return Read.participant(id: Read.person(f.raw["jid"]) ?? Read.person(f.raw["id"]),
                                other: Read.person(f.raw["phone_number"]) ?? Read.person(f.raw["lid"]),
                                name: f.string("name", "push_name"), role: role)
    }
}
