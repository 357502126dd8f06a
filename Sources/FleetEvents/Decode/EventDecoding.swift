import Foundation
import GatewayKit

/// Why a body a gateway sent (a webhook, a WebSocket message) could not be read as events.
public enum EventDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Longer than `EventDecoding.maxBody`: refused before parsing.
    case tooLarge(bytes: Int, limit: Int)
    /// Not JSON (or cut short): the parser's reason.
    case notJSON(String)
    /// JSON, but not an object (every dialect's event is one).
    case notAnObject

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "the event body has \(bytes) bytes, more than the \(limit) accepted"
        case .notJSON(let why): "the event body is not JSON (\(why))"
        case .notAnObject: "the event body is JSON but not an object"
        }
    }
}

/// Each dialect's events read into `FleetEvent`s. A body is bounded (`maxBody`) and parsed as
/// JSON; an event of a kind the console does not follow (a message, a status) gives no
/// `FleetEvent` (not an error); a field missing or of the wrong type is left out. Subjects and
/// names pass through as data: the model clamps their length and masks secrets, and the
/// console sanitises them where it draws them.
public enum EventDecoding {
    /// The largest body read (a group event is a few kilobytes; WAHA's `group.v2.join` lists a
    /// whole group, 1024 members of at most a few hundred bytes each).
    public static let maxBody = 1 << 20
    /// Participants kept from one event (WhatsApp's group size limit).
    public static let maxParticipants = 1024
    /// Events kept from one body (Evolution's `groups.upsert` carries a list).
    public static let maxEvents = 256

    /// The events in `body`, sent by a gateway of `dialect`. `headers` (any case) are the
    /// webhook's; `defaultSession` names the session when the payload does not (WUTS: the
    /// token's device). Dialects that push no events (v1, Wasend) give none.
    public static func decode(_ dialect: Dialect, body: Data, headers: [String: String] = [:],
                              defaultSession: String? = nil) throws(EventDecodeError) -> [FleetEvent] {
        let object = try parseObject(body)
        let events: [FleetEvent]
        switch dialect {
        case .waha: events = WAHAEvents.decode(object, dialect: .waha, defaultSession: defaultSession)
        case .wawp: events = WAHAEvents.decode(object, dialect: .wawp, defaultSession: defaultSession)
        case .evolution: events = EvolutionEvents.decode(object, defaultSession: defaultSession)
        case .wuts: events = WUTSEvents.decode(object, defaultSession: defaultSession)
        case .v1, .wasend: events = []
        }
        return Array(events.prefix(maxEvents))
    }

    /// The body as a JSON object, bounded.
    static func parseObject(_ body: Data) throws(EventDecodeError) -> [String: Any] {
        guard body.count <= maxBody else { throw .tooLarge(bytes: body.count, limit: maxBody) }
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) } catch {
            throw .notJSON(Self.reason(error))
        }
        guard let object = value as? [String: Any] else { throw .notAnObject }
        return object
    }

    /// A short reason from the parser (never the body itself).
    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "malformed or truncated"
        return Limits.clamp(text, 120)
    }
}

// MARK: Reading loosely typed JSON

/// A JSON object's fields read leniently: a field of the wrong type is nil.
struct Fields {
    let raw: [String: Any]
    init(_ raw: [String: Any]) { self.raw = raw }
    init?(_ value: Any?) {
        guard let raw = value as? [String: Any] else { return nil }
        self.raw = raw
    }

    func string(_ key: String) -> String? {
        guard let s = raw[key] as? String, !s.isEmpty else { return nil }
        return s
    }
    func object(_ key: String) -> Fields? { Fields(raw[key]) }
    func array(_ key: String) -> [Any]? { raw[key] as? [Any] }
    func bool(_ key: String) -> Bool? { raw[key] as? Bool }
    func number(_ key: String) -> Double? {
        if raw[key] is Bool { return nil }
        if let n = raw[key] as? NSNumber { return n.doubleValue.isFinite ? n.doubleValue : nil }
        return nil
    }
    /// The first of `keys` that is a non-empty string.
    func string(_ keys: String...) -> String? { keys.lazy.compactMap { self.string($0) }.first }
}

enum Read {
    /// A user id (phone JID, `@c.us`, `@lid`, bare digits); nil for anything else, a group
    /// included.
    static func person(_ raw: Any?) -> JID? {
        guard let s = raw as? String, s.utf8.count <= 128, let jid = JID.lenient(s), jid.kind != .group else { return nil }
        return jid
    }

    static func group(_ raw: Any?) -> JID? {
        guard let s = raw as? String, s.utf8.count <= 128, let jid = JID.lenient(s), jid.kind == .group else { return nil }
        return jid
    }

    /// A participant from an id and, where the payload gives it, the other id (WAHA's `pn`
    /// beside an `@lid` id, or a `lid` beside a phone id): phone and `@lid` both kept.
    static func participant(id: JID?, other: JID? = nil, name: String? = nil, role: Role = .member) -> Participant? {
        let ids = [id, other].compactMap { $0 }
        let phone = ids.first { $0.kind == .user }
        let lid = ids.first { $0.kind == .lid }
        guard phone != nil || lid != nil else { return nil }
        return Participant(phone: phone, lid: lid, name: name, role: role)
    }

    /// A list of participants: strings (ids), or objects with an id field among `idKeys`; also
    /// an object keyed by index (`{"0": "…"}`, as Wawp's pages print an array). At most
    /// `EventDecoding.maxParticipants`; unreadable entries are left out.
    static func participants(_ raw: Any?, role: Role, idKeys: [String] = ["id", "jid"],
                             _ objectReader: ((Fields, Role) -> Participant?)? = nil) -> [Participant] {
        var items: [Any] = []
        if let list = raw as? [Any] { items = list }
        else if let keyed = raw as? [String: Any] {
            items = keyed.keys.sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }.compactMap { keyed[$0] }
        }
        var out: [Participant] = []
        for item in items.prefix(EventDecoding.maxParticipants) {
            if let p = participant(id: person(item), role: role) { out.append(p); continue }
            guard let f = Fields(item) else { continue }
            if let objectReader, let p = objectReader(f, role) { out.append(p); continue }
            let id = idKeys.lazy.compactMap { person(f.raw[$0]) }.first
            let other = person(f.raw["pn"]) ?? person(f.raw["lid"]) ?? person(f.raw["phoneNumber"]) ?? person(f.raw["phone_number"])
            if let p = participant(id: id, other: other, name: f.string("name", "pushName", "push_name"), role: role) { out.append(p) }
        }
        return out
    }

    /// A time: Unix seconds or milliseconds (told apart by size), or an ISO 8601 text.
    static func time(_ raw: Any?) -> Date? {
        if let n = raw as? NSNumber, !(raw is Bool) {
            let v = n.doubleValue
            guard v.isFinite, v > 0 else { return nil }
            let seconds = v > 100_000_000_000 ? v / 1000 : v
            guard seconds < 32_503_680_000 else { return nil }  // before the year 3000
            return Date(timeIntervalSince1970: seconds)
        }
        if let s = raw as? String, s.utf8.count <= 64 {
            if let n = Double(s) { return time(NSNumber(value: n)) }
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = iso.date(from: s) { return d }
            iso.formatOptions = [.withInternetDateTime]
            return iso.date(from: s)
        }
        return nil
    }

    /// A role word any dialect uses.
    static func role(_ raw: Any?) -> Role? {
        switch (raw as? String)?.lowercased() {
        case "superadmin", "owner", "creator": .superadmin
        case "admin": .admin
        case "participant", "member", "left": .member
        default: nil
        }
    }

    /// An event name compared loosely: lower case, `_` and `-` as `.`
    /// (`GROUP_PARTICIPANTS_UPDATE` and `group-participants.update` are one name).
    static func eventName(_ raw: Any?) -> String? {
        guard let s = raw as? String, s.utf8.count <= 128 else { return nil }
        return s.lowercased().replacingOccurrences(of: "_", with: ".").replacingOccurrences(of: "-", with: ".")
    }

    static func session(_ raw: Any?) -> String? {
        guard let s = raw as? String, !s.isEmpty, s.utf8.count <= Limits.id else { return nil }
        return s
    }
}

/// How someone came in when the payload names who did it (Baileys' `author`, whatsmeow's
/// `Sender`), by our reading, since no vendor documents it: the author is the joiner themself
/// when they came by the invite link (WhatsApp records a link join as done by the joiner); an
/// admin when they were added. Nothing named: unknown.
func joinVia(author: JID?, participants: [Participant]) -> (via: JoinVia, by: JID?) {
    guard let author else { return (.unknown, nil) }
    if participants.count == 1, participants[0].matches(author) { return (.invite, nil) }
    return (.added, author)
}
