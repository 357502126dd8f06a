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

    /// The outcome for one target from per-row codes: the row that names it (`@c.us` and
    /// `@s.whatsapp.net` alike), or else the answer's only row (a row may name
    /// the `@lid` of a target sent by phone).
    public static func outcome(_ action: MemberAction, target: JID, rows: [Row]) -> Outcome {
        let row = rows.first { $0.ids.contains(target) } ?? (rows.count == 1 ? rows[0] : nil)
        guard let row else { return .refused("not \(action.pastTense): the gateway's answer has no row for this participant") }
        return row.contradiction.map { .refused($0) } ?? outcome(action, code: row.code)
    }

    /// One result per target from per-row codes. Rows are matched by JID (`@c.us` and
    /// `@s.whatsapp.net` alike); a single row naming no target goes to the single unmatched
    /// target (a row may name the `@lid` of a target sent by phone). With more than one of
    /// each, order is not trusted: those targets are refused as unconfirmed.
    public static func results(_ action: MemberAction, targets: [JID], rows: [Row], _ r: HTTPResponseData) -> [TargetResult] {
        var used = Set<Int>()
        var matched: [Row?] = targets.map { t in
            guard let i = rows.indices.first(where: { !used.contains($0) && rows[$0].ids.contains(t) }) else { return nil }
            used.insert(i)
            return rows[i]
        }
        let spare = rows.indices.filter { !used.contains($0) }
        let missing = matched.indices.filter { matched[$0] == nil }
        if spare.count == 1, missing.count == 1 {
            matched[missing[0]] = rows[spare[0]]
        }
        return zip(targets, matched).map { t, row in
            let o: Outcome = row.map { r in r.contradiction.map { .refused($0) } ?? outcome(action, code: r.code) }
                ?? .refused("not \(action.pastTense): the gateway's answer has no row for this participant")
            return TargetResult(target: t, outcome: o, httpStatus: r.status, latencyMs: r.latencyMs)
        }
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
