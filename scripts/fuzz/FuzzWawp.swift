import Foundation

// Fuzz target `wawp`: one gateway answer (status from the first byte, the rest the body)
// through every decoder of the wawp dialect: the instance's session info, the WAHA-shaped reads
// it shares (group pages, participants, read-back verdicts), a change's `{"ok":…}` answer, each
// action's refusal reading, the API-error test and the error mapping (with secrets scrubbed).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let r = FuzzInput.response(data, size)
    FuzzShared.run(r)

    let session = try? WawpDecode.session(r)
    if let session {
        FuzzCheck.sessions([session])
        guard session.id == "instance" else { fatalError("invariant: a wawp session's id is not the fixed handle (it may be a secret)") }
    }
    for me in [nil, FuzzIDs.me, session] {
        if let page = try? WAHADecode.groups(r, me: me) { FuzzCheck.groups(page.items) }
    }
    let people = (try? WAHADecode.participants(r)) ?? []
    FuzzCheck.participants(people)
    switch WawpDecode.ok(r) {
    case .failure(let e): FuzzCheck.error(e)
    case .success(let ok): FuzzCheck.sink &+= ok ? 1 : 0
    }
    if let v = JSONValue.parse(r.body) {
        FuzzCheck.touch(WawpDecode.message(v))
        FuzzCheck.sink &+= WawpDecode.isAPIError(v) ? 1 : 0
    }
    let spec = WawpAPI.mutation(.remove, group: FuzzIDs.group, targets: [FuzzIDs.user])
    for action in MemberAction.allCases {
        FuzzCheck.outcome(WawpDecode.refusal(action, r))
        FuzzCheck.outcome(WawpDecode.refusal(action, r, WawpAPI.mutation(action, group: FuzzIDs.group, targets: [FuzzIDs.user])))
        for p in [nil] + people.prefix(3).map(Optional.some) { FuzzCheck.outcome(WAHADecode.verified(action, p)) }
    }
    for s in [nil, spec, WawpAPI.participants(FuzzIDs.group), WawpAPI.leave(FuzzIDs.group)] {
        FuzzCheck.error(WawpDecode.error(r, s))
    }
    return 0
}
