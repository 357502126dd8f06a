import Foundation
import GatewayKit
import Testing
import WamodModel

/// The audit log's RFC 5424 form: what a syslog daemon or journald receives for each line.
@Suite struct AuditSyslogTests {
    func record(outcome: String? = "done", subject: String? = "Team Alpha") -> AuditRecord {
        var r = AuditRecord(type: "result", op: "m1abc-12345678", time: "2026-12-02T10:00:00.123Z")
        r.target = "5511900000012@s.whatsapp.net"; r.outcome = outcome; r.subject = subject
        return r
    }

    @Test func aResultIsOneRFC5424MessageWithTheFieldsAndTheLine() {
        let line = #"{"op":"m1abc-12345678","outcome":"done","type":"result"}"#
        let m = AuditSyslog.message(record(), line: line, host: "bastion-1", pid: 4242)
        // authpriv (10) × 8 + notice (5) = 85; version 1; the record's time; host, app, pid, MSGID.
        #expect(m.hasPrefix("<85>1 2026-12-02T10:00:00.123Z bastion-1 wamod 4242 result [wamod@32473 type=\"result\" op=\"m1abc-12345678\""), "\(m)")
        #expect(m.contains(#"target="5511900000012@s.whatsapp.net""#) && m.contains(#"outcome="done""#) && m.contains(#"subject="Team Alpha""#))
        // MSG: a BOM, then the file's line, whole.
        #expect(m.hasSuffix("] \u{FEFF}" + line), "\(m)")
    }

    @Test func aFailedResultIsAWarning() {
        let m = AuditSyslog.message(record(outcome: "failed"), line: "{}", host: "h", pid: 1)
        #expect(m.hasPrefix("<84>1 "), "authpriv.warning: \(m)")
        #expect(AuditSyslog.message(record(outcome: "skipped"), line: "{}", host: "h", pid: 1).hasPrefix("<85>1 "))
    }

    @Test func hostileTextCannotBreakTheStructuredData() {
        let m = AuditSyslog.message(record(subject: "VIP\"] [evil x=\"1\u{1B}[31m\\"), line: "{}", host: "h o\u{7}st", pid: 1)
        #expect(m.contains(#"subject="VIP\"\] [evil x=\"1�[31m\\""#), "\(m)")
        // One SD element: the only unescaped `]` ends it.
        let sd = m.split(separator: " ", maxSplits: 6)[6]
        var escaped = false, closes = 0
        for ch in sd {
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true } else if ch == "]" { closes += 1 }
        }
        #expect(closes == 1, "\(m)")
        #expect(m.contains(" host wamod "), "a header field keeps printable ASCII without spaces: \(m)")
    }

    @Test func aSecretIsMaskedInTheFieldsAsInTheLine() {
        let secret = "sk-syslog-\(UUID().uuidString)"
        Secrets.register(secret)
        var r = record()
        r.detail = "the gateway said: bad token \(secret)"
        let m = AuditSyslog.message(r, line: Secrets.mask(#"{"detail":"\#(secret)"}"#), host: "h", pid: 1)
        #expect(!m.contains(secret), "\(m)")
    }

    @Test func aGiantRecordIsCut() {
        let m = AuditSyslog.message(record(subject: String(repeating: "é", count: 40_000)), line: "{}", host: "h", pid: 1)
        #expect(m.utf8.count <= AuditSyslog.maxMessage && m.hasSuffix("…"))
    }

    @Test func turnedOnByTheEnvironment() {
        #expect(AuditSyslog.fromEnvironment([:]) == nil)
        #expect(AuditSyslog.fromEnvironment(["WAMOD_AUDIT_SYSLOG": "off"]) == nil)
        #expect(AuditSyslog.fromEnvironment(["WAMOD_AUDIT_SYSLOG": "1"])?.socketPath == "/dev/log")
        #expect(AuditSyslog.fromEnvironment(["WAMOD_AUDIT_SYSLOG": "/run/x.sock"])?.socketPath == "/run/x.sock")
    }
}
