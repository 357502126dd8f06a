import Foundation
import Synchronization

/// Paces one session's mutating requests (remove, add, promote, demote, leave) with a token
/// bucket: `burst` tokens at most, one more every `60 / ratePerMinute` seconds, one token
/// per request. Reads are not paced.
///
/// Operators report account bans after removing many members in a burst, so the defaults
/// are the vendors' advice: 10 per minute, burst 1 (one request, then one every 6 s).
///
/// The bucket is kept in its "virtual scheduling" form (GCRA): instead of a token count it
/// stores the time at which the bucket would be full again, which makes every wait an exact
/// multiple of the interval (6 s, not 5.999…). Callers may share one `Pacer` across tasks;
/// each `reserve()` claims its own slot under a lock before waiting, so concurrent callers
/// are spaced too. Use one `Pacer` per session: the limit is WhatsApp's, per account.
public final class Pacer: Sendable {
    /// The vendors' advice: Wasend documents 10 requests per minute, Wawp 5-10 removals.
    public static let defaultRatePerMinute = 10
    /// One request at a time, then the interval.
    public static let defaultBurst = 1

    public let ratePerMinute: Int
    public let burst: Int
    /// Seconds between two tokens: `60 / ratePerMinute`.
    public let interval: Double

    private let clock: any OperationClock
    /// When the bucket is full again (the "theoretical arrival time" of the next request).
    /// A request may go at `full - (burst - 1) * interval` at the earliest.
    private let full: Mutex<Double>

    /// A bucket that starts full. A rate or burst below 1 is taken as 1.
    /// `headroom` stretches the interval by that fraction (0.02: 2 % slower), for when the
    /// rate is exactly the gateway's own limit: a request that arrives a millisecond early
    /// is refused, and a refusal costs the whole `Retry-After` (a second or more).
    public init(ratePerMinute: Int = Pacer.defaultRatePerMinute, burst: Int = Pacer.defaultBurst,
                clock: any OperationClock = SystemOperationClock(), headroom: Double = 0) {
        self.ratePerMinute = max(1, ratePerMinute)
        self.burst = max(1, burst)
        self.interval = 60 / Double(self.ratePerMinute) * (1 + min(1, max(0, headroom)))
        self.clock = clock
        self.full = Mutex(clock.now())
    }

    /// How far ahead of the bucket's refill a request may go: the tokens beyond the first.
    private var tolerance: Double { Double(burst - 1) * interval }

    /// Takes a token, waiting (on the clock) until one is available; returns the seconds
    /// it waited (0 when a token was there).
    ///
    /// Throws `CancellationError` when the task is cancelled before or during the wait; the
    /// token is then not taken (it is given back if no later caller has queued behind it),
    /// and the caller must not send.
    @discardableResult
    public func reserve() async throws -> Double {
        try Task.checkCancellation()
        let now = clock.now()
        let (wait, claimed) = full.withLock { full -> (Double, Double) in
            let start = max(full, now)
            let wait = max(0, start - tolerance - now)
            full = start + interval
            return (wait, full)
        }
        guard wait > 0 else { return 0 }
        do {
            try await clock.sleep(seconds: wait)
        } catch {
            // Give the slot back only if nobody reserved after us: otherwise a later caller's
            // wait was computed behind our slot, and freeing it could let two requests go at
            // once. Keeping it only makes the next caller wait longer, never less.
            full.withLock { full in
                if full == claimed { full -= interval }
            }
            throw error
        }
        return wait
    }

    /// Seconds until `reserve()` would return without waiting (0 when a token is there now),
    /// for progress lines such as "next in 6 s".
    public func nextAvailableIn() -> Double {
        let now = clock.now()
        return full.withLock { full in max(0, full - tolerance - now) }
    }

    /// The rate to pace a session at, in requests per minute.
    ///
    /// The profile's `pace_per_minute` is the operator's choice and is used when set;
    /// otherwise `Pacer.defaultRatePerMinute` (10). Either is then lowered to the rate the
    /// gateway advertises for the session (v1's `ratePerMin`), when it advertises one: going
    /// faster than the gateway says it accepts only earns 429s, or worse a ban. An advertised
    /// rate never raises the pace above the profile's or the default. Values below 1 are
    /// ignored as unset.
    ///
    /// | profile | advertised | rate |
    /// |---|---|---|
    /// | nil | nil | 10 |
    /// | nil | 30 | 10 |
    /// | nil | 4 | 4 |
    /// | 20 | nil | 20 |
    /// | 20 | 12 | 12 |
    /// | 5 | 12 | 5 |
    /// Headroom kept under a gateway's advertised limit when pacing right at it.
    public static let limitHeadroom = 0.02

    /// The pacer for a session: `ratePerMinute(profile:advertised:)`, with `limitHeadroom`
    /// when that is the advertised limit itself.
    public static func forSession(profile: Int?, advertised: Int?, clock: any OperationClock = SystemOperationClock()) -> Pacer {
        let rate = ratePerMinute(profile: profile, advertised: advertised)
        let atLimit = advertised.map { $0 > 0 && rate >= $0 } ?? false
        return Pacer(ratePerMinute: rate, clock: clock, headroom: atLimit ? limitHeadroom : 0)
    }

    public static func ratePerMinute(profile: Int?, advertised: Int?,
                                     default fallback: Int = Pacer.defaultRatePerMinute) -> Int {
        let chosen = profile.flatMap { $0 > 0 ? $0 : nil } ?? max(1, fallback)
        guard let advertised, advertised > 0 else { return chosen }
        return min(chosen, advertised)
    }

    /// `ratePerMinute(profile:advertised:)` from a profile and the session it acts on.
    public static func ratePerMinute(profile: Profile?, session: Session?) -> Int {
        ratePerMinute(profile: profile?.pacePerMinute, advertised: session?.ratePerMinute)
    }
}
