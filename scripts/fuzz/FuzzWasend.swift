import Foundation

// Fuzz target `wasend`: one gateway answer (status from the first byte, the rest the body)
// through every decoder of the wasend dialect: sessions, group pages (bare or wrapped), the
// participants, each action's per-row results, the API-error test and the error mapping.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let r = FuzzInput.response(data, size)
    FuzzShared.run(r)

    let sessions = (try? WasendDecode.sessions(r)) ?? []
    FuzzCheck.sessions(sessions)
    for me in [nil, FuzzIDs.me, sessions.first] {
        if let page = try? WasendDecode.groups(r, me: me) {
            FuzzCheck.groups(page.items)
            FuzzCheck.sink &+= page.rows + (page.hasMore == true ? 1 : 0)
            guard page.items.count <= page.rows else { fatalError("invariant: more groups than rows in a wasend page") }
        }
    }
    if let people = try? WasendDecode.participants(r) { FuzzCheck.participants(people) }
    if let v = JSONValue.parse(r.body) {
        FuzzCheck.participants([v].compactMap(WasendDecode.participant))
        FuzzCheck.sink &+= WasendDecode.isAPIError(v) ? 1 : 0
    }
    let named = FuzzShared.namedIDs(r)
    for action in MemberAction.allCases {
        for targets in FuzzIDs.targetLists(extra: named) {
            for t in targets { FuzzCheck.outcome(WasendDecode.outcome(action, target: t, r)) }
        }
    }
    FuzzCheck.error(WasendDecode.error(r))
    return 0
}
