import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One line of the audit file: an operation's start ("operation"), one target's result
/// ("result"), the continuation of an interrupted operation ("resume"), or an interrupted
/// operation given up ("abandoned").
/// Never carries a token: the gateway is recorded as scheme, host, port and path only.
public struct AuditRecord: Codable, Sendable, Hashable {
    /// "operation", "result", "resume" or "abandoned".
    public var type: String
    /// The operation this line belongs to.
    public var op: String
    /// ISO 8601, UTC, with milliseconds.
    public var time: String
    // An operation's start.
    public var user: String?
    public var client: String?
    public var profile: String?
    public var gateway: String?
    public var dialect: String?
    public var session: String?
    public var group: String?
    public var action: String?
    public var targets: [String]?
    public var reason: String?
    public var dryRun: Bool?
    /// Each request's session, group and target, when an operation spans several groups.
    public var steps: [AuditStep]?
    /// The operation this one undoes.
    public var undoes: String?
    // A target's result.
    public var target: String?
    public var outcome: String?
    public var detail: String?
    public var httpStatus: Int?
    public var latencyMs: Int?
    /// A result that is not final (not sent, or its effect unknown, for a reason that can
    /// pass): the step stays in the journal, and a later result for the target supersedes it.
    public var resumable: Bool?
    // Names at the time of the operation, so the log reads without the gateway (fields only
    // ever added: records written before them lack them, and readers fall back to the JIDs).
    /// A result's target as the group showed it then: the participant's display name (for a
    /// leave, the group's subject).
    public var name: String?
    /// The group's subject then: a result's, and an operation's when it acts in one group.
    public var subject: String?
    /// An operation's session label then, when it acts through one session.
    public var sessionLabel: String?
    /// An operation's targets' display names then, by target (those that had one).
    public var names: [String: String]?
    /// An operation's groups' subjects then, by group JID, when it spans several groups.
    public var subjects: [String: String]?
    // The incident toolkit (fields only added, as above).
    /// A settings operation's change (a lock's, an unlock's); each step's own for an undo.
    public var settings: GroupSettings?
    /// A settings result: the settings it changed as they were before (what an undo puts back).
    public var before: GroupSettings?
    /// A leave's result: the invite link read just before leaving (a way back).
    public var inviteLink: String?
    /// A removal's operation: the exit notice's text; a result: what became of it.
    public var notice: String?

    public init(type: String, op: String, time: String) {
        self.type = type; self.op = op; self.time = time
    }
}

/// Who acts, from where, through what: the part of every operation record that does not change.
public struct AuditContext: Sendable, Hashable {
    public var user: String
    public var client: String?
    public var profile: String
    public var gateway: String
    public var dialect: String

    public init(user: String, client: String?, profile: String, gateway: String, dialect: String) {
        self.user = user; self.client = client; self.profile = profile; self.gateway = gateway; self.dialect = dialect
    }

    /// From the environment: `$USER`, and the client address in `SSH_CONNECTION`.
    public static func current(profile: Profile, environment: [String: String] = ProcessInfo.processInfo.environment) -> AuditContext {
        let client = environment["SSH_CONNECTION"]?.split(separator: " ").first.map(String.init)
        return AuditContext(user: environment["USER"] ?? environment["LOGNAME"] ?? loginName() ?? "unknown", client: client,
                            profile: profile.name, gateway: safeURL(profile.baseURL), dialect: profile.dialect.rawValue)
    }

    /// The login name of the process's user, when the environment does not say it (a
    /// systemd unit, a tmux pane started with a bare environment).
    static func loginName() -> String? {
        guard let pw = getpwuid(getuid()), let name = pw.pointee.pw_name else { return nil }
        let s = String(cString: name)
        return s.isEmpty ? nil : s
    }

    /// A URL without user info, query or fragment.
    public static func safeURL(_ url: URL) -> String {
        var c = URLComponents(url: url, resolvingAgainstBaseURL: false) ?? URLComponents()
        c.user = nil; c.password = nil; c.query = nil; c.fragment = nil
        return c.string ?? (url.host ?? "gateway")
    }
}

/// The append-only audit file, JSON Lines. Each record is one `write` to a file opened with
/// O_APPEND under an exclusive lock, then flushed to disk, before the result is reported; so
/// several operators appending at once never tear a line.
public final class AuditLog: Sendable {
    public let path: String
    /// Where each line also goes once it is in the file (`WAMOD_AUDIT_SYSLOG`), or nil.
    public let syslog: AuditSyslog?

    public init(path: String, syslog: AuditSyslog? = AuditSyslog.fromEnvironment()) {
        self.path = path
        self.syslog = syslog
    }

    /// `$WAMOD_AUDIT`, else `$XDG_STATE_HOME/wamod/audit.jsonl`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["WAMOD_AUDIT"], !p.isEmpty { return p }
        return Paths(environment: environment).stateDirectory + "/audit.jsonl"
    }

    public static func newOperationID() -> String {
        let t = Int(Date().timeIntervalSince1970 * 1000)
        return String(t, radix: 36) + "-" + UUID().uuidString.prefix(8).lowercased()
    }

    public static func timestamp(_ d: Date = Date()) -> String {
        TimeText.iso8601(d)
    }

    public func append(_ record: AuditRecord) throws(GatewayError) {
        try append([record])
    }

    /// Appends records, each a whole line, in one locked, flushed write; then, where syslog
    /// forwarding is on, sends the same lines there (a failure there is reported once, at exit,
    /// and loses nothing: the file has them).
    public func append(_ records: [AuditRecord]) throws(GatewayError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        var forwarded: [String] = []
        for r in records {
            guard let line = try? encoder.encode(r) else { continue }
            // A secret a gateway echoed back (in an error's detail, say) is never recorded.
            let masked = Secrets.mask(String(decoding: line, as: UTF8.self))
            data.append(Data(masked.utf8))
            data.append(0x0A)
            if syslog != nil { forwarded.append(AuditSyslog.message(r, line: masked)) }
        }
        try writeLocally(data)
        if let syslog, !forwarded.isEmpty {
            do { try syslog.send(forwarded) } catch { SyslogTrouble.shared.note(error.message) }
        }
    }

    private func writeLocally(_ data: Data) throws(GatewayError) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot open the audit log \(path): \(String(cString: strerror(errno))); nothing was sent") }
        defer { close(fd) }
        // Like a token file: who did what to whom is for its owner to read.
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & 0o077 != 0 {
            throw .storage("the audit log \(path) is readable or writable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))): run chmod 600 \(path); nothing was sent")
        }
        guard flock(fd, LOCK_EX) == 0 else { throw .storage("cannot lock the audit log \(path)") }
        defer { flock(fd, LOCK_UN) }
        let written = data.withUnsafeBytes { raw -> Int in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress!.advanced(by: off), raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return -1 }
                off += n
            }
            return off
        }
        guard written == data.count, fsync(fd) == 0 else {
            throw .storage("cannot write the audit log \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Every record of a file; lines that do not parse are counted, not fatal.
    public static func read(path: String) throws(GatewayError) -> (records: [AuditRecord], unreadable: Int) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], 0) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .storage("cannot read the audit log \(path)") }
        var records: [AuditRecord] = []
        var bad = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            if let r = try? decoder.decode(AuditRecord.self, from: Data(line)) { records.append(r) } else { bad += 1 }
        }
        return (records, bad)
    }
}

extension AuditRecord {
    /// The start of an operation.
    public static func operation(id: String, context: AuditContext, session: String, group: String?, action: String,
                                 targets: [String], reason: String?, dryRun: Bool) -> AuditRecord {
        var r = AuditRecord(type: "operation", op: id, time: AuditLog.timestamp())
        r.user = context.user; r.client = context.client; r.profile = context.profile
        r.gateway = context.gateway; r.dialect = context.dialect
        r.session = session; r.group = group; r.action = action; r.targets = targets
        r.reason = reason.flatMap { $0.isEmpty ? nil : $0 }; r.dryRun = dryRun
        return r
    }

    /// One target's result, with the group (and session) it was in when known.
    public static func result(id: String, _ t: TargetResult, session: String? = nil, group: JID? = nil) -> AuditRecord {
        var r = AuditRecord(type: "result", op: id, time: AuditLog.timestamp())
        r.session = session; r.group = group?.string
        r.target = t.target.string; r.outcome = t.outcome.kind; r.detail = t.outcome.reason ?? t.note
        r.httpStatus = t.httpStatus; r.latencyMs = t.latencyMs
        if t.resumable { r.resumable = true }
        r.before = t.before; r.inviteLink = t.inviteLink; r.notice = t.notice
        return r
    }

    /// An interrupted operation taken up again, by whom, for which targets.
    public static func resume(id: String, context: AuditContext, targets: [String]) -> AuditRecord {
        var r = AuditRecord(type: "resume", op: id, time: AuditLog.timestamp())
        r.user = context.user; r.client = context.client; r.profile = context.profile
        r.gateway = context.gateway; r.dialect = context.dialect; r.targets = targets
        return r
    }

    /// An interrupted operation given up: its remaining targets will not be sent.
    public static func abandoned(id: String, context: AuditContext, targets: [String]) -> AuditRecord {
        var r = AuditRecord(type: "abandoned", op: id, time: AuditLog.timestamp())
        r.user = context.user; r.client = context.client; r.targets = targets
        return r
    }
}
