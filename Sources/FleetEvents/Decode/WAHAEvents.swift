import Foundation
import GatewayKit

/// WAHA's events, the same over its WebSocket (`/ws`) and its webhooks, and Wawp's (Wawp
/// forwards WAHA's events to the webhooks an instance configures).
///
/// The envelope, from https://waha.devlike.pro/docs/how-to/events/ ("Event Payload"):
/// `{"id":"evt_…","timestamp":<ms>,"event":"…","session":"default","me":{"id":"…@c.us"},
/// "payload":{…},"engine":"NOWEB"}`. The group events, from the pages it includes
/// (waha-docs `content/docs/how-to/groups/events-group.v2.*.md`):
/// - `group.v2.participants`: `{"type":"join|leave|promote|demote","timestamp":<s>,
///   "group":{"id":"…@g.us"},"participants":[{"id":"…","role":"participant"}],"_data":{…}}`;
///   the participant may carry `pn` beside an `@lid` id, as WAHA's `participants/v2` rows do.
/// - `group.v2.join`: **we** joined or were added: `{"group":{"id","subject",…,"participants"},"timestamp"}`.
/// - `group.v2.leave`: **we** left or were removed: `{"group":{"id"},"timestamp"}`.
/// - `group.v2.update`: `{"group":{"id","subject"?…},"timestamp"}` (only the changed fields).
/// - `group.v2.participants.join-request`: `{"group":{"id"},"action":"created|rejected|revoked",
///   "requesterId","requesterPn","requestMethod","timestamp"}`; only `created` is followed (an
///   approval comes as a `join`).
///
/// Wawp's pages (https://api.wawp.net/en/docs/group.v2.participants, …/group.v2.join) show the
/// same envelope with another payload: `{"chatId":"…@g.us","action":"promote",
/// "participants":{"0":"…@c.us"}}` (an array, as the page's generator prints one), and describe
/// `group.v2.join` and `group.v2.leave` as any member joining or leaving; a payload with
/// `chatId` is read that way. Wawp's remove page (seed 001) names the event
/// `group.participants.update`: read as `group.v2.participants`.
///
/// Neither documents who added someone or how; the NOWEB engine's `_data` is Baileys' event
/// (`{"id","author","participants","action"}`) and the GOWS engine's is whatsmeow's
/// `GroupInfo` (`Sender`, `JoinReason`): where present they tell `by` and `via` (our reading,
/// see `joinVia`).
enum WAHAEvents {
    static func decode(_ object: [String: Any], dialect: Dialect, defaultSession: String?) -> [FleetEvent] {
        let envelope = Fields(object)
        guard let name = Read.eventName(envelope.raw["event"]),
              let session = Read.session(envelope.raw["session"]) ?? defaultSession,
              let payload = envelope.object("payload")
        else { return [] }
        let me = envelope.object("me").flatMap { m in
            Read.participant(id: Read.person(m.raw["id"]), other: Read.person(m.raw["lid"]), name: nil)
        }
        let eventID = envelope.string("id")
        let at = Read.time(payload.raw["timestamp"]) ?? Read.time(envelope.raw["timestamp"])
        let group = Read.group(payload.object("group")?.raw["id"]) ?? Read.group(payload.raw["chatId"])
            ?? Read.group(payload.raw["id"])
        guard let group else { return [] }
        let wawpForm = payload.raw["chatId"] != nil

        func event(_ kind: FleetEvent.Kind, _ people: [Participant] = [], by: JID? = nil, via: JoinVia? = nil,
                   subject: String? = nil) -> FleetEvent {
            FleetEvent(kind: kind, session: session, group: group, participants: people, by: by, via: via,
                       subject: subject, at: at, eventID: eventID)
        }

        switch name {
        case "group.v2.participants", "group.participants.update":
            return participantsEvent(payload).map { kind, people in
                let (via, by) = engineData(payload, people: people, kind: kind)
                return event(kind, people, by: by, via: kind == .joined ? via : nil)
            }.map { [$0] } ?? []
        case "group.v2.join":
            if wawpForm {
                let people = Read.participants(payload.raw["participants"], role: .member)
                guard !people.isEmpty else { return [] }
                let (via, by) = engineData(payload, people: people, kind: .joined)
                return [event(.joined, people, by: by, via: via)]
            }
            let info = payload.object("group")
            let people = Read.participants(info?.raw["participants"], role: .member, wahaParticipant)
            return [event(.addedUs, people, subject: info?.string("subject"))]
        case "group.v2.leave":
            if wawpForm {
                let people = Read.participants(payload.raw["participants"], role: .member)
                guard !people.isEmpty else { return [] }
                let (_, by) = engineData(payload, people: people, kind: .left)
                return [event(.left, people, by: by)]
            }
            // We left or were removed; the envelope's `me` says who we are. Without it the
            // event names nobody, and the next read of the group list tells it.
            guard let me else { return [] }
            return [event(.left, [me])]
        case "group.v2.update":
            let info = payload.object("group")
            return [event(.groupChanged, subject: info?.string("subject") ?? info?.string("name"))]
        // (Names are compared with `-` read as `.`: `Read.eventName`.)
        case "group.v2.participants.join.request", "group.v2.join.request":
            guard (payload.string("action") ?? "created").lowercased() == "created",
                  let requester = Read.participant(id: Read.person(payload.raw["requesterId"]),
                                                   other: Read.person(payload.raw["requesterPn"]))
            else { return [] }
            let via: JoinVia? = payload.string("requestMethod") == "invite_link" ? .invite : nil
            return [event(.joinRequest, [requester], via: via)]
        default:
            return []
        }
    }

    /// `group.v2.participants`: the kind from `type` (WAHA) or `action` (Wawp's page), the
    /// people with the role they have now.
    private static func participantsEvent(_ payload: Fields) -> (FleetEvent.Kind, [Participant])? {
        let word = (payload.string("type") ?? payload.string("action"))?.lowercased()
        let (kind, role): (FleetEvent.Kind, Role)
        switch word {
        case "join", "add": (kind, role) = (.joined, .member)
        case "leave", "remove": (kind, role) = (.left, .member)
        case "promote": (kind, role) = (.promoted, .admin)
        case "demote": (kind, role) = (.demoted, .member)
        default: return nil
        }
        let people = Read.participants(payload.raw["participants"], role: role) { f, fallback in
            wahaParticipant(f, fallback)
        }
        guard !people.isEmpty else { return nil }
        return (kind, people)
    }

    /// A WAHA participant object: `id` (phone or `@lid`), `pn` beside an `@lid`, `role`.
    private static func wahaParticipant(_ f: Fields, _ fallback: Role) -> Participant? {
        // The role the person has now: a promote makes an admin (or says superadmin); a demote
        // or a leave a member (WAHA writes `left`); a join says it.
        let told = Read.role(f.raw["role"])
        let role = fallback == .admin ? max(told ?? .admin, .admin) : (told ?? fallback)
        return Read.participant(id: Read.person(f.raw["id"]), other: Read.person(f.raw["pn"]) ?? Read.person(f.raw["lid"]),
                                name: f.string("name", "pushName"), role: role)
    }

    /// Who did it and how, from the engine's own data where it is there.
    private static func engineData(_ payload: Fields, people: [Participant], kind: FleetEvent.Kind) -> (JoinVia, JID?) {
        guard let data = payload.object("_data") else { return (.unknown, nil) }
        // whatsmeow (GOWS): `JoinReason` is "invite" for a join by the link.
        if let reason = data.string("JoinReason", "joinReason")?.lowercased() {
            let sender = Read.person(data.raw["Sender"]) ?? Read.person(data.raw["SenderPN"])
            return reason == "invite" ? (.invite, nil) : (sender == nil ? .unknown : .added, sender)
        }
        let author = Read.person(data.raw["author"]) ?? Read.person(data.raw["Sender"]) ?? Read.person(payload.raw["author"])
        if kind == .joined { return joinVia(author: author, participants: people) }
        // A leave by the person themself names nobody else.
        if let author, !(people.count == 1 && people[0].matches(author)) { return (.unknown, author) }
        return (.unknown, nil)
    }
}
