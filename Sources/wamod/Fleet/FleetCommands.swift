import ArgumentParser
import Foundation
import FleetIndex
import GatewayKit

/// `wamod sync`: fills the fleet index in the foreground, with a progress bar.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Read the fleet's sessions, groups and participants into the index (paced).",
        discussion: """
        The index lets `wamod find` and the console answer at once. Reads are paced per session \
        (the profile's sync_reads_per_minute, default 30) and at most sync_sessions_at_once \
        sessions (default 8) are read together; a group whose size and subject did not change \
        is read again only after sync_max_age (default 6h). A sync that is stopped resumes where \
        it was on its next run.

        Examples:
          wamod sync --profile support
          wamod sync --profile support --session 01J9ZX8K2QHV0M3T6R7P4N5W8C
          wamod sync --profile support --force --json
        """)

    @OptionGroup var gateway: GatewayOptions
    @Option(name: .long, help: "Only this session (its id or label).") var session: String?
    @Flag(name: .long, help: "Read every group, changed or not.") var force = false
    @Option(name: .long, help: "Reads per session per minute, for this run (over the profile's).") var readsPerMinute: Int?
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Output: Encodable {
        var index: String
        var sessions: Int, groupsListed: Int, groupsRead: Int, groupsSkipped: Int, groupsResumed: Int
        var joined: [Joined]
        var failures: [String]
        var seconds: Double
        var bytes: Int?
    }

    struct Joined: Encodable { var session: String; var group: String; var subject: String; var who: String; var name: String? }

    func run() async throws {
        if let n = readsPerMinute, !(1...600).contains(n) { throw CommandFailure.usage("--reads-per-minute is a whole number from 1 to 600") }
        let (profile, gw) = try await gateway.makeGateway()
        let store = try FleetFiles.store(profile)
        var only: String?
        if let session { only = try await Lookup.session(session, profile: profile, gateway: gw).id }
        let sync = FleetSync(store: store, gateway: gw, budget: FleetFiles.budget(profile, readsPerMinute: readsPerMinute))
        let bar = ProgressLine()
        let tally = SyncTally()
        let started = Date()
        let report = await sync.run(session: only, force: force) { p in
            if let (done, total, note) = tally.take(p) { bar.show(done: done, total: total, note: note) }
        }
        bar.clear()
        let seconds = Date().timeIntervalSince(started)
        store.checkpoint()
        // The file and its write-ahead log: what the index takes on disk.
        let sizes = [store.path, store.path + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
        let bytes: Int? = sizes.isEmpty ? nil : sizes.reduce(0, +)
        if json {
            JSONOutput.print(Output(index: store.path, sessions: report.sessions, groupsListed: report.groupsListed,
                                    groupsRead: report.groupsRead, groupsSkipped: report.groupsSkipped, groupsResumed: report.groupsResumed,
                                    joined: report.joined.map { Joined(session: $0.session.session.label, group: $0.group.group.jid.string,
                                                                       subject: $0.group.group.subject, who: $0.participant.participant.id.string,
                                                                       name: $0.participant.participant.name) },
                                    failures: report.failures, seconds: (seconds * 10).rounded() / 10, bytes: bytes))
        } else {
            var line = "synced \(report.sessions) session\(report.sessions == 1 ? "" : "s"): \(report.groupsListed) groups listed, \(report.groupsRead) read, \(report.groupsSkipped) unchanged"
            if report.resumed { line += ", \(report.groupsResumed) already read before the stop (resumed)" }
            line += " in \(Durations.text(seconds))"
            Stdio.out(line)
            if !report.joined.isEmpty {
                Stdio.out("\(report.joined.count) joined since the last sync:")
                var t = Table(["SESSION", "GROUP", "WHO", "NAME"])
                t.maxWidths = [1: 36, 3: 32]
                for h in report.joined {
                    t.add([h.session.session.label, h.group.group.subject, h.participant.participant.numberText, h.participant.participant.name ?? "-"])
                }
                Stdio.out(t.render())
            }
            Stdio.err("index: \(store.path)\(bytes.map { " (\(ByteCountFormatter.string(fromByteCount: Int64($0), countStyle: .file)))" } ?? "")")
        }
        for f in report.failures { Stdio.err("wamod: not read: \(f)") }
        if report.stopped { throw ExitCode(Exit.someFailed) }
        // An offline session is said, but is not a failure of the sync.
        throw ExitCode(report.failed.isEmpty ? Exit.allDone : Exit.someFailed)
    }
}

/// Sums a sync's progress over its sessions for one bar.
final class SyncTally: @unchecked Sendable {
    private let lock = NSLock()
    private var bySession: [String: (done: Int, total: Int)] = [:]
    private var sessions = 0

    func take(_ p: SyncProgress) -> (Int, Int, String)? {
        lock.lock(); defer { lock.unlock() }
        switch p {
        case .sessions(let n):
            sessions = n
            return (0, 0, "\(n) sessions")
        case .session(let id, let label, let read, let skipped, let total):
            bySession[id] = (read + skipped, total)
            let done = bySession.values.reduce(0) { $0 + $1.done }, all = bySession.values.reduce(0) { $0 + $1.total }
            return (done, all, "groups · \(bySession.count)/\(sessions) sessions · \(label)")
        case .group, .failed:
            return nil
        }
    }
}

/// `wamod watch`: people who must not be in any group the profile administers.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Keep a list of people who must not be in any group this profile administers.",
        discussion: """
        The console raises a listed person as soon as they are seen in a group (an event, a \
        sync, a group opened) and offers their removal; `wamod guard` does so headless. Every \
        change is recorded in the audit log with who made it and why.

        Examples:
          wamod watch add +5511999990000 --reason "spam wave 2026-12-02" --expires 30d
          wamod watch list
          wamod watch remove +5511999990000 --reason "appeal accepted"
        """,
        subcommands: [WatchAdd.self, WatchList.self, WatchRemove.self])
}

struct WatchAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a person to the watchlist (or change their entry).",
        discussion: """
        Examples:
          wamod watch add +5511999990000 --reason "spam wave 2026-12-02" --expires 30d
          wamod watch add 227711339955880@lid --reason "raid" --profile sales
        """)
    @OptionGroup var target: GatewayOptions
    @Argument(help: "A phone number with country code, a user JID or an @lid id.") var who: String
    @Option(name: .long, help: "Why, recorded in the watchlist and the audit log.") var reason: String
    @Option(name: .long, help: "When the entry stops applying: a duration (30d, 12h, 1w) or a date (2026-12-31).") var expires: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let person: JID
        do { person = try JID.member(who) } catch { throw error.failure }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw CommandFailure.usage("--reason is required: say why they are listed") }
        var until: Date?
        if let expires {
            guard let d = Durations.until(expires), d > Date() else { throw CommandFailure.usage("--expires takes a duration (30d, 12h, 1w) or a future date (2026-12-31)") }
            until = d
        }
        let profile = try target.resolveProfile()
        let list = try FleetFiles.watchlist(profile)
        let context = AuditContext.current(profile: profile)
        let entry = WatchEntry(who: person, reason: why, addedBy: context.user, added: Date(), expires: until)
        try AuditLog(path: AuditLog.defaultPath()).append(.watch("watch-add", who: person, reason: why, expires: until, context: context))
        let old = try list.add(entry)
        if json { return JSONOutput.print(WatchList.Row(entry)) }
        Stdio.out("\(old == nil ? "added" : "updated") \(person) on the watchlist of \(FleetFiles.key(profile))\(until.map { " until \(AuditLog.timestamp($0))" } ?? "")")
    }
}

struct WatchList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the watchlist.",
        discussion: """
        Examples:
          wamod watch list
          wamod watch list --all --json
        """)
    @OptionGroup var target: GatewayOptions
    @Flag(name: .long, help: "Include expired entries.") var all = false
    @Flag(name: .long, help: "Print JSON.") var json = false

    struct Row: Encodable {
        var who: String, e164: String?, reason: String, addedBy: String, added: String, expires: String?, active: Bool
        init(_ e: WatchEntry, now: Date = Date()) {
            who = e.who.string; e164 = e.who.phoneNumber; reason = e.reason; addedBy = e.addedBy
            added = AuditLog.timestamp(e.added); expires = e.expires.map { AuditLog.timestamp($0) }; active = e.isActive(at: now)
        }
    }

    func run() async throws {
        let profile = try target.resolveProfile()
        let entries = try FleetFiles.watchlist(profile).entries(includeExpired: all)
        if json { return JSONOutput.print(entries.map { Row($0) }) }
        guard !entries.isEmpty else { return Stdio.out("the watchlist of \(FleetFiles.key(profile)) is empty") }
        var t = Table(["WHO", "REASON", "ADDED BY", "ADDED", "EXPIRES"])
        t.maxWidths = [1: 48]
        let now = Date()
        for e in entries {
            let exp = e.expires.map { $0 > now ? "in " + Age.text($0.timeIntervalSince(now)) : "expired" } ?? "never"
            t.add([e.who.phoneNumber ?? e.who.string, e.reason, e.addedBy, Age.text(since: e.added, now: now) + " ago", exp])
        }
        Stdio.out(t.render())
    }
}

struct WatchRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Take a person off the watchlist.",
        discussion: """
        Examples:
          wamod watch remove +5511999990000 --reason "appeal accepted"
          wamod watch remove 227711339955880@lid --profile sales
        """)
    @OptionGroup var target: GatewayOptions
    @Argument(help: "A phone number with country code, a user JID or an @lid id.") var who: String
    @Option(name: .long, help: "Why, recorded in the audit log.") var reason: String?

    func run() async throws {
        let person: JID
        do { person = try JID.member(who) } catch { throw error.failure }
        let profile = try target.resolveProfile()
        let list = try FleetFiles.watchlist(profile)
        guard try list.entries(includeExpired: true).contains(where: { $0.who == person }) else {
            throw CommandFailure(message: "\(person) is not on the watchlist of \(FleetFiles.key(profile))", code: Exit.someFailed)
        }
        try AuditLog(path: AuditLog.defaultPath()).append(.watch("watch-remove", who: person, reason: reason, expires: nil,
                                                                  context: AuditContext.current(profile: profile)))
        _ = try list.remove(person)
        Stdio.out("removed \(person) from the watchlist of \(FleetFiles.key(profile))")
    }
}
