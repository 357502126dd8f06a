import Foundation

// Fuzz target `wuts`: one gateway answer (status from the first byte, the rest the body)
// through every decoder of the wuts dialect: the device status (the session), the group list,
// one group with its participants, a mutation's rows for each action and their per-target
// results, the API-error test and the error mapping with and without the request it answers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let r = FuzzInput.response(data, size)
    FuzzShared.run(r)

    let device = try? WUTSDecode.status(r)
    if let device { FuzzCheck.sessions([device]) }
    for me in [nil, FuzzIDs.me, device] {
        if let groups = try? WUTSDecode.groups(r, me: me) { FuzzCheck.groups(groups) }
        if let v = JSONValue.parse(r.body) { FuzzCheck.groups([WUTSDecode.group(v, me: me)].compactMap { $0 }) }
    }
    if let people = try? WUTSDecode.participants(r) { FuzzCheck.participants(people) }
    if let v = JSONValue.parse(r.body) {
        FuzzCheck.participants([v].compactMap(WUTSDecode.participant))
        FuzzCheck.sink &+= WUTSDecode.isAPIError(v) ? 1 : 0
    }
    let named = FuzzShared.namedIDs(r)
    for action in [nil] + MemberAction.allCases.map(Optional.some) {
        switch WUTSDecode.rows(r, action: action) {
        case .failure(let e): FuzzCheck.error(e)
        case .success(let rows):
            let act = action ?? .remove
            for targets in FuzzIDs.targetLists(extra: rows.flatMap(\.ids) + named) {
                for t in targets { FuzzCheck.outcome(MemberRows.outcome(act, target: t, rows: rows)) }
            }
        }
    }
    let specs: [HTTPRequestSpec?] = [nil, WUTSAPI.group(FuzzIDs.group), WUTSAPI.mutation(.remove, group: FuzzIDs.group, targets: [FuzzIDs.user])]
    for spec in specs { FuzzCheck.error(WUTSDecode.error(r, spec)) }
    return 0
}
