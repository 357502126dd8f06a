import Foundation
import FleetIndex
import GatewayKit

/// Where a profile's index and watchlist are, and its sync's budget.
enum FleetFiles {
    /// The name the index is kept under: the profile's, or for `--gateway` the gateway's
    /// host and port (so two one-off gateways do not share one index).
    static func key(_ profile: Profile) -> String {
        guard profile.name == "(command line)" else { return profile.name }
        let host = profile.baseURL.host ?? "gateway"
        return "gateway-" + host + (profile.baseURL.port.map { "-\($0)" } ?? "")
    }

    static func store(_ profile: Profile) throws -> FleetStore {
        let path = FleetStore.path(profile: key(profile))
        do { return try FleetStore(path: path) } catch {
            throw CommandFailure(message: "the fleet index \(path) cannot be opened: \(error)", code: Exit.storage)
        }
    }

    /// The index for reading only, nil when there is none of this schema yet.
    static func reader(_ profile: Profile) throws -> FleetStore? {
        let path = FleetStore.path(profile: key(profile))
        do { return try FleetStore.openForReading(path: path) } catch {
            throw CommandFailure(message: "the fleet index \(path) cannot be opened: \(error)", code: Exit.storage)
        }
    }

    static func watchlist(_ profile: Profile) throws -> Watchlist {
        let path = Watchlist.path(profile: key(profile))
        do { return try Watchlist(path: path) } catch {
            throw CommandFailure(message: "the watchlist \(path) cannot be opened: \(error)", code: Exit.storage)
        }
    }

    /// The profile's sync keys over the defaults.
    static func budget(_ profile: Profile, readsPerMinute: Int? = nil) -> ReadBudget {
        var b = ReadBudget.default
        if let n = readsPerMinute ?? profile.syncReadsPerMinute { b.perSessionPerMinute = n }
        if let n = profile.syncSessionsAtOnce { b.sessionsAtOnce = n }
        if let d = profile.syncMaxAge { b.maxAge = d }
        return b
    }

    /// How often to poll where no events come: the profile's `poll_interval`, else 5 minutes.
    static func pollInterval(_ profile: Profile) -> TimeInterval { profile.pollInterval ?? 300 }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second, only
/// when standard error is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var last = 0.0
    private var drawn = false
    let enabled: Bool

    init() { enabled = isatty(2) == 1 }

    func show(done: Int, total: Int, note: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date().timeIntervalSince1970
        guard now - last >= 0.1 || done == total else { return }
        last = now
        let width = 24
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Stdio.progress("[\(bar)] \(done)/\(total) \(TerminalText.clip(note, 60))")
        drawn = true
    }

    func clear() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if drawn { Stdio.progress(nil) }
        drawn = false
    }
}
