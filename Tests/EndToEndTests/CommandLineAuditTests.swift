import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// `wamod audit` as an operator reads it in an incident: fitted to the terminal, with the
/// names recorded at the time; `--wide`, `--op`; old files; the undo that reads those names.
@Suite("command line: reading the audit log", .serialized, .spawnsProcesses)
struct CommandLineAuditTests {
    let alpha = TinyFixture.alphaLabel
    let carla = TinyFixture.plainMembers[0]
    let davi = TinyFixture.plainMembers[1]

    /// Removes Carla and Davi from Team Alpha; the operation's id.
    func removeTwo(_ f: SimFixture, env: [String: String]) async throws -> String {
        let r = try await runWamod(["remove", alpha, "Team Alpha", carla.string, davi.phoneNumber!, "--yes", "--json", "--reason", "spam wave"]
                                   + f.gatewayArgs, env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try #require(obj?["operation"] as? String)
    }

    @Test("the default view fits COLUMNS with names and subjects; the ids of what it names stay whole")
    func fitted() async throws {
        try await withSim(.v1) { f in
            var env = f.env
            env["WAMOD_AUDIT"] = scratchAuditPath()
            let op = try await removeTwo(f, env: env)
            for width in [80, 60, 40] {
                env["COLUMNS"] = String(width)
                let r = try await runWamod(["audit"], env: env)
                #expect(r.status == 0, "\(r.stderr)")
                let lines = r.stdout.split(separator: "\n").map(String.init)
                for l in lines { #expect(CellWidth.of(l) <= width, "\(CellWidth.of(l)) > \(width): \(l)") }
                // The operation's id is what `--op` and `undo` take: never cut.
                #expect(lines.contains { $0.contains(op) }, "\(r.stdout)")
                let carlaLine = try #require(lines.first { $0.contains("Carla") || $0.contains("0012") }, "\(r.stdout)")
                // A cut number keeps the tail that tells it apart.
                let number = "+5511900000012"
                #expect(carlaLine.contains(number) || (carlaLine.contains("…") && carlaLine.contains(String(number.suffix(4)))), "\(carlaLine)")
                if width == 80 {
                    #expect(lines.contains { $0.contains("remove 2 in \"Team Alpha\" on alpha") }, "\(r.stdout)")
                    #expect(carlaLine.contains("Carla Dias") && carlaLine.contains("done"))
                    #expect(!r.stdout.contains(TinyFixture.alpha), "the session's id is for --wide")
                }
            }
            // --json is never cut.
            env["COLUMNS"] = "40"
            let json = try await runWamod(["audit", "--json"], env: env)
            let records = json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(records.count == 3)
            #expect(records.first?["subject"] as? String == "Team Alpha" && records.first?["sessionLabel"] as? String == alpha)
            #expect(records.contains { $0["type"] as? String == "result" && $0["name"] as? String == "Carla Dias" && $0["subject"] as? String == "Team Alpha" })
        }
    }

    @Test("--wide shows every column in full; --op one operation with every result")
    func wideAndOne() async throws {
        try await withSim(.v1) { f in
            var env = f.env
            env["WAMOD_AUDIT"] = scratchAuditPath()
            env["COLUMNS"] = "80"
            let op = try await removeTwo(f, env: env)
            let wide = try await runWamod(["audit", "--wide"], env: env)
            #expect(wide.status == 0)
            for s in [TinyFixture.alpha, TinyFixture.teamAlpha.string, carla.string, davi.string, "Carla Dias", "reason: spam wave"] {
                #expect(wide.stdout.contains(s), "\(s) missing from\n\(wide.stdout)")
            }
            #expect(wide.stdout.split(separator: "\n").contains { CellWidth.of(String($0)) > 80 })

            let one = try await runWamod(["audit", "--op", op], env: env)
            #expect(one.status == 0, "\(one.stderr)")
            #expect(one.stdout.contains("\"Team Alpha\" (\(TinyFixture.teamAlpha.string))"))
            #expect(one.stdout.contains("alpha (\(TinyFixture.alpha))"))
            for header in ["NAME", "JID", "OUTCOME", "REASON", "HTTP", "LATENCY", "RESUMABLE"] { #expect(one.stdout.contains(header)) }
            let row = try #require(one.stdout.split(separator: "\n").first { $0.contains(carla.string) }, "\(one.stdout)")
            #expect(row.contains("Carla Dias") && row.contains("done") && row.contains("204") && row.contains(" ms") && row.contains("no"))
            let oneJSON = try await runWamod(["audit", "--op", op, "--json"], env: env)
            #expect(oneJSON.stdout.split(separator: "\n").count == 3)
            let missing = try await runWamod(["audit", "--op", "no-such-op"], env: env)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("no operation no-such-op"))
        }
    }

    @Test("a file written before names were recorded reads, with numbers and JIDs in their place")
    func oldFile() async throws {
        let path = scratchAuditPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let lines = [
            #"{"action":"remove","dialect":"v1","dryRun":false,"gateway":"https://gw.example.com","group":"120363000000000001@g.us","op":"mold-1","profile":"support","session":"01J9ZX8K2QHV0M3T6R7P4N5WA1","targets":["5511900000012@s.whatsapp.net"],"time":"2026-01-01T10:00:00.000Z","type":"operation","user":"op"}"#,
            #"{"group":"120363000000000001@g.us","httpStatus":204,"latencyMs":12,"op":"mold-1","outcome":"done","session":"01J9ZX8K2QHV0M3T6R7P4N5WA1","target":"5511900000012@s.whatsapp.net","time":"2026-01-01T10:00:01.000Z","type":"result"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let r = try await runWamod(["audit", "--file", path], env: ["COLUMNS": "100"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("remove 1 in 120363000000000001@g.us"), "\(r.stdout)")
        #expect(r.stdout.contains("+5511900000012") && r.stdout.contains("HTTP 204"))
        let one = try await runWamod(["audit", "--file", path, "--op", "mold-1"], env: ["COLUMNS": "100"])
        #expect(one.status == 0 && one.stdout.contains("5511900000012@s.whatsapp.net"), "\(one.stdout)\(one.stderr)")
    }

    @Test("undo names the people it puts back, from the audit record (they are no longer in the group)")
    func undoNames() async throws {
        try await withSim(.v1) { f in
            var env = f.env
            env["WAMOD_AUDIT"] = scratchAuditPath()
            let op = try await removeTwo(f, env: env)
            let dry = try await runWamod(["undo", op, "--dry-run", "--json"] + f.gatewayArgs, env: env)
            #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
            let rows = (try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["target"] as? String == carla.string }?["name"] as? String == "Carla Dias", "\(dry.stdout)")
            #expect(rows.first { $0["target"] as? String == davi.string }?["name"] as? String == "Davi Rocha")
            let back = try await runWamod(["undo", op, "--yes"] + f.gatewayArgs, env: env)
            #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(carla) })
            // The undo's own records carry the names too.
            env["COLUMNS"] = "100"
            let audit = try await runWamod(["audit"], env: env)
            #expect(audit.stdout.contains("add 2 in \"Team Alpha\""), "\(audit.stdout)")
            #expect(audit.stdout.split(separator: "\n").filter { $0.contains("Carla Dias") }.count == 2, "\(audit.stdout)")
        }
    }
}
