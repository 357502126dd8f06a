import Foundation

/// Pieces the dialects share for group administration (gateways.md §9): reading an invite
/// link without ever showing its code, reading a setting's flag, and saying what a settings
/// change had applied when one of its requests failed.
public enum AdminShapes {
    /// The link an invite answer carries: a bare code or link as a JSON string (Wasend, Wawp),
    /// as raw text (WAHA answers `text/html`), or under one of `keys` (v1's `invite`, WUTS's
    /// `invite_link`, Evolution's `inviteCode` and `inviteUrl`), also inside `data`. The code
    /// is a secret (whoever has it can join): an answer without a readable one fails without
    /// its body in the error.
    public static func inviteLink(_ r: HTTPResponseData, keys: [String]) throws(GatewayError) -> InviteLink {
        var candidates: [String] = []
        if let v = JSONValue.parse(r.body) {
            if case .string(let s) = v { candidates.append(s) }
            for key in keys {
                if let s = v[key]?.string { candidates.append(s) }
                if let s = v["data"]?[key]?.string { candidates.append(s) }
            }
        } else if r.body.count <= 4096 {
            // Raw text is a bare code or a link; a JSON body cut short is not ("{"invite":"…/Ab"
            // would otherwise give a code cut short).
            let text = String(decoding: r.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if let first = text.first, !"{[\"<".contains(first), !text.contains(" ") { candidates.append(text) }
        }
        for c in candidates { if let link = InviteLink(parsing: c) { return link } }
        throw secretUndecodable(r)
    }

    /// An answer that may hold an invite code and cannot be read, named without its body.
    static func secretUndecodable(_ r: HTTPResponseData) -> GatewayError {
        .undecodable(status: r.status, excerpt: "\(r.body.count) bytes, not shown: an invite answer may hold the link's code")
    }

    /// A successful answer to a reset that cannot be read: a failure of unknown effect (the
    /// executor reads the link again to settle it), its body not shown; nil when it reads.
    static func unreadableSecret(_ r: HTTPResponseData) -> Outcome? {
        guard (200..<300).contains(r.status), !DialectSupport.isReadable(r) else { return nil }
        return .failed(secretUndecodable(r))
    }

    /// The first of `keys` that is a boolean in `v` (also inside `data`).
    static func flag(_ v: JSONValue?, _ keys: String...) -> Bool? {
        guard let v else { return nil }
        for key in keys {
            if case .bool(let b)? = v[key] { return b }
            if case .bool(let b)? = v["data"]?[key] { return b }
        }
        return nil
    }

    /// The member-add mode as "only admins add": whatsmeow's `admin_add` / `all_member_add`,
    /// WUTS's `admin` / `all_member` (gateways.md §9); nil for anything else.
    static func adminsAdd(mode: String?) -> Bool? {
        switch mode?.lowercased() {
        case "admin", "admin_add", "admins": true
        case "all_member", "all_member_add", "all", "all_members": false
        default: nil
        }
    }

    /// The outcome of a settings change whose step did not succeed, saying what had been
    /// applied before it and what was not sent. The error keeps its kind (so it stops the
    /// operation, or waits to be resumed, as it would alone); its words gain the note where
    /// it carries words.
    static func partly(_ outcome: Outcome, applied: [GroupSetting], notSent: [GroupSetting]) -> Outcome {
        var parts: [String] = []
        if !applied.isEmpty { parts.append("applied before this: " + applied.map(\.title).joined(separator: ", ")) }
        if !notSent.isEmpty { parts.append("not sent: " + notSent.map(\.title).joined(separator: ", ")) }
        guard !parts.isEmpty else { return outcome }
        let note = parts.joined(separator: "; ")
        switch outcome {
        case .failed(let e): return .failed(noting(e, note))
        case .refused(let m): return .refused("\(m) (\(note))")
        default: return outcome
        }
    }

    /// `e` with `note` added to its words, where the case carries words (a transport failure
    /// keeps its own: its words say whether the request was sent).
    static func noting(_ e: GatewayError, _ note: String) -> GatewayError {
        func with(_ m: String?) -> String { m.map { "\($0); \(note)" } ?? note }
        switch e {
        case .forbidden(let m): return .forbidden(with(m))
        case .unauthorized(let m): return .unauthorized(with(m))
        case .notConnected(let m): return .notConnected(with(m))
        case .notFound(let m): return .notFound(with(m))
        case .validation(let m): return .validation(with(m))
        case .server(let status, let m): return .server(status: status, message: with(m))
        default: return e
        }
    }

    /// A Unix time in seconds or milliseconds (WAHA's join requests), or an ISO 8601 text.
    static func date(_ v: JSONValue?) -> Date? {
        guard let v else { return nil }
        if case .number(let n) = v, n.isFinite, n > 0 { return Date(timeIntervalSince1970: n > 1e11 ? n / 1000 : n) }
        if let s = v.text {
            if let n = Double(s), n.isFinite, n > 0 { return Date(timeIntervalSince1970: n > 1e11 ? n / 1000 : n) }
            return ISO8601DateFormatter().date(from: s)
        }
        return nil
    }
}
