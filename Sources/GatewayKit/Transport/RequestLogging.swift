import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The client's own log, as k9s keeps one: every request to a gateway (method, path with
/// secrets masked, status, latency, bytes) and every error, through swift-log with levels,
/// written to a file the operator names (`--log-file PATH` or `WAMOD_LOG=PATH`;
/// `WAMOD_LOG_LEVEL` = trace, debug, info, notice, warning, error or critical, default info).
/// Off unless named: nothing is logged to the terminal, which belongs to the console.
///
/// Levels: a request answered 2xx/3xx is `info`; 4xx is `warning`; 5xx, or no answer, is
/// `error`. The command line's final error is `error` too.
public enum RequestLogging {
    private static let state = LockedLogger()

    /// Starts logging to `path` at `level`; called once, at start. Throws when the file cannot
    /// be opened for appending (or is readable by others: like the audit log, it is the
    /// operator's alone).
    public static func start(path: String, level: Logger.Level) throws(GatewayError) {
        let sink = try LogFile(path: path)
        LoggingSystem.bootstrap { label in
            var h = LogFileHandler(label: label, file: sink)
            h.logLevel = level
            return h
        }
        var logger = Logger(label: "wamod.gateway")
        logger.logLevel = level
        state.set(logger)
    }

    /// The level named by `WAMOD_LOG_LEVEL`-style text, or nil.
    public static func level(_ text: String) -> Logger.Level? { Logger.Level(rawValue: text.lowercased()) }

    public static var enabled: Bool { state.get() != nil }

    static func record(_ e: RequestEvent) {
        guard let logger = state.get() else { return }
        let status = e.status.map(String.init) ?? "---"
        let level: Logger.Level = switch e.status {
        case nil: .error
        case let s? where s >= 500: .error
        case let s? where s >= 400: .warning
        default: .info
        }
        var meta: Logger.Metadata = ["method": .string(e.method), "path": .string(e.path), "status": .string(status),
                                     "latency_ms": .stringConvertible(e.latencyMs), "bytes": .stringConvertible(e.bytes)]
        if let why = e.error { meta["error"] = .string(Secrets.mask(why)) }
        logger.log(level: level, "\(e.method) \(e.path) \(status) \(e.latencyMs)ms \(e.bytes)B", metadata: meta)
    }

    /// An error the command line ends with.
    public static func failure(_ message: String, command: String) {
        state.get()?.error("\(Secrets.mask(message))", metadata: ["command": .string(command)])
    }

    /// Anything else worth a line (a start, a stop), at `level`.
    public static func note(_ message: String, level: Logger.Level = .notice) {
        state.get()?.log(level: level, "\(Secrets.mask(message))")
    }
}

private final class LockedLogger: @unchecked Sendable {
    private let lock = NSLock()
    private var logger: Logger?
    func set(_ l: Logger) { lock.lock(); logger = l; lock.unlock() }
    func get() -> Logger? { lock.lock(); defer { lock.unlock() }; return logger }
}

/// The log file: opened once for appending (0600), one write per line under a lock.
final class LogFile: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    init(path: String) throws(GatewayError) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot open the log file \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & 0o077 != 0 {
            close(fd)
            throw .storage("the log file \(path) is readable or writable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))): run chmod 600 \(path)")
        }
    }

    func write(_ line: String) {
        let bytes = Array(line.utf8)
        lock.lock()
        defer { lock.unlock() }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!.advanced(by: off), bytes.count - off) }
            if n < 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}

/// One line per message: `TIME LEVEL LABEL: MESSAGE key=value …`, secrets masked, control
/// characters made visible (a path or an error from the network may hold them).
struct LogFileHandler: LogHandler {
    let label: String
    let file: LogFile
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, file: LogFile) { self.label = label; self.file = file }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
             file _: String, function _: String, line _: UInt) {
        var all = metadata
        if let extra { all.merge(extra) { $1 } }
        var text = "\(AuditLog.timestamp()) \(level.rawValue) \(label): \(Self.clean(message.description))"
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { text += " \(k)=\(Self.quoted(Self.clean(v.description)))" }
        file.write(Secrets.mask(text) + "\n")
    }

    static func quoted(_ s: String) -> String {
        s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || s.isEmpty
            ? "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : s
    }

    /// Control characters as `\u{…}`, so a line stays one line and carries no escape sequence.
    static func clean(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars.prefix(4096) {
            if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value) {
                out += "\\u{\(String(u.value, radix: 16))}"
            } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}
