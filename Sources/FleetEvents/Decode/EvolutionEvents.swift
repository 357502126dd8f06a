import Foundation
import GatewayKit

/// Evolution API's webhooks (v2). The envelope is what its webhook controller posts
/// (EvolutionAPI/evolution-api 2.3.6, `src/api/integrations/event/webhook/webhook.controller.ts`):
/// `{"event":"group-participants.update","instance":"…","data":{…},"destination":"…",
/// "date_time":"…","sender":"…@s.whatsapp.net","server_url":"…","apikey":"…"}`; the event names
/// are `src/api/types/wa.types.ts`'s (`GROUP_PARTICIPANTS_UPDATE` = `group-participants.update`,
/// `GROUPS_UPSERT` = `groups.upsert`, `GROUPS_UPDATE` = `groups.update`), and
/// https://doc.evolution-api.com/v1/pt/configuration/webhooks lists them. `data` is Baileys'
/// event as `whatsapp.baileys.service.ts` forwards it:
/// - `group-participants.update`: `{"id":"…@g.us","author":"…","participants":["…"],
///   "action":"add|remove|promote|demote"}`, plus `participantsData`
///   (`[{"jid","phoneNumber","name","imgUrl"}]`) where Evolution resolved the `@lid`s.
/// - `groups.upsert`: a list of Baileys' `GroupMetadata` (a group we were added to or made).
/// - `groups.update`: a list of partial `GroupMetadata` (`id` and what changed: `subject`, …).
///
/// The body's `apikey` is the instance's token when the server exposes it: it is never read.
/// `date_time` is written from local time with a `Z` (the controller shifts by the time-zone
/// offset), so it is right only on a server running in UTC, as Evolution's Docker image does;
/// it is the only time the payload gives. Baileys does not say how someone joined: `author`
/// tells it by our reading (`joinVia`).
enum EvolutionEvents {
    static func decode(_ object: [String: Any], defaultSession: String?) -> [FleetEvent] {
        let envelope = Fields(object)
        guard let name = Read.eventName(envelope.raw["event"]),
              let session = Read.session(envelope.raw["instance"]) ?? defaultSession
        else { return [] }
        let at = Read.time(envelope.raw["date_time"])
        switch name {
        case "group.participants.update":
            guard let data = envelope.object("data"), let group = Read.group(data.raw["id"]) else { return [] }
            return participants(data, session: session, group: group, at: at).map { [$0] } ?? []
        case "groups.upsert":
            return groups(envelope.raw["data"]).compactMap { g in
                guard let group = Read.group(g.raw["id"]) else { return nil }
                let people = Read.participants(g.raw["participants"], role: .member) { f, _ in baileysParticipant(f) }
                return FleetEvent(kind: .addedUs, session: session, group: group, participants: people,
                                  subject: g.string("subject"), at: at)
            }
        case "groups.update", "group.update":
            return groups(envelope.raw["data"]).compactMap { g in
                guard let group = Read.group(g.raw["id"]) else { return nil }
                return FleetEvent(kind: .groupChanged, session: session, group: group, subject: g.string("subject"), at: at)
            }
        default:
            return []
        }
    }

    /// `data` as a list of groups (Baileys sends a list; one object is read as a list of one).
    private static func groups(_ raw: Any?) -> [Fields] {
        if let list = raw as? [Any] { return list.prefix(EventDecoding.maxEvents).compactMap { Fields($0) } }
        return Fields(raw).map { [$0] } ?? []
    }

    private static func participants(_ data: Fields, session: String, group: JID, at: Date?) -> FleetEvent? {
        let (kind, role): (FleetEvent.Kind, Role)
        switch data.string("action")?.lowercased() {
        case "add": (kind, role) = (.joined, .member)
        case "remove": (kind, role) = (.left, .member)
        case "promote": (kind, role) = (.promoted, .admin)
        case "demote": (kind, role) = (.demoted, .member)
        default: return nil
        }
        // `participantsData` gives each id's phone where Evolution knew it.
        var phones: [JID: JID] = [:]
        for item in (data.array("participantsData") ?? []).prefix(EventDecoding.maxParticipants) {
            guard let f = Fields(item), let id = Read.person(f.raw["jid"]), let phone = Read.person(f.raw["phoneNumber"]),
                  phone.kind == .user else { continue }
            phones[id] = phone
        }
        let people: [Participant] = Read.participants(data.raw["participants"], role: role) { f, role in
            baileysParticipant(f).map { Participant(phone: $0.phone, lid: $0.lid, name: $0.name, role: role) }
        }.map { p in
            guard p.phone == nil, let lid = p.lid, let phone = phones[lid] else { return p }
            return Participant(phone: phone, lid: lid, name: p.name, role: p.role)
        }
        guard !people.isEmpty else { return nil }
        let author = Read.person(data.raw["author"])
        switch kind {
        case .joined:
            let (via, by) = joinVia(author: author, participants: people)
            return FleetEvent(kind: kind, session: session, group: group, participants: people, by: by, via: via, at: at)
        default:
            let by = author.flatMap { a in people.count == 1 && people[0].matches(a) ? nil : a }
            return FleetEvent(kind: kind, session: session, group: group, participants: people, by: by, at: at)
        }
    }

    /// A Baileys participant object: `id`, `phoneNumber` or `lid` beside it, `admin` null,
    /// `"admin"` or `"superadmin"`.
    private static func baileysParticipant(_ f: Fields) -> Participant? {
        let role = Read.role(f.raw["admin"]) ?? .member
        return Read.participant(id: Read.person(f.raw["id"]) ?? Read.person(f.raw["jid"]),
                                other: Read.person(f.raw["phoneNumber"]) ?? Read.person(f.raw["lid"]),
                                name: f.string("name", "notify"), role: role)
    }
}
