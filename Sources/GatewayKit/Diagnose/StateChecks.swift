import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The state directory as `wamod doctor` sees it: can it be written, is the audit log
/// private and writable, and what the journal holds (operations interrupted, operations
/// running now, and journals held by a process that is stopped, which nothing can resume
/// until it goes on or is ended).
public enum StateChecks {
    public static func run(environment: [String: String] = ProcessInfo.processInfo.environment) -> [Check] {
        let state = Paths(environment: environment).stateDirectory
        let audit = AuditLog.defaultPath(environment: environment)
        var checks = [directory(state)]
        checks.append(auditFile(audit))
        checks += journal(Journal.beside(auditPath: audit))
        return checks
    }

    /// The state directory exists and can be written (a file made and removed there), or
    /// can be made.
    static func directory(_ path: String) -> Check {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            var parent = (path as NSString).deletingLastPathComponent
            while !parent.isEmpty, parent != "/", !FileManager.default.fileExists(atPath: parent) { parent = (parent as NSString).deletingLastPathComponent }
            if access(parent.isEmpty ? "/" : parent, W_OK) == 0 {
                return .ok("state", "\(path) does not exist yet: it is made at the first operation")
            }
            return .fail("state", "\(path) does not exist and \(parent) cannot be written",
                         hint: "mkdir -p \(path) as your user, or set XDG_STATE_HOME to a folder you own")
        }
        guard isDir.boolValue else {
            return .fail("state", "\(path) is not a folder", hint: "move it aside: wamod keeps its audit log and journal there")
        }
        let probe = path + "/.wamod-doctor-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            return .fail("state", "\(path) cannot be written: \(why)", hint: "free space or fix its owner and mode (ls -ld \(path)); no operation runs without its record")
        }
        close(fd)
        unlink(probe)
        return .ok("state", "\(path) is writable")
    }

    /// The audit log: private (it is refused otherwise) and open for appending.
    static func auditFile(_ path: String) -> Check {
        var st = stat()
        guard stat(path, &st) == 0 else { return .ok("audit", "no audit log yet (\(path))") }
        if st.st_mode & 0o077 != 0 {
            return .fail("audit", "the audit log \(path) is open to group or others (mode \(String(st.st_mode & 0o777, radix: 8))): operations refuse to run",
                         hint: "chmod 600 \(path)")
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else {
            return .fail("audit", "the audit log \(path) cannot be appended to: \(String(cString: strerror(errno)))", hint: "check its owner (ls -l \(path))")
        }
        close(fd)
        return .ok("audit", "\(path), \(sizeText(Int64(st.st_size))), private")
    }

    /// Each journal file: interrupted (nobody holds it: resume or discard it), running (a live
    /// process holds it), held by a stopped process, or unreadable.
    static func journal(_ journal: Journal) -> [Check] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: journal.directory)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        guard !names.isEmpty else { return [.ok("journal", "no operation interrupted or running (\(journal.directory))")] }
        let holders = lockHolders()
        var checks: [Check] = []
        for name in names {
            let id = String(name.dropLast(".jsonl".count))
            let path = journal.directory + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                checks.append(.warn("journal", "\(path) cannot be opened: \(String(cString: strerror(errno)))", hint: "check its owner and mode"))
                continue
            }
            defer { close(fd) }
            let free = flock(fd, LOCK_SH | LOCK_NB) == 0
            let pending = Journal.parse(Journal.readAll(fd))
            if free { flock(fd, LOCK_UN) }
            guard let pending else {
                checks.append(.warn("journal", "\(path) is not a journal wamod can read", hint: "move it out of \(journal.directory) if no operation of yours is in it"))
                continue
            }
            if free {
                checks.append(.warn("journal", "\(id) was interrupted: \(pending.summary)", hint: "wamod resume \(id) finishes it; wamod resume \(id) --discard gives it up"))
                continue
            }
            var st = stat()
            let holder = fstat(fd, &st) == 0 ? holders[UInt64(st.st_ino)] : nil
            if let holder, processState(holder) == "T" || processState(holder) == "t" {
                checks.append(.warn("journal", "\(id) is held by process \(holder), which is stopped: \(pending.summary)",
                                    hint: "bring it back (fg in its shell, or kill -CONT \(holder)), or end it (kill \(holder)) and wamod resume \(id)"))
            } else {
                checks.append(.ok("journal", "\(id) is running\(holder.map { " in process \($0)" } ?? ""): \(pending.summary)"))
            }
        }
        return checks
    }

    /// The processes holding `flock` locks, by the inode of the file: from /proc/locks,
    /// `1: FLOCK  ADVISORY  WRITE 4242 fd:01:1311 0 EOF` (waiters, marked `->`, left out).
    static func lockHolders() -> [UInt64: Int32] {
        guard let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return [:] }
        var found: [UInt64: Int32] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 6, f[1] == "FLOCK", let pid = Int32(f[4]) else { continue }
            let device = f[5].split(separator: ":")
            guard device.count == 3, let inode = UInt64(device[2]) else { continue }
            found[inode] = pid
        }
        return found
    }

    /// The state letter of a process (`R`, `S`, `T` stopped, …) from /proc; nil when gone.
    static func processState(_ pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init)
    }

    static func sizeText(_ bytes: Int64) -> String {
        bytes < 1024 ? "\(bytes) B" : bytes < 1 << 20 ? "\(bytes >> 10) KB" : "\(bytes >> 20) MB"
    }
}
