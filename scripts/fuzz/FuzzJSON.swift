import Foundation

// Fuzz target `json`: the input as a gateway's body through JSONValue.parse, every accessor the
// dialects read fields with, and JSONValue's own Codable form (written and read back, as the
// journal and the audit log do with values from a gateway).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Data(UnsafeBufferPointer(start: data, count: size))
    guard let value = JSONValue.parse(body) else { return 0 }
    var budget = 10_000
    visit(value, &budget)
    // Written out and read back, a value stays itself.
    if let written = try? JSONEncoder().encode(value) {
        guard let again = JSONValue.parse(written) else {
            fatalError("invariant: JSONValue wrote \(String(decoding: written.prefix(200), as: UTF8.self).debugDescription), which does not parse")
        }
        guard again == value else {
            fatalError("invariant: JSONValue changed on a write and read back: \(String(decoding: written.prefix(200), as: UTF8.self).debugDescription)")
        }
    }
    return 0
}

private func visit(_ v: JSONValue, _ budget: inout Int) {
    budget -= 1
    guard budget > 0 else { return }
    FuzzCheck.touch(v.string)
    FuzzCheck.touch(v.text)
    FuzzCheck.sink &+= v.int ?? 0
    FuzzCheck.sink &+= (v.bool == true ? 1 : 0) + (v.isNull ? 2 : 0)
    if let t = v.text, t.isEmpty { fatalError("invariant: JSONValue.text gave an empty string") }
    _ = v["id"]; _ = v["data"]
    var h = Hasher(); h.combine(v); FuzzCheck.sink &+= h.finalize()
    if let a = v.array { for x in a { visit(x, &budget) } }
    if let o = v.object {
        for (k, x) in o {
            guard v[k] == x else { fatalError("invariant: subscript disagrees with object for key \(k.debugDescription)") }
            visit(x, &budget)
        }
    }
}
