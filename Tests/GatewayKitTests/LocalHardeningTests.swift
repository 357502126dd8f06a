import Foundation
@testable import GatewayKit
import Testing
import TestSupport

/// What the operator's own machine hands wamod, bounded and named for what it is: a token
/// command that never ends, a token file that is a link, an audit file others can read.
@Suite("hardening: token sources and the audit file", .spawnsProcesses)
struct LocalHardeningTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-hard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("a token command that never ends is stopped and named so")
    func commandTimeout() async {
        let started = Date()
        do {
            _ = try await TokenCommand.run("sleep 100", timeout: 1, terminal: .never)
            Issue.record("expected the command to be stopped")
        } catch {
            #expect(error.message.contains("did not finish within 1s"), "\(error.message)")
        }
        // Stopped, not waited out: far below the command's own 100 s.
        #expect(Date().timeIntervalSince(started) < 50)
    }

    @Test("a symbolic link as the token file is refused as a link, not as mode 777")
    func symlinkedTokenFile() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real").path
        try "s3cret\n".write(toFile: real, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: real)
        let link = dir.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        do {
            _ = try await TokenResolver.resolve(.file(link))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("symbolic link"), "\(error.message)")
            // Not a mode complaint (the random scratch path may itself hold "777").
            #expect(!error.message.replacingOccurrences(of: dir.path, with: "").contains("777"))
            #expect(!error.message.contains("s3cret"))
        }
    }

    @Test("an audit file others can read is refused with the fix; a private one is appended to")
    func auditMode() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("audit.jsonl").path
        let log = AuditLog(path: path)
        try log.append(AuditRecord(type: "result", op: "x", time: AuditLog.timestamp()))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        do {
            try log.append(AuditRecord(type: "result", op: "y", time: AuditLog.timestamp()))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.contains("chmod 600"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try log.append(AuditRecord(type: "result", op: "z", time: AuditLog.timestamp()))
        #expect(try AuditLog.read(path: path).records.map(\.op) == ["x", "z"])
    }

    @Test("a secret a gateway echoed into a result's detail is never recorded")
    func auditMasksSecrets() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("audit.jsonl").path
        Secrets.register("audit-secret-0123456789")
        let r = TargetResult(target: JID(kind: .user, user: "5511900000012"),
                             outcome: .failed(.forbidden("token audit-secret-0123456789 may not do this")), httpStatus: 403)
        try AuditLog(path: path).append(.result(id: "op", r))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("audit-secret-0123456789"))
        #expect(text.contains(Redaction.mask))
    }

    @Test("trimmedSpaces gives what Foundation's trimming of spaces and tabs gives")
    func trimmedSpaces() {
        for text in ["", " ", "ana", " ana", "ana\t", "\u{00A0}ana\u{3000}", "ana\n", "\nana", " a b ", "\u{2003}", "😀 ", "e\u{301}"] {
            #expect(text.trimmedSpaces == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
    }

    @Test("names and subjects are clamped when decoded: generous, finite, and exact below the limit")
    func clamps() {
        let exact = String(repeating: "界", count: Limits.subject)
        #expect(Group(jid: JID(kind: .group, user: "1"), subject: exact, size: nil, owner: nil, ourRole: nil).subject == exact)
        let over = exact + "界"
        let g = Group(jid: JID(kind: .group, user: "1"), subject: over, size: nil, owner: nil, ourRole: nil)
        #expect(g.subject.count == Limits.subject && g.subject.hasSuffix("…"))
        let s = Session(id: "S", label: String(repeating: "x", count: 5_000_000), account: nil, connected: true, status: "working")
        #expect(s.label.count == Limits.label)
        // Cut in two steps (to a bound first, then to the limit): the second still ends in "…",
        // whatever secrets the process holds.
        #expect(s.label.hasSuffix("…"))
        let wide = Group(jid: JID(kind: .group, user: "1"), subject: String(repeating: "Ж", count: 1 << 16), size: nil, owner: nil, ourRole: nil)
        #expect(wide.subject.count == Limits.subject && wide.subject.hasSuffix("…"))
        #expect(Participant(phone: nil, lid: nil, name: String(repeating: "n", count: 1000), role: .member).name?.count == Limits.name)
    }
}

@Suite("audit context", .spawnsProcesses)
struct AuditContextTests {
    @Test("who acts falls back from $USER and $LOGNAME to the login name of the process's user")
    func whoFallsBack() throws {
        let profile = Profile(name: "p", dialect: .v1, baseURL: URL(string: "https://gw.example.com")!, token: .environment("T"))
        #expect(AuditContext.current(profile: profile, environment: ["USER": "ana"]).user == "ana")
        let bare = AuditContext.current(profile: profile, environment: [:]).user
        #expect(bare != "unknown" && !bare.isEmpty, "\(bare)")
        #expect(bare == AuditContext.loginName())
    }
}
