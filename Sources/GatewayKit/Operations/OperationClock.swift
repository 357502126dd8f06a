import Foundation
import Synchronization

/// The time source operations are paced and retried by.
///
/// Production code uses `SystemOperationClock`; tests use `VirtualClock`, whose sleeps
/// return at once and are recorded, so a test of a one-minute schedule runs instantly and
/// can assert every wait exactly.
public protocol OperationClock: Sendable {
    /// Seconds since an arbitrary, fixed origin; never goes backwards.
    func now() -> Double
    /// Waits `seconds` (nothing for zero or less). Throws `CancellationError` when the
    /// calling task is or becomes cancelled, without waiting out the rest.
    func sleep(seconds: Double) async throws
}

/// Monotonic wall time (`ContinuousClock`), and `Task.sleep`, which ends early with
/// `CancellationError` when the task is cancelled.
public struct SystemOperationClock: OperationClock {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        let parts = elapsed.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        guard seconds > 0, seconds.isFinite else { return }
        try await Task.sleep(for: .seconds(seconds))
    }
}

/// A clock for tests: `sleep` records the requested duration and moves virtual time forward
/// by it at once. A sleep in a cancelled task is still recorded, but throws
/// `CancellationError` and leaves the time where it was.
public final class VirtualClock: OperationClock, Sendable {
    private struct State {
        var now: Double
        var sleeps: [Double] = []
    }

    private let state: Mutex<State>

    public init(start: Double = 0) { state = Mutex(State(now: start)) }

    public func now() -> Double { state.withLock { $0.now } }

    public func sleep(seconds: Double) async throws {
        let cancelled = Task.isCancelled
        state.withLock { s in
            s.sleeps.append(seconds)
            if !cancelled, seconds > 0 { s.now += seconds }
        }
        if cancelled { throw CancellationError() }
    }

    /// Every duration `sleep` was asked for, in order (cancelled ones included).
    public var sleeps: [Double] { state.withLock { $0.sleeps } }

    /// Moves time forward without a sleep, as if the caller had been busy or idle.
    public func advance(by seconds: Double) {
        state.withLock { $0.now += max(0, seconds) }
    }
}
