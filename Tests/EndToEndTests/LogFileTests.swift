import Foundation
import GatewayKit
import GatewaySim
import TestSupport
import Testing

/// `--log-file` / `WAMOD_LOG`: the client's requests and errors through swift-log, in a file of
/// the operator's, with levels; nothing of it on the terminal, no token in it.
@Suite("command line: the log file", .serialized, .spawnsProcesses)
struct LogFileTests {
    func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wamod-log-\(UUID().uuidString)/wamod.log").path
    }

    @Test("--log-file writes each request with its level, status and latency; the file is the operator's alone; no token")
    func requestsLogged() async throws {
        try await withSim(.waha) { f in
            let log = scratch()
            let r = try await runWamod(["sessions", "--log-file", log] + f.gatewayArgs, env: f.env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let text = try String(contentsOfFile: log, encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.contains { $0.contains(" info wamod.gateway: GET /api/sessions") && $0.contains("status=200") && $0.contains("latency_ms=") }, "\(text)")
            #expect(!text.contains(f.token), "no token in the log")
            #expect(!r.stderr.contains("GET /api"), "nothing on the terminal: \(r.stderr)")
            let mode = (try FileManager.default.attributesOfItem(atPath: log)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600)
        }
    }

    @Test("WAMOD_LOG names the file too; a failure is logged as an error with the message the operator saw")
    func failuresLogged() async throws {
        let log = scratch()
        // Nothing listens on port 9 of loopback.
        let r = try await runWamod(["sessions", "--gateway", "http://127.0.0.1:9", "--dialect", "v1", "--timeout", "2"],
                                   env: ["WAMOD_TOKEN": "t-\(UUID().uuidString)", "WAMOD_LOG": log])
        #expect(r.status == Int32(3), "unreachable: \(r.stderr)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains(" error wamod.gateway: GET /") && text.contains("status=---"), "the request that got no answer: \(text)")
        #expect(text.contains(" error wamod.gateway: ") && text.contains("command=sessions"), "the command's failure: \(text)")
    }

    @Test("WAMOD_LOG_LEVEL=warning keeps only warnings and errors; an unknown level is a usage error")
    func levels() async throws {
        try await withSim(.v1) { f in
            let log = scratch()
            var env = f.env
            env["WAMOD_LOG"] = log
            env["WAMOD_LOG_LEVEL"] = "warning"
            #expect(try await runWamod(["sessions"] + f.gatewayArgs, env: env).status == 0)
            let none = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(!none.contains("GET /"), "a 200 is info, below warning: \(none)")
            env["WAMOD_LOG_LEVEL"] = "loud"
            let bad = try await runWamod(["sessions"] + f.gatewayArgs, env: env)
            #expect(bad.status == 2 && bad.stderr.contains("WAMOD_LOG_LEVEL is one of"), "\(bad.stderr)")
        }
    }
}
