import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

@Suite("the record cannot be kept", .spawnsProcesses)
struct StorageExitTests {
    let alpha = TinyFixture.alpha

    @Test("an audit log that cannot be written: exit 5 (not 2, usage), the reason, and nothing sent")
    func unwritableAuditLog() async throws {
        try await withSim(.v1) { f in
            let before = f.world.mutationsServed(session: TinyFixture.alpha)
            // A path under a regular file cannot be created, as on a full or read-only disk.
            let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-blocker-\(UUID().uuidString)")
            try Data("x".utf8).write(to: blocker)
            defer { try? FileManager.default.removeItem(at: blocker) }
            var env = f.env
            env["WAMOD_AUDIT"] = blocker.appendingPathComponent("audit.jsonl").path
            let r = try await runWamod(["remove", alpha, "Team Alpha", TinyFixture.plainMembers[0].string, "--yes"] + f.gatewayArgs, env: env)
            #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("nothing was sent"))
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == before)
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(TinyFixture.plainMembers[0]) })
        }
    }
}
