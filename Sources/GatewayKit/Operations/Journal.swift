import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where running operations are written down so that a crash, a kill or a dropped SSH link
/// leaves something to resume.
///
/// Each operation is one file, `<id>.jsonl`: its plan on the first line, then one line per
/// step that ended, each flushed to disk before the result is reported. The process that
/// runs the operation holds an exclusive `flock` on the file; the kernel drops it when the
/// process dies however it dies, so a journal nobody holds is one to resume. The file is
/// removed when every step has a result.
public struct Journal: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `journal/` beside the audit file: `$XDG_STATE_HOME/wamod/journal` by default.
    public static func beside(auditPath: String) -> Journal {
        let dir = (auditPath as NSString).deletingLastPathComponent
        return Journal(directory: (dir.isEmpty ? "." : dir) + "/journal")
    }

    func path(_ id: String) -> String { directory + "/" + id + ".jsonl" }

    /// Writes the plan and holds the file until the operation ends. Throws (and nothing may
    /// be sent) when it cannot be written.
    public func begin(_ plan: OperationPlan) throws(GatewayError) -> JournalEntry {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let p = path(plan.id)
        let fd = open(p, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot write the journal \(p): \(String(cString: strerror(errno))); nothing was sent") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .storage("the journal \(p) is held by another process")
        }
        let entry = JournalEntry(fd: fd, path: p)
        guard let line = JournalLine.encode(plan) else {
            entry.finish()
            throw .storage("cannot encode the operation's plan")
        }
        do throws(GatewayError) { try entry.write(line) } catch {
            entry.finish()
            throw error
        }
        return entry
    }

    /// Operations whose journal nobody holds: interrupted ones, oldest first. Files that do
    /// not parse are reported by name, not fatal.
    public func pending() -> [PendingOperation] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [PendingOperation] = []
        for name in names.sorted() where name.hasSuffix(".jsonl") {
            let id = String(name.dropLast(".jsonl".count))
            guard let p = peek(id) else { continue }
            found.append(p)
        }
        return found.sorted { $0.plan.created < $1.plan.created }
    }

    /// Reads one journal if no running process holds it.
    public func peek(_ id: String) -> PendingOperation? {
        let fd = open(path(id), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // A shared lock is refused while the running operation holds its exclusive one.
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return nil }
        defer { flock(fd, LOCK_UN) }
        return Self.parse(Self.readAll(fd))
    }

    /// Operations another process is running or resuming now (their journal is held), read
    /// without taking the lock.
    public func running() -> [PendingOperation] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [PendingOperation] = []
        for name in names.sorted() where name.hasSuffix(".jsonl") {
            let fd = open(directory + "/" + name, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if flock(fd, LOCK_SH | LOCK_NB) == 0 { flock(fd, LOCK_UN); continue }
            if let p = Self.parse(Self.readAll(fd)) { found.append(p) }
        }
        return found.sorted { $0.plan.created < $1.plan.created }
    }

    /// The running operation of someone else that was planned before `mine` and still has
    /// steps for one of `targets` in the group `key`.
    public func earlierOperation(on key: OperationGroupKey, targets: Set<JID>, mine: OperationPlan) -> PendingOperation? {
        running().first { other in
            other.plan.id != mine.id && other.plan.precedes(mine) && other.remaining.contains { i in
                let s = other.plan.steps[i]
                return s.session == key.session && s.group == key.group && (targets.contains(s.target) || other.plan.action.targetsGroups)
            }
        }
    }

    /// Waits while an earlier operation of another process acts on the same people in the
    /// same group (its journal is held and has their steps left), telling `onEvent` who it is.
    func waitForOthers(on key: OperationGroupKey, targets: Set<JID>, mine: OperationPlan, entry: JournalEntry,
                       clock: any OperationClock, onEvent: (OperationEvent) -> Void) async {
        var told: String?
        while !Task.isCancelled, let other = earlierOperation(on: key, targets: targets, mine: mine) {
            let who = "operation \(other.plan.id) by \(other.plan.user)\(other.plan.pid.map { " (pid \($0))" } ?? "")"
            if told != who {
                onEvent(.waiting(seconds: 1, reason: "\(who) is acting on these people in this group; waiting for it to finish, then reading the group again"))
                told = who
            }
            try? await Task.sleep(nanoseconds: 500_000_000)
        }
    }

    /// Takes over an interrupted operation's journal to finish it. Nil when it does not exist
    /// or another process holds it (someone is resuming it already).
    public func take(_ id: String) -> (JournalEntry, PendingOperation)? {
        let fd = open(path(id), O_RDWR | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        guard let p = Self.parse(Self.readAll(fd)) else { flock(fd, LOCK_UN); close(fd); return nil }
        return (JournalEntry(fd: fd, path: path(id)), p)
    }

    /// `take`, with the results the audit log holds for the operation added to the journal
    /// (a process killed between writing a result to the audit log and to the journal).
    public func takeOver(_ id: String, audit records: [AuditRecord]) -> (JournalEntry, PendingOperation)? {
        guard let (entry, journaled) = take(id) else { return nil }
        let p = journaled.merging(audit: records)
        for (i, o) in p.ended where journaled.ended[i] == nil { try? entry.record(step: i, outcome: o) }
        return (entry, p)
    }

    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        lseek(fd, 0, SEEK_SET)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        return data
    }

    static func parse(_ data: Data) -> PendingOperation? {
        let lines = data.split(separator: 0x0A)
        guard let first = lines.first, let plan = try? JSONDecoder().decode(OperationPlan.self, from: Data(first)) else { return nil }
        var ended: [Int: String] = [:]
        for line in lines.dropFirst() {
            // A line cut short by a crash mid-write is ignored: its step is re-checked on resume.
            guard let s = try? JSONDecoder().decode(JournalLine.self, from: Data(line)), plan.steps.indices.contains(s.step) else { continue }
            // A deferred step (not sent, or its effect unknown, for a reason that can pass)
            // is still to do; a later line for it (after a resume) ends it.
            if s.outcome == JournalLine.deferred { ended[s.step] = nil } else { ended[s.step] = s.outcome }
        }
        return PendingOperation(plan: plan, ended: ended)
    }
}

/// A step that ended, as the journal records it.
struct JournalLine: Codable {
    var step: Int
    var outcome: String

    /// The outcome written for a step that is not final: it stays to resume.
    static let deferred = "deferred"

    static func encode<T: Encodable>(_ value: T) -> Data? {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var d = try? e.encode(value) else { return nil }
        d.append(0x0A)
        return d
    }
}

/// An operation's journal file, held while it runs.
public final class JournalEntry: Sendable {
    // The descriptor is written from one task at a time (the operation's); the mutex guards
    // against a stray second caller all the same, and lets the compiler check it.
    private struct Handle: Sendable { var fd: Int32; var closed = false }
    private let handle: Mutex<Handle>
    public let path: String

    init(fd: Int32, path: String) { handle = Mutex(Handle(fd: fd)); self.path = path }

    func write(_ data: Data) throws(GatewayError) {
        let ok: Bool? = handle.withLock { h in
            guard !h.closed else { return nil }
            let fd = h.fd
            let written = data.withUnsafeBytes { raw -> Bool in
                var off = 0
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress!.advanced(by: off), raw.count - off)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    off += n
                }
                return true
            }
            return written && fsync(fd) == 0
        }
        guard ok != false else { throw .storage("cannot write the journal \(path): \(String(cString: strerror(errno)))") }
    }

    /// Records that step `index` ended.
    public func record(step index: Int, outcome: String) throws(GatewayError) {
        guard let line = JournalLine.encode(JournalLine(step: index, outcome: outcome)) else { return }
        try write(line)
    }

    /// Every step has a result: the journal is removed.
    public func finish() {
        let path = path
        handle.withLock { h in
            guard !h.closed else { return }
            unlink(path)
            flock(h.fd, LOCK_UN)
            close(h.fd)
            h.closed = true
        }
    }

    /// Lets go of the journal without removing it (the operation stays resumable).
    public func release() {
        handle.withLock { h in
            guard !h.closed else { return }
            flock(h.fd, LOCK_UN)
            close(h.fd)
            h.closed = true
        }
    }

    deinit { release() }
}

/// An interrupted operation: its plan and the steps that ended before it stopped.
public struct PendingOperation: Sendable, Hashable {
    public var plan: OperationPlan
    /// Step index to outcome kind.
    public var ended: [Int: String]

    public init(plan: OperationPlan, ended: [Int: String]) { self.plan = plan; self.ended = ended }

    /// Adds the results the audit log holds for this operation: a process killed between
    /// writing a result to the audit log and to the journal leaves the step ended in one only.
    public func merging(audit records: [AuditRecord]) -> PendingOperation {
        var p = self
        for r in records where r.type == "result" && r.op == plan.id && r.resumable != true {
            guard let t = r.target else { continue }
            for i in plan.steps.indices where p.ended[i] == nil && plan.steps[i].target.string == t
                && (r.group == nil || r.group == plan.steps[i].group.string) && (r.session == nil || r.session == plan.steps[i].session) {
                p.ended[i] = r.outcome ?? "ended"
                break
            }
        }
        return p
    }

    /// Steps without a result, in plan order.
    public var remaining: [Int] { plan.steps.indices.filter { ended[$0] == nil } }

    /// "remove 4 of 10 left in 1 group, started 2026-11-22 04:10 by ana".
    public var summary: String {
        let groups = Set(remaining.map { OperationGroupKey(session: plan.steps[$0].session, group: plan.steps[$0].group) }).count
        let when = plan.created.prefix(16).replacingOccurrences(of: "T", with: " ")
        let what = plan.action.targetsGroups ? "\(plan.action.rawValue): \(remaining.count) of \(plan.steps.count) groups left"
            : "\(plan.action.rawValue): \(remaining.count) of \(plan.steps.count) left in \(groups) group\(groups == 1 ? "" : "s")"
        return "\(what), started \(when) UTC by \(plan.user)"
    }
}
