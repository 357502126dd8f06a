import Foundation

/// Per-participant rows with WhatsApp's codes (200 ok, 403, 404, 409, …), as WAHA's engines,
/// WUTS and Evolution answer a member change.
public enum MemberRows {
    /// One participant's row: the ids it names and its code (WhatsApp's: 200 ok, 403, 404, 409, …).
    public struct Row: Sendable, Equatable {
        public var ids: [JID]
        public var code: Int
        /// Set when the row's own content contradicts a success code (a promote whose row
        /// still says "not an admin"): the target is refused with this reason.
        public var contradiction: String? = nil
        public init(ids: [JID], code: Int, contradiction: String? = nil) { self.ids = ids; self.code = code; self.contradiction = contradiction }
    }

    /// What a change answered with per-row codes says about its one target: a call that
    /// failed, the dialect's `error`; a body whose rows cannot be read, undecodable; else its row.
    static func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, error: () -> GatewayError,
                        rows: () -> Result<[Row], GatewayError>) -> MemberReading {
        guard (200..<300).contains(r.status) else { return .outcome(.failed(error())) }
        switch rows() {
        case .failure(let e): return .outcome(.failed(e))
        case .success(let rows): return .outcome(outcome(action, target: target, rows: rows))
        }
    }

    /// The outcome for one target from per-row codes. A change names one participant (the
    /// executor sends one request per target), and its answer is read for that one alone: the
    /// row that names it (`@c.us` and `@s.whatsapp.net` alike), or else the answer's only row
    /// when that row names nobody else of the target's kind (it may name only the `@lid` of a
    /// target sent by phone, or no id at all). A row is never taken by its position among
    /// several, nor when it names someone else: then the target is refused as unconfirmed.
    public static func outcome(_ action: MemberAction, target: JID, rows: [Row]) -> Outcome {
        let row = rows.first { $0.ids.contains(target) } ?? (rows.count == 1 && !namesOther(rows[0], than: target) ? rows[0] : nil)
        guard let row else { return .refused("not \(action.pastTense): the gateway's answer has no row for this participant") }
        return row.contradiction.map { .refused($0) } ?? outcome(action, code: row.code)
    }

    /// Whether a row names another participant of the target's own kind (another phone for a
    /// target sent by phone, another `@lid` for one sent by `@lid`).
    static func namesOther(_ row: Row, than target: JID) -> Bool {
        row.ids.contains { $0.kind == target.kind && $0 != target }
    }

    /// What WhatsApp's per-row code means for this action.
    public static func outcome(_ action: MemberAction, code: Int) -> Outcome {
        switch code {
        case 200..<300: .done
        case 409 where action == .add: .alreadySo("already a member")
        case 403 where action == .add: .refused("not allowed: their privacy settings refuse being added to groups")
        case 403: .refused("not allowed: WhatsApp refused (the group's creator cannot be \(action.pastTense))")
        case 404 where action == .add: .refused("not on WhatsApp")
        case 404: .refused("not a member of the group")
        default: .refused(DialectSupport.humanReason(String(code)))
        }
    }
}
