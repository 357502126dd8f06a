import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GatewayKit
import GatewaySim
import TestSupport
import Testing

/// `WAMOD_AUDIT_SYSLOG`: a removal's audit lines reach a syslog socket, one RFC 5424 message
/// each, while the file keeps them all; a syslog that is not there loses nothing.
@Suite("command line: the audit log forwarded to syslog", .serialized, .spawnsProcesses)
struct AuditSyslogEndToEndTests {
    /// A Unix datagram socket bound where a syslog daemon's would be, read without blocking.
    final class Listener {
        let path: String
        let fd: Int32
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-log-\(UUID().uuidString.prefix(8)).sock").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
                raw[bytes.count] = 0
            }
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        func drain() -> [String] {
            var out: [String] = []
            var buf = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                out.append(String(decoding: buf[0..<n], as: UTF8.self))
            }
            return out
        }
        deinit {
            close(fd)
            unlink(path)
        }
    }

    @Test("a removal's operation and results reach the socket, each the file's line after RFC 5424's header")
    func forwarded() async throws {
        try await withSim(.v1) { f in
            let listener = try Listener()
            var env = f.env
            let audit = scratchAuditPath()
            env["WAMOD_AUDIT"] = audit
            env["WAMOD_AUDIT_SYSLOG"] = listener.path
            let carla = TinyFixture.plainMembers[0]
            let r = try await runWamod(["remove", TinyFixture.alphaLabel, "Team Alpha", carla.string, "--yes", "--reason", "spam wave"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let messages = listener.drain()
            let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count >= 2, "an operation and a result")
            #expect(messages.count == lines.count, "one message per line: \(messages)")
            for (m, line) in zip(messages, lines) {
                #expect(m.hasPrefix("<8"), "authpriv: \(m)")
                #expect(m.hasSuffix("\u{FEFF}" + line), "the file's line, whole: \(m)")
            }
            #expect(messages.first?.contains(#" operation [wamod@32473 type="operation""#) == true, "\(messages)")
            #expect(messages.first?.contains(#"reason="spam wave""#) == true)
            #expect(messages.last?.contains(#"outcome="done""#) == true)
            #expect(!messages.joined().contains(f.token), "no token")
            #expect(!r.stderr.contains("syslog"), "no warning when it went through: \(r.stderr)")
        }
    }

    @Test("with no syslog listening, the removal still goes through, the file has every record, and the operator is told once")
    func syslogDown() async throws {
        try await withSim(.v1) { f in
            var env = f.env
            let audit = scratchAuditPath()
            env["WAMOD_AUDIT"] = audit
            env["WAMOD_AUDIT_SYSLOG"] = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).sock").path
            let carla = TinyFixture.plainMembers[0]
            let r = try await runWamod(["remove", TinyFixture.alphaLabel, "Team Alpha", carla.string, "--yes"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(carla) })
            let (records, _) = try AuditLog.read(path: audit)
            #expect(records.contains { $0.type == "result" && $0.outcome == "done" })
            let warnings = r.stderr.split(separator: "\n").filter { $0.contains("did not reach syslog") }
            #expect(warnings.count == 1, "\(r.stderr)")
            #expect(warnings.first?.contains("the audit file has every record") == true)
        }
    }
}
