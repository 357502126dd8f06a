import Foundation
import Testing
@testable import GatewayKit

@Suite("audit log")
struct AuditLogTests {
    static func tempFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wamod-audit-\(UUID().uuidString)/audit.jsonl").path
    }

    static let context = AuditContext(user: "op", client: "10.0.0.9", profile: "support",
                                      gateway: AuditContext.safeURL(URL(string: "https://user:pw@gw.example.com/api?access_token=SECRET")!),
                                      dialect: "v1")

    @Test("an operation and its results are written and read back, one line each")
    func roundTrip() throws {
        let path = Self.tempFile()
        let log = AuditLog(path: path)
        let t = JID(kind: .user, user: "5511900000012")
        try log.append(.operation(id: "op1", context: Self.context, session: "S1", group: "1203@g.us", action: "remove",
                                  targets: [t.string], reason: "spam wave", dryRun: false))
        try log.append(.result(id: "op1", TargetResult(target: t, outcome: .failed(.forbidden("not admin")), httpStatus: 403, latencyMs: 12)))
        let (records, bad) = try AuditLog.read(path: path)
        #expect(bad == 0)
        #expect(records.count == 2)
        #expect(records[0].type == "operation" && records[0].reason == "spam wave" && records[0].user == "op" && records[0].client == "10.0.0.9")
        #expect(records[1].outcome == "failed" && records[1].httpStatus == 403 && records[1].detail?.contains("not admin") == true)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2)
        #expect(!text.contains("SECRET") && !text.contains("pw@"), "no secret from the gateway URL reaches the file")
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }

    @Test("writers appending at once leave no torn line")
    func concurrent() async throws {
        let path = Self.tempFile()
        let reason = String(repeating: "long reason ", count: 40)
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<4 {
                group.addTask {
                    let log = AuditLog(path: path) // its own file descriptor for every append
                    for i in 0..<100 {
                        try? log.append(.operation(id: "w\(w)-\(i)", context: Self.context, session: "S", group: nil, action: "leave",
                                                   targets: [], reason: reason, dryRun: false))
                    }
                }
            }
        }
        let (records, bad) = try AuditLog.read(path: path)
        #expect(bad == 0)
        #expect(records.count == 400)
        #expect(Set(records.map(\.op)).count == 400)
    }

    @Test("an unwritable audit log is an error that says nothing was sent")
    func unwritable() {
        let log = AuditLog(path: "/proc/wamod-cannot-write-here/audit.jsonl")
        #expect(throws: GatewayError.self) { try log.append(AuditRecord(type: "operation", op: "x", time: "t")) }
        do { try log.append(AuditRecord(type: "operation", op: "x", time: "t")) } catch {
            #expect(error.message.contains("nothing was sent"))
        }
    }
}
