import Foundation

/// A WhatsApp identifier: a user (phone JID), a privacy-hidden user (`@lid`) or a group.
///
/// `@c.us` and `@s.whatsapp.net` name the same account, so both parse to `.user` with the
/// same digits and compare equal. A bare phone number (`+55 11 99999-9999`) parses to a user.
public struct JID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case user, lid, group
    }

    public let kind: Kind
    /// Digits for users and `@lid` ids; digits or `digits-digits` for groups.
    public let user: String

    public init(parsing raw: String) throws(JIDError) {
        // Nearly every id a gateway sends is plain ASCII in its canonical form: read those
        // from their bytes (thousands per group list), the rest below.
        if let quick = JID.canonical(raw) {
            self = quick
            return
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw JIDError(input: raw, problem: "it is empty") }
        guard let at = text.lastIndex(of: "@") else {
            self = try JID.phone(text, raw: raw)
            return
        }
        var local = String(text[..<at])
        let server = text[text.index(after: at)...].lowercased()
        // A device suffix (`123:4@s.whatsapp.net`, `123.0:4@…`) names the same account.
        if server != "g.us", let colon = local.firstIndex(of: ":") { local = String(local[..<colon]) }
        if server != "g.us", let dot = local.firstIndex(of: ".") { local = String(local[..<dot]) }
        switch server {
        case "s.whatsapp.net", "c.us":
            guard JID.isDigits(local), (1...20).contains(local.count) else {
                throw JIDError(input: raw, problem: "a user JID needs up to 20 digits before the @")
            }
            self.init(kind: .user, user: local)
        case "lid":
            guard JID.isDigits(local), (1...24).contains(local.count) else {
                throw JIDError(input: raw, problem: "an @lid id needs digits before the @")
            }
            self.init(kind: .lid, user: local)
        case "g.us":
            let parts = local.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), parts.allSatisfy({ JID.isDigits(String($0)) && !$0.isEmpty }),
                  local.count <= 40
            else {
                throw JIDError(input: raw, problem: "a group JID is digits (or digits-digits) before @g.us")
            }
            self.init(kind: .group, user: local)
        default:
            throw JIDError(input: raw, problem: "'@\(server)' is not a WhatsApp server (use @s.whatsapp.net, @c.us, @lid or @g.us)")
        }
    }

    /// `digits@s.whatsapp.net`, `digits@c.us`, `digits@lid` or `digits[-digits]@g.us`, as
    /// bytes: no space around it, no device suffix, the server in lower case, within the same
    /// lengths `init(parsing:)` allows. nil for anything else, which that reads the long way
    /// (and gives the same answer for these).
    static func canonical(_ raw: String) -> JID? {
        raw.utf8.withContiguousStorageIfAvailable { b -> JID? in
            guard let at = b.lastIndex(of: UInt8(ascii: "@")), at > 0 else { return nil }
            let server = UnsafeBufferPointer(rebasing: b[(at + 1)...])
            let kind: Kind
            let maxLocal: Int
            if server.elementsEqual("s.whatsapp.net".utf8) || server.elementsEqual("c.us".utf8) { kind = .user; maxLocal = 20 }
            else if server.elementsEqual("lid".utf8) { kind = .lid; maxLocal = 24 }
            else if server.elementsEqual("g.us".utf8) { kind = .group; maxLocal = 40 }
            else { return nil }
            var dash = -1
            for k in 0..<at {
                let c = b[k]
                if c >= 0x30 && c <= 0x39 { continue }
                // A group's `digits-digits`: one dash, digits on both sides.
                guard kind == .group, c == UInt8(ascii: "-"), k > 0, dash < 0 else { return nil }
                dash = k
            }
            guard at <= maxLocal, dash != at - 1 else { return nil }
            return JID(kind: kind, user: String(decoding: UnsafeBufferPointer(rebasing: b[..<at]), as: UTF8.self))
        } ?? nil
    }

    /// Builds a JID from parts already known to be valid. Prefer `init(parsing:)` for input.
    public init(kind: Kind, user: String) {
        self.kind = kind
        self.user = user
    }

    private static func phone(_ text: String, raw: String) throws(JIDError) -> JID {
        var digits = ""
        for (index, ch) in text.enumerated() {
            if ch.isASCII, ch.isNumber { digits.append(ch); continue }
            if ch == "+" && index == 0 { continue }
            if " -().".contains(ch) { continue }
            throw JIDError(input: raw, problem: "'\(ch)' cannot appear in a phone number")
        }
        guard (7...15).contains(digits.count) else {
            throw JIDError(input: raw, problem: "a phone number has 7 to 15 digits with its country code")
        }
        return JID(kind: .user, user: digits)
    }

    static func isDigits(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    public var server: String {
        switch kind {
        case .user: "s.whatsapp.net"
        case .lid: "lid"
        case .group: "g.us"
        }
    }

    /// The canonical form: `…@s.whatsapp.net`, `…@lid` or `…@g.us`.
    public var string: String { "\(user)@\(server)" }
    public var description: String { string }
    /// The WAHA-style form of a user JID (`…@c.us`); other kinds are unchanged.
    public var cUs: String { kind == .user ? "\(user)@c.us" : string }
    /// `+digits` for a user JID, nil otherwise.
    public var phoneNumber: String? { kind == .user ? "+\(user)" : nil }
    public var isGroup: Bool { kind == .group }

    public static func < (a: JID, b: JID) -> Bool { a.string < b.string }

    /// Parses a user-side target (phone, user JID or `@lid`), refusing group JIDs.
    public static func member(_ raw: String) throws(JIDError) -> JID {
        let jid = try JID(parsing: raw)
        guard jid.kind != .group else {
            throw JIDError(input: raw, problem: "that is a group JID; a participant is a phone number, a user JID or an @lid id")
        }
        return jid
    }

    /// Parses a group JID, refusing user ids.
    public static func group(_ raw: String) throws(JIDError) -> JID {
        let jid = try JID(parsing: raw)
        guard jid.kind == .group else {
            throw JIDError(input: raw, problem: "a group JID ends in @g.us")
        }
        return jid
    }

    /// Parses leniently: nil for anything that is not a valid id (for data read from a gateway).
    public static func lenient(_ raw: String?) -> JID? {
        guard let raw, !raw.isEmpty else { return nil }
        return try? JID(parsing: raw)
    }
}

extension JID: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try JID(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }
}

public struct JIDError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public let problem: String
    public var description: String {
        "'\(input)' is not a WhatsApp id: \(problem). Expected a phone number with country code (+5511999999999), a user JID (…@s.whatsapp.net), an @lid id, or a group JID (…@g.us)."
    }
}
