import Foundation

// Fuzz target `evolution`: one gateway answer (status from the first byte, the rest the body)
// through every decoder of the evolution dialect: instances (v2 rows and v1's wrapped rows),
// groups, participants, an updateParticipant answer's rows and their per-target results, the
// `response.message` words, the API-error and WhatsApp-refusal tests, and the error mapping
// with and without the request it answers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let r = FuzzInput.response(data, size)
    FuzzShared.run(r)

    let sessions = (try? EvolutionDecode.instances(r)) ?? []
    FuzzCheck.sessions(sessions)
    for me in [nil, FuzzIDs.me, sessions.first] {
        if let groups = try? EvolutionDecode.groups(r, me: me) { FuzzCheck.groups(groups) }
    }
    if let people = try? EvolutionDecode.participants(r) { FuzzCheck.participants(people) }
    let named = FuzzShared.namedIDs(r)
    switch EvolutionDecode.rows(r) {
    case .failure(let e): FuzzCheck.error(e)
    case .success(let rows):
        for action in MemberAction.allCases {
            for targets in FuzzIDs.targetLists(extra: rows.flatMap(\.ids) + named) {
                for t in targets { FuzzCheck.outcome(MemberRows.outcome(action, target: t, rows: rows)) }
            }
        }
    }
    if let v = JSONValue.parse(r.body) {
        for m in EvolutionDecode.messages(v) { FuzzCheck.touch(m) }
        FuzzCheck.sink &+= EvolutionDecode.isAPIError(v) ? 1 : 0
    }
    FuzzCheck.sink &+= EvolutionDecode.isWhatsAppRefusal(r) ? 1 : 0
    let specs: [HTTPRequestSpec?] = [
        nil,
        EvolutionAPI.participants(instance: "support", group: FuzzIDs.group),
        EvolutionAPI.mutation(.remove, instance: "support", group: FuzzIDs.group, targets: [FuzzIDs.user, FuzzIDs.lid]),
    ]
    for spec in specs { FuzzCheck.error(EvolutionDecode.error(r, spec)) }
    return 0
}
