import Foundation
import WamodModel

/// The world's events in each dialect's shape, as its vendor documents them (the client's
/// decoders, `Sources/FleetEvents/Decode/`, name the same pages). v1 and Wasend document no
/// events: they have none.
enum SimEventRendering {
    /// The dialects whose vendors document pushing events (and so the emulator pushes them).
    static let pushing: Set<Dialect> = [.waha, .wawp, .evolution, .wuts]

    /// The event's name and body in `dialect`'s shape; nil when the dialect has no such event.
    static func render(_ e: SimEvent, dialect: Dialect, serverURL: String = "", destination: String = "") -> (name: String, body: JSON)? {
        switch dialect {
        case .waha: waha(e)
        case .wawp: wawp(e)
        case .evolution: evolution(e, serverURL: serverURL, destination: destination)
        case .wuts: wuts(e)
        case .v1, .wasend: nil
        }
    }

    // MARK: WAHA (https://waha.devlike.pro/docs/how-to/events/)

    /// The envelope: `id`, `timestamp` (ms), `event`, `session`, `metadata`, `me`, `payload`,
    /// `engine`, `environment`; the emulator's WAHA is the NOWEB engine (WAHARoutes). `session`
    /// is the session's name, as WAHA's `/api/sessions` lists it (the world's label); Wawp,
    /// built on WAHA, names its instance by id instead.
    static func wahaEnvelope(_ e: SimEvent, name: String, payload: JSON, me: JSON, session: String? = nil) -> JSON {
        ["id": .string("evt_" + ulidLike(e.seq)), "timestamp": .int(milliseconds(e)), "event": .string(name),
         "session": .string(session ?? e.label), "metadata": [:], "me": me, "payload": payload,
         "engine": "NOWEB", "environment": ["tier": "CORE", "version": "2026.9.2", "engine": "NOWEB"]]
    }

    private static func waha(_ e: SimEvent) -> (name: String, body: JSON)? {
        let me: JSON = e.me.map { m in ["id": .optional(m.phone?.cUs), "pushName": .string(e.label)] } ?? .null
        let f = e.event
        let group: JSON = ["id": .string(f.group.string)]
        let seconds = JSON.int(Int(milliseconds(e) / 1000))
        switch f.kind {
        case .joined, .left, .promoted, .demoted:
            if f.kind == .left, isOurs(e) {
                // group.v2.leave: we left or were removed.
                return ("group.v2.leave", wahaEnvelope(e, name: "group.v2.leave", payload: ["group": group, "timestamp": seconds, "_data": [:]], me: me))
            }
            let type: String = switch f.kind {
            case .joined: "join"
            case .left: "leave"
            case .promoted: "promote"
            default: "demote"
            }
            let role = f.kind == .left ? "left" : f.kind == .promoted ? "admin" : "participant"
            let people: [JSON] = f.participants.map { p in
                // As WAHA's participants/v2 rows: the @lid as `id`, the phone as `pn`.
                ["id": .string(p.lid?.string ?? p.id.cUs), "pn": .optional(p.phone?.cUs), "role": .string(role)]
            }
            let payload: JSON = ["type": .string(type), "timestamp": seconds, "group": group, "participants": .array(people),
                                 "_data": baileys(e)]
            return ("group.v2.participants", wahaEnvelope(e, name: "group.v2.participants", payload: payload, me: me))
        case .groupChanged:
            var fields: [JSON.Field] = [.init("id", .string(f.group.string))]
            if let subject = f.subject { fields.append(.init("subject", .string(subject))) }
            let payload: JSON = ["group": .object(fields), "timestamp": seconds, "_data": [:]]
            return ("group.v2.update", wahaEnvelope(e, name: "group.v2.update", payload: payload, me: me))
        case .joinRequest:
            guard let p = f.participants.first else { return nil }
            let payload: JSON = ["group": group, "action": "created", "requesterId": .string(p.lid?.string ?? p.id.cUs),
                                 "requesterPn": .optional(p.phone?.cUs), "requestMethod": "invite_link",
                                 "timestamp": seconds, "_data": [:]]
            return ("group.v2.participants.join-request",
                    wahaEnvelope(e, name: "group.v2.participants.join-request", payload: payload, me: me))
        case .addedUs:
            return nil
        }
    }

    /// The NOWEB engine's `_data`: Baileys' `group-participants.update` (`author` is who did
    /// it; the joiner themself for a join by the link).
    private static func baileys(_ e: SimEvent) -> JSON {
        let f = e.event
        let action: String = switch f.kind {
        case .joined: "add"
        case .left: "remove"
        case .promoted: "promote"
        default: "demote"
        }
        let author: String? = f.via == .invite ? f.participants.first?.id.string : f.by?.string
        return ["id": .string(f.group.string), "author": .optional(author),
                "participants": .array(f.participants.map { .string($0.id.string) }), "action": .string(action)]
    }

    // MARK: Wawp (https://api.wawp.net/en/docs/category/webhooks)

    /// WAHA's envelope (`me` with `lid`, as Wawp's example shows) around the payloads Wawp's
    /// pages show: `group.v2.join` and `group.v2.leave` for any member, `group.v2.participants`
    /// for promotions and demotions, each `{"chatId","participants":[…]}` (plus `action`).
    private static func wawp(_ e: SimEvent) -> (name: String, body: JSON)? {
        let me: JSON = e.me.map { m in
            ["id": .optional(m.phone?.cUs), "lid": .string(m.lid.string), "pushName": .string(e.label)]
        } ?? .null
        let f = e.event
        let seconds = JSON.int(Int(milliseconds(e) / 1000))
        let people = JSON.array(f.participants.map { .string($0.phone?.cUs ?? $0.id.string) })
        let chat = JSON.string(f.group.string)
        switch f.kind {
        case .joined:
            return ("group.v2.join", wahaEnvelope(e, name: "group.v2.join", payload: ["chatId": chat, "participants": people, "timestamp": seconds, "_data": baileys(e)], me: me, session: f.session))
        case .left:
            return ("group.v2.leave", wahaEnvelope(e, name: "group.v2.leave", payload: ["chatId": chat, "participants": people, "timestamp": seconds, "_data": baileys(e)], me: me, session: f.session))
        case .promoted, .demoted:
            let payload: JSON = ["chatId": chat, "action": .string(f.kind == .promoted ? "promote" : "demote"), "participants": people,
                                 "timestamp": seconds]
            return ("group.v2.participants", wahaEnvelope(e, name: "group.v2.participants", payload: payload, me: me, session: f.session))
        case .groupChanged:
            var fields: [JSON.Field] = [.init("id", chat)]
            if let subject = f.subject { fields.append(.init("subject", .string(subject))) }
            return ("group.v2.update", wahaEnvelope(e, name: "group.v2.update", payload: ["group": .object(fields), "timestamp": seconds], me: me, session: f.session))
        case .joinRequest, .addedUs:
            // Wawp's webhook pages list no join-request event.
            return nil
        }
    }

    // MARK: Evolution (evolution-api 2.3.6 webhook.controller.ts, whatsapp.baileys.service.ts)

    private static func evolution(_ e: SimEvent, serverURL: String, destination: String) -> (name: String, body: JSON)? {
        let f = e.event
        func envelope(_ name: String, _ data: JSON) -> JSON {
            ["event": .string(name), "instance": .string(f.session), "data": data, "destination": .string(destination),
             "date_time": .string(isoUTC(e)), "sender": .optional(e.me?.phone?.string), "server_url": .string(serverURL),
             "apikey": .null]
        }
        switch f.kind {
        case .joined, .left, .promoted, .demoted:
            let data = baileys(e)
            guard case .object(var fields) = data else { return nil }
            fields.append(.init("participantsData", .array(f.participants.map { p in
                ["jid": .string(p.id.string), "phoneNumber": .optional(p.phone?.string), "name": .optional(p.name), "imgUrl": .null]
            })))
            return ("group-participants.update", envelope("group-participants.update", .object(fields)))
        case .groupChanged:
            var fields: [JSON.Field] = [.init("id", .string(f.group.string))]
            if let subject = f.subject { fields.append(.init("subject", .string(subject))) }
            return ("groups.update", envelope("groups.update", .array([.object(fields)])))
        case .joinRequest, .addedUs:
            // Evolution forwards no join-request event (its groupHandler has none).
            return nil
        }
    }

    // MARK: WUTS (https://docs.wuts.com.br/webhooks/getAvailableWebhookEvents/; body: our choice)

    private static func wuts(_ e: SimEvent) -> (name: String, body: JSON)? {
        let f = e.event
        var data: [JSON.Field] = [.init("jid", .string(f.group.string))]
        let sender: String? = f.via == .invite ? f.participants.first?.id.string : f.by?.string
        data.append(.init("sender", .optional(sender)))
        let ids = JSON.array(f.participants.map { .string($0.id.string) })
        switch f.kind {
        case .joined:
            data.append(.init("join", ids))
            data.append(.init("join_reason", .string(f.via == .invite ? "invite" : "")))
        case .left: data.append(.init("leave", ids))
        case .promoted: data.append(.init("promote", ids))
        case .demoted: data.append(.init("demote", ids))
        case .groupChanged:
            if let subject = f.subject { data.append(.init("name", .string(subject))) }
            else { data.append(.init("locked", .null)) }
        case .joinRequest, .addedUs:
            return nil
        }
        data.append(.init("timestamp", .string(isoUTC(e))))
        let body: JSON = ["event": "group.info", "id": .string("evt_\(e.seq)"), "device_id": .string(f.session),
                          "timestamp": .string(isoUTC(e)), "data": .object(data)]
        return ("group.info", body)
    }

    // MARK: Helpers

    private static func isOurs(_ e: SimEvent) -> Bool {
        guard let me = e.me, e.event.participants.count == 1 else { return false }
        return e.event.participants[0].matches(me.lid) || (me.phone.map { e.event.participants[0].matches($0) } ?? false)
    }

    static func milliseconds(_ e: SimEvent) -> Int {
        Int(((e.event.at ?? Date()).timeIntervalSince1970 * 1000).rounded())
    }

    static func isoUTC(_ e: SimEvent) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: e.event.at ?? Date())
    }

    /// A lower-case, ULID-sized id (WAHA's event ids are ULIDs), from the event's number.
    static func ulidLike(_ seq: Int) -> String {
        var dice = SplitMix64(seed: UInt64(seq) &* 0x9E37_79B9_7F4A_7C15)
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        return String((0..<26).map { _ in alphabet[Int(dice.next() % 32)] })
    }
}
