import Foundation

/// A participant's role in a group. The superadmin is the group's creator (owner).
public enum Role: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case member, admin, superadmin

    public var isAdmin: Bool { self != .member }
    private var rank: Int { self == .member ? 0 : self == .admin ? 1 : 2 }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// How long the texts a gateway sends may be, once decoded. WhatsApp allows a subject of 100
/// characters and a name of 25; these limits are generous but finite, so that a hostile
/// answer (a 50 MB label) cannot take the console's screen, or an operator's terminal, with it.
public enum Limits {
    public static let subject = 256
    public static let name = 128
    public static let label = 128
    public static let status = 64
    public static let id = 512

    /// `s` cut to `limit` characters, ending in `…` when cut, with every secret the process
    /// holds masked first (a gateway echoing the token in a label would otherwise have it
    /// shown, half of it when a narrow column cuts the label).
    /// An id (`masking: false`) is kept as it is: the gateway's paths take it.
    public static func clamp(_ s: String, _ limit: Int, masking: Bool = true) -> String {
        var s = s
        if masking {
            // Masked before the cut (a secret across the cut would show its first half), but
            // only the part that can survive the cut is searched: not 50 MB for one label.
            // One character more than can be kept, so the cut below still sees that it cuts.
            let keep = limit + Secrets.longest + 1
            if s.utf8.count > keep * 4 { s = String(s.prefix(keep)) }
            s = Secrets.mask(s)
        }
        // Counting characters is linear: a cheap bound on the bytes first.
        if s.utf8.count <= limit { return s }
        var end = s.startIndex
        var n = 0
        while end < s.endIndex && n < limit { end = s.index(after: end); n += 1 }
        if end == s.endIndex { return s }
        return String(s[..<s.index(before: end)]) + "…"
    }
}

/// A connected (or not) WhatsApp account on a gateway.
public struct Session: Sendable, Hashable, Codable {
    /// The id the gateway's paths take.
    public var id: String
    public var label: String
    /// The session's own phone JID, when known.
    public var account: JID?
    /// The session's own `@lid` id, when known.
    public var accountLID: JID?
    public var connected: Bool
    /// The gateway's own status word (`working`, `WORKING`, `SCAN_QR_CODE`, …).
    public var status: String
    /// Rates the gateway advertises for mutations, when it does.
    public var ratePerMinute: Int?
    public var ratePerHour: Int?

    public init(id: String, label: String, account: JID?, accountLID: JID? = nil, connected: Bool,
                status: String, ratePerMinute: Int? = nil, ratePerHour: Int? = nil) {
        self.id = Limits.clamp(id, Limits.id, masking: false); self.label = Limits.clamp(label, Limits.label)
        self.account = account; self.accountLID = accountLID
        self.connected = connected; self.status = Limits.clamp(status, Limits.status)
        self.ratePerMinute = ratePerMinute; self.ratePerHour = ratePerHour
    }

    /// Whether `jid` is this session's own account.
    public func isOwnAccount(_ jid: JID) -> Bool { jid == account || jid == accountLID }

    /// The status words the dialects use for a connected session.
    public static func isConnectedStatus(_ status: String) -> Bool {
        ["working", "open", "connected", "ready", "online"].contains(status.lowercased())
    }
}

/// A group as a session sees it.
public struct Group: Sendable, Hashable, Codable {
    public var jid: JID
    public var subject: String
    /// Participant count, when the gateway reports it.
    public var size: Int?
    public var owner: JID?
    /// Our session's role in the group; nil while unknown (the dialect lists no participants).
    public var ourRole: Role?
    /// The group's settings, where the listing tells them (nil: not read yet, or not told).
    public var settings: GroupSettings?
    /// A community's parent group (WUTS lists communities beside groups); nil when not told.
    public var community: Bool?
    /// Requests to join waiting for an admin, where the listing tells them.
    public var pendingRequests: Int?

    public init(jid: JID, subject: String, size: Int?, owner: JID?, ourRole: Role?) {
        self.jid = jid; self.subject = Limits.clamp(subject, Limits.subject); self.size = size; self.owner = owner; self.ourRole = ourRole
    }
}

/// A member of a group.
public struct Participant: Sendable, Hashable, Codable {
    /// The id to act on: the phone JID when known, else the `@lid` id.
    public var id: JID
    public var phone: JID?
    public var lid: JID?
    public var name: String?
    public var role: Role

    public init(phone: JID?, lid: JID?, name: String?, role: Role) {
        self.id = phone ?? lid ?? JID(kind: .lid, user: "0")
        self.phone = phone; self.lid = lid; self.name = name.map { Limits.clamp($0, Limits.name) }; self.role = role
    }

    /// Whether `jid` names this participant (by phone JID or by `@lid`).
    public func matches(_ jid: JID) -> Bool { jid == id || jid == phone || jid == lid }

    /// What to show for this participant's number: `+digits`, else the `@lid` id.
    public var numberText: String { phone?.phoneNumber ?? lid?.string ?? id.string }
}

extension Array where Element == Participant {
    /// The participant named by `jid`, by phone JID or `@lid`.
    public func first(matching jid: JID) -> Participant? { first { $0.matches(jid) } }

    /// Our role, given the session's account ids.
    public func role(of session: Session) -> Role? {
        first { p in [session.account, session.accountLID].contains { $0 != nil && p.matches($0!) } }?.role
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)`: the same result, without going through
    /// NSString when neither end is a space or tab (nearly always: per name of a list, per
    /// frame for a filter).
    public var trimmedSpaces: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        func space(_ u: Unicode.Scalar) -> Bool { u == "\t" || u.properties.generalCategory == .spaceSeparator }
        if !space(first) && !space(last) { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
