import Foundation

// Fuzz target `v1`: one gateway answer (status from the first byte, the rest the body) through
// every decoder of the v1 dialect: sessions, groups and members pages, the mutation answer's
// readability check, and the error mapping with and without the request it answers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let r = FuzzInput.response(data, size)
    FuzzShared.run(r)

    if let page = try? V1Decode.sessions(r) {
        FuzzCheck.sessions(page.items); FuzzCheck.touch(page.next)
    }
    if let page = try? V1Decode.groups(r) {
        FuzzCheck.groups(page.items); FuzzCheck.touch(page.next)
        _ = V1Gateway.advance(nil, to: page.next, pageEmpty: page.items.isEmpty)
    }
    for owner in [nil, FuzzIDs.owner, FuzzIDs.lid] {
        if let page = try? V1Decode.members(r, owner: owner) {
            FuzzCheck.participants(page.items)
            _ = V1Gateway.advance("abc", to: page.next, pageEmpty: page.items.isEmpty)
        }
    }
    // A mutation's answer (204 or a body), and every failure's mapping.
    FuzzCheck.sink &+= DialectSupport.isReadable(r) ? 1 : 0
    let specs: [HTTPRequestSpec?] = [
        nil,
        V1API.members(session: "s", group: FuzzIDs.group),
        V1API.remove(session: "s", group: FuzzIDs.group, member: FuzzIDs.user),
        V1API.leave(session: "s", group: FuzzIDs.group),
    ]
    for spec in specs { FuzzCheck.error(V1Decode.error(r, spec)) }
    return 0
}
