import Foundation

// Fuzz target `waha`: one gateway answer (status from the first byte, the rest the body)
// through every decoder of the waha dialect: sessions, group pages (array or keyed by JID),
// participants (v2 and older rows), a mutation's raw engine answer and its per-row results,
// the per-code outcomes, the read-back verdicts, and the error mapping with and without the
// request it answers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let r = FuzzInput.response(data, size)
    FuzzShared.run(r)

    let sessions = (try? WAHADecode.sessions(r)) ?? []
    FuzzCheck.sessions(sessions)
    for me in [nil, FuzzIDs.me, sessions.first] {
        if let page = try? WAHADecode.groups(r, me: me) {
            FuzzCheck.groups(page.items)
            guard page.items.count <= page.rows else { fatalError("invariant: more groups than rows in a waha page") }
        }
    }
    let people = (try? WAHADecode.participants(r)) ?? []
    FuzzCheck.participants(people)
    if let v = JSONValue.parse(r.body) {
        FuzzCheck.participants([v].compactMap(WAHAShapes.participant))
        FuzzCheck.touch(WAHAShapes.role(v).rawValue)
        FuzzCheck.touch(WAHAShapes.jid(v)?.string)
        FuzzCheck.touch(WAHAShapes.message(v))
        FuzzCheck.sink &+= WAHADecode.isAPIError(v) ? 1 : 0
    }
    FuzzCheck.sink &+= WAHADecode.isWhatsAppRefusal(r) ? 1 : 0

    let named = FuzzShared.namedIDs(r)
    switch WAHADecode.answer(r) {
    case .failure(let e):
        FuzzCheck.error(e)
    case .success(.whole(let code)):
        for action in MemberAction.allCases { FuzzCheck.outcome(WAHADecode.outcome(action, code: code)) }
    case .success(.rows(let rows)):
        let ids = rows.flatMap(\.ids)
        for action in MemberAction.allCases {
            for row in rows { FuzzCheck.outcome(WAHADecode.outcome(action, code: row.code)) }
            for targets in FuzzIDs.targetLists(extra: ids + named) {
                for t in targets { FuzzCheck.outcome(MemberRows.outcome(action, target: t, rows: rows)) }
            }
        }
    }
    for action in MemberAction.allCases {
        FuzzCheck.outcome(WAHADecode.verified(action, nil))
        for p in people.prefix(4) { FuzzCheck.outcome(WAHADecode.verified(action, p)) }
    }
    let specs: [HTTPRequestSpec?] = [
        nil,
        WAHAAPI.participants(session: "default", group: FuzzIDs.group),
        WAHAAPI.mutation(.remove, session: "default", group: FuzzIDs.group, targets: [FuzzIDs.user]),
    ]
    for spec in specs { FuzzCheck.error(WAHADecode.error(r, spec)) }
    return 0
}
