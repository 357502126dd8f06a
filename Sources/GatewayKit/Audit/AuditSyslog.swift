import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The audit log forwarded to syslog / the systemd journal: each audit line, once it is in the
/// local file, also goes as one RFC 5424 message over the local syslog socket (`/dev/log`, a
/// Unix datagram socket that journald and rsyslog both listen on), so a team's records reach
/// the central log system its SIEM already reads. The local JSON Lines file stays the source
/// of truth (undo and resume read it); a syslog that is down loses nothing there, and the
/// operator is told once.
///
/// Turned on by `WAMOD_AUDIT_SYSLOG`: `1` (or `on`, `yes`, `true`) for `/dev/log`, or the
/// absolute path of another socket.
///
/// One message per audit line (RFC 5424 §6):
/// `<PRI>1 TIMESTAMP HOSTNAME wamod PID TYPE [wamod@32473 op="…" type="…" …] BOM{the JSON line}`
/// - PRI: facility authpriv (10: security and authorisation messages); severity notice (5),
///   warning (4) for a result that failed or whose effect is unknown.
/// - MSGID: the record's type (`operation`, `result`, `watch`, …).
/// - Structured data: the record's scalar fields (the same names as in the file), under the SD-ID
///   `wamod@32473` (32473 is the enterprise number RFC 5612 sets aside for examples: a
///   private SD-ID needs one, and the project has none of its own).
/// - MSG: the JSON line itself, as written to the file (masked the same way), after a UTF-8 BOM.
public struct AuditSyslog: Sendable {
    public let socketPath: String
    /// Messages longer than this are cut (their JSON is then incomplete, and says so by
    /// `…` at the end): a datagram socket takes some 200 KB, journald's default line limit is 48 KB.
    public static let maxMessage = 32 * 1024

    public init(socketPath: String = "/dev/log") { self.socketPath = socketPath }

    /// From `WAMOD_AUDIT_SYSLOG`; nil when it is unset, empty or off.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> AuditSyslog? {
        guard let v = env["WAMOD_AUDIT_SYSLOG"]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        switch v.lowercased() {
        case "0", "off", "no", "false": return nil
        case "1", "on", "yes", "true": return AuditSyslog()
        default: return v.hasPrefix("/") ? AuditSyslog(socketPath: v) : AuditSyslog()
        }
    }

    /// The RFC 5424 message for one audit record and its line as the file has it (masked).
    public static func message(_ record: AuditRecord, line: String, host: String = Self.hostname(), pid: Int32 = getpid()) -> String {
        let failed = record.outcome.map { $0 != "done" && $0 != "skipped" && $0 != "already" } ?? false
        let pri = 10 * 8 + (failed ? 4 : 5)
        let time = record.time.isEmpty ? AuditLog.timestamp() : record.time
        let msgid = header(record.type, max: 32)
        var sd = "[wamod@32473"
        for (name, value) in fields(record) {
            // Masked as the file's line is: a secret a gateway echoed is never sent on.
            sd += " \(name)=\"\(escape(Secrets.mask(value)))\""
        }
        sd += "]"
        var text = "<\(pri)>1 \(time) \(header(host, max: 255)) wamod \(pid) \(msgid) \(sd) \u{FEFF}\(line)"
        if text.utf8.count > maxMessage {
            var cut = ""
            for ch in text {
                if cut.utf8.count + ch.utf8.count > maxMessage - 3 { break }
                cut.append(ch)
            }
            text = cut + "…"
        }
        return text
    }

    /// The record's scalar fields, as the file names them; lists and nested values stay in the JSON.
    static func fields(_ r: AuditRecord) -> [(String, String)] {
        var out: [(String, String)] = [("type", r.type), ("op", r.op)]
        func add(_ name: String, _ v: String?) { if let v, !v.isEmpty { out.append((name, v)) } }
        add("user", r.user); add("client", r.client); add("profile", r.profile); add("gateway", r.gateway)
        add("dialect", r.dialect); add("session", r.session); add("group", r.group); add("action", r.action)
        add("reason", r.reason); add("undoes", r.undoes); add("target", r.target); add("outcome", r.outcome)
        add("detail", r.detail); add("subject", r.subject); add("sessionLabel", r.sessionLabel); add("name", r.name)
        if let n = r.targets?.count { out.append(("targets", String(n))) }
        if let s = r.httpStatus { out.append(("httpStatus", String(s))) }
        if let d = r.dryRun { out.append(("dryRun", d ? "true" : "false")) }
        return out
    }

    /// A PARAM-VALUE (RFC 5424 §6.3.3): `"`, `\` and `]` escaped with a backslash; control
    /// characters (a subject from the network may hold them) as U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"", "\\", "]": out.append("\\"); out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) { out.append("\u{FFFD}") }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// A header field: printable US-ASCII only, no spaces, at most `max` characters; "-" when empty.
    static func header(_ s: String, max: Int) -> String {
        let kept = String(s.unicodeScalars.filter { $0.value > 32 && $0.value < 127 }.prefix(max).map(Character.init))
        return kept.isEmpty ? "-" : kept
    }

    public static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "-" }
        return String(cString: buf)
    }

    /// Sends the messages, one datagram each. Throws with why when the socket cannot take them.
    public func send(_ messages: [String]) throws(GatewayError) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw .storage("syslog: cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw .storage("syslog: the socket path \(socketPath) is too long") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.enumerated() { raw[i] = b }
            raw[path.count] = 0
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw .storage("syslog: cannot reach \(socketPath): \(String(cString: strerror(errno)))") }
        for m in messages {
            let bytes = Array(m.utf8)
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n == bytes.count else { throw .storage("syslog: \(socketPath) refused a record: \(String(cString: strerror(errno)))") }
        }
    }
}

/// The first syslog failure of the process, told on standard error when it exits (after the
/// console has given the terminal back), with how many records the local file alone holds.
final class SyslogTrouble: @unchecked Sendable {
    static let shared = SyslogTrouble()
    private let lock = NSLock()
    private var first: String?
    private var count = 0

    func note(_ why: String) {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        guard first == nil else { return }
        first = why
        atexit { SyslogTrouble.shared.report() }
    }

    func report() {
        lock.lock()
        defer { lock.unlock() }
        guard let first else { return }
        let text = "wamod: warning: \(count) audit write\(count == 1 ? "" : "s") did not reach syslog (\(first)); the audit file has every record\n"
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
