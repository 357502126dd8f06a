import Foundation
import FleetIndex
import GatewayKit

/// Keeps the index current: applies a source's events as they come; when there is no source,
/// or it drops, polls by `FleetSync` every `pollEvery` seconds (and tries the source again
/// with backoff).
///
/// What `updates()` reports, in order: the source in use (`.source`) once it is open, or
/// `.source(.polling, …)` with why (no event stream for this gateway, or the stream dropped
/// and why); each event applied (`.event`); each sync (`.synced`: the first one at once, then
/// every `pollEvery` while polling, and one right after a drop, to catch up on what the stream
/// missed); and `.failed` for what went wrong without stopping anything (an event the index
/// could not follow). A sync runs beside the stream, so events keep coming while it reads.
public final class Follower: Sendable {
    /// How soon a dropped source is tried again: `first` seconds, doubling up to `max`.
    public struct Backoff: Sendable, Hashable {
        public var first: Double
        public var max: Double
        public init(first: Double = 1, max: Double = 60) { self.first = Swift.max(0.01, first); self.max = Swift.max(self.first, max) }

        public func delay(attempt: Int) -> Double {
            Swift.min(max, first * pow(2, Double(Swift.min(attempt, 30))))
        }
    }

    public let store: FleetStore
    public let sync: FleetSync
    public let source: (any EventSource)?
    public let pollEvery: TimeInterval
    public let backoff: Backoff
    let clock: any OperationClock
    let now: @Sendable () -> Date

    public init(store: FleetStore, sync: FleetSync, source: (any EventSource)?, pollEvery: TimeInterval = 300,
                clock: any OperationClock = SystemOperationClock(), backoff: Backoff = Backoff(),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store; self.sync = sync; self.source = source; self.pollEvery = max(0.05, pollEvery)
        self.clock = clock; self.backoff = backoff; self.now = now
    }

    /// Runs until the consuming task is cancelled (or the stream is dropped): then every task
    /// it started, the source's connection and a sync under way, is cancelled.
    public func updates() -> AsyncStream<FollowUpdate> {
        let (stream, output) = AsyncStream.makeStream(of: FollowUpdate.self, bufferingPolicy: .bufferingNewest(4096))
        let task = Task { [self] in
            await self.run(output)
            output.finish()
        }
        output.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: The loop

    private enum Signal: Sendable {
        case opened(Int)
        case event(Int, FleetEvent)
        case ended(Int, String?)
        case synced(SyncReport)
        case tick
    }

    private func run(_ out: AsyncStream<FollowUpdate>.Continuation) async {
        let (signals, input) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingNewest(8192))
        var run = 0
        var live: Task<Void, Never>?
        var open = false
        var attempt = 0
        var reconnectAt: Double?
        var syncing: Task<Void, Never>?
        var nextPoll = Double.infinity
        let tick = min(1, pollEvery / 2, backoff.first)
        let ticker = Task { [clock] in
            while !Task.isCancelled {
                do {
                    try await clock.sleep(seconds: tick)
                    // Real time passes too, so a virtual clock (whose sleeps return at once)
                    // cannot make this loop spin.
                    try await Task.sleep(for: .milliseconds(10))
                } catch { return }
                input.yield(.tick)
            }
        }
        defer {
            ticker.cancel()
            live?.cancel()
            syncing?.cancel()
            input.finish()
        }

        func startSource(_ source: any EventSource) {
            run += 1
            let id = run
            live = Task {
                let stream: AsyncThrowingStream<FleetEvent, any Error>
                if let reporting = source as? any ReportingEventSource {
                    stream = reporting.events(onOpen: { input.yield(.opened(id)) })
                } else {
                    stream = source.events()
                    input.yield(.opened(id))
                }
                do {
                    for try await event in stream { input.yield(.event(id, event)) }
                    input.yield(.ended(id, Task.isCancelled ? nil : "the stream ended"))
                } catch {
                    input.yield(.ended(id, Limits.clamp(String(describing: error), 200)))
                }
            }
        }
        // Polling, the first round takes the group lists the index holds from less than one
        // poll interval ago (a console started again soon after the last): the index is no
        // staler than polling keeps it, and the next round lists. With an event source the
        // first round lists: it catches up on what the stream missed, and no round follows
        // while the stream stays up.
        var first = true
        func startSync() {
            guard syncing == nil else { return }
            nextPoll = clock.now() + pollEvery
            let reuse: TimeInterval? = first && source == nil ? pollEvery : nil
            first = false
            syncing = Task { [sync] in
                let report = await sync.run(reuseListingsWithin: reuse)
                input.yield(.synced(report))
            }
        }

        if let source {
            startSource(source)
        } else {
            out.yield(.source(.polling, detail: "this gateway pushes no events"))
        }
        startSync()

        for await signal in signals {
            if Task.isCancelled { break }
            switch signal {
            case .opened(let id):
                guard id == run, let source else { continue }
                open = true
                attempt = 0
                out.yield(.source(source.kind, detail: source.description))
            case .event(let id, let event):
                guard id == run else { continue }
                follow(event, out)
            case .ended(let id, let why):
                guard id == run, let source else { continue }
                live = nil
                let wasOpen = open
                open = false
                let delay = backoff.delay(attempt: attempt)
                attempt += 1
                reconnectAt = clock.now() + delay
                let reason = why ?? "it closed"
                out.yield(.source(.polling, detail: wasOpen
                    ? "\(source.description) dropped (\(reason)); polling, trying again in \(Age.text(delay))"
                    : "\(source.description) unavailable (\(reason)); polling, trying again in \(Age.text(delay))"))
                // What the stream missed while it was down: read now, then every pollEvery.
                if wasOpen { startSync() }
            case .synced(let report):
                syncing = nil
                out.yield(.synced(report))
            case .tick:
                let t = clock.now()
                if live == nil, let source, let at = reconnectAt, t >= at {
                    reconnectAt = nil
                    startSource(source)
                }
                if !open, syncing == nil, t >= nextPoll { startSync() }
            }
        }
    }

    /// Applies one event to the index (unless another process already did) and reports it.
    private func follow(_ event: FleetEvent, _ out: AsyncStream<FollowUpdate>.Continuation) {
        if let reporting = source as? any ReportingEventSource, reporting.alreadyApplied {
            out.yield(.event(event, Self.diff(of: event)))
            return
        }
        do {
            let diff = try store.apply(event, at: now())
            out.yield(.event(event, diff))
        } catch {
            out.yield(.failed("the index could not follow a \(event.kind.rawValue) event in \(event.group.string): \(Limits.clamp(String(describing: error), 200))"))
        }
    }

    /// What an event already applied elsewhere says changed.
    static func diff(of event: FleetEvent) -> ParticipantDiff {
        switch event.kind {
        case .joined: ParticipantDiff(joined: event.participants)
        case .left: ParticipantDiff(left: event.participants)
        case .promoted, .demoted: ParticipantDiff(roleChanged: event.participants)
        case .groupChanged, .joinRequest, .addedUs: ParticipantDiff()
        }
    }
}

/// The event source a profile's gateway offers, if any.
public enum EventSources {
    /// WAHA (and the dialects built on it that document its WebSocket): its `/ws`; a profile
    /// whose gateway sends webhooks: what `wamod listen` keeps in the index; else nil (poll).
    ///
    /// - WAHA documents a WebSocket (https://waha.devlike.pro/docs/how-to/events/): followed
    ///   directly, for `sessions` (all when empty).
    /// - Wawp, WUTS and Evolution document webhooks only (Evolution's own WebSocket is
    ///   socket.io, not followed): their events come through `wamod listen`.
    /// - v1 and Wasend document no events (Wasend is WAHA underneath but documents neither its
    ///   WebSocket nor its webhooks): polling.
    public static func source(dialect: Dialect, baseURL: URL, token: String?, sessions: [String], store: FleetStore) -> (any EventSource)? {
        switch dialect {
        case .waha: WAHAWebSocketSource(baseURL: baseURL, token: token, sessions: sessions)
        case .wawp, .wuts, .evolution: ListenEventSource(store: store)
        case .v1, .wasend: nil
        }
    }
}
