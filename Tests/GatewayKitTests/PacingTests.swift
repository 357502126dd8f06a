import Foundation
import Synchronization
import Testing
@testable import GatewayKit

@Suite("pacing and retries")
struct PacingTests {
    // MARK: pacer

    @Test("burst 1 at 10/min: the first request goes at once, then one every 6 s")
    func burstOne() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        var waits: [Double] = []
        for _ in 0..<4 { waits.append(try await pacer.reserve()) }
        #expect(waits == [0, 6, 6, 6])
        #expect(clock.sleeps == [6, 6, 6])
        #expect(clock.now() == 18)
    }

    @Test("the defaults are 10 per minute, burst 1")
    func defaults() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(clock: clock)
        #expect(pacer.ratePerMinute == 10)
        #expect(pacer.burst == 1)
        #expect(try await pacer.reserve() == 0)
        #expect(try await pacer.reserve() == 6)
    }

    @Test("burst 3 lets three through at once, then waits the interval")
    func burstThree() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 3, clock: clock)
        var waits: [Double] = []
        for _ in 0..<5 { waits.append(try await pacer.reserve()) }
        #expect(waits == [0, 0, 0, 6, 6])
        #expect(clock.now() == 12)
    }

    @Test("an idle bucket refills up to its burst, never beyond")
    func refillIsCapped() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 3, clock: clock)
        for _ in 0..<3 { try await pacer.reserve() }
        clock.advance(by: 600)  // long enough for 100 tokens; only 3 fit
        var waits: [Double] = []
        for _ in 0..<4 { waits.append(try await pacer.reserve()) }
        #expect(waits == [0, 0, 0, 6])

        let single = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        try await single.reserve()
        clock.advance(by: 600)
        #expect(try await single.reserve() == 0)
        #expect(try await single.reserve() == 6)
    }

    @Test("time spent elsewhere counts toward the next token")
    func partialRefill() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        try await pacer.reserve()
        clock.advance(by: 4)  // the request itself took 4 s
        #expect(try await pacer.reserve() == 2)
        #expect(clock.sleeps == [2])
    }

    @Test("nextAvailableIn counts down to the next token")
    func nextAvailable() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        #expect(pacer.nextAvailableIn() == 0)
        try await pacer.reserve()
        #expect(pacer.nextAvailableIn() == 6)
        clock.advance(by: 4)
        #expect(pacer.nextAvailableIn() == 2)
        clock.advance(by: 5)
        #expect(pacer.nextAvailableIn() == 0)

        let bursty = Pacer(ratePerMinute: 20, burst: 2, clock: clock)
        try await bursty.reserve()
        #expect(bursty.nextAvailableIn() == 0)  // a second token is there
        try await bursty.reserve()
        #expect(bursty.nextAvailableIn() == 3)
    }

    @Test("a cancelled wait throws CancellationError and gives its token back")
    func cancelledWaitOnVirtualClock() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        try await pacer.reserve()
        let outcome = await Task {
            // Cancel this task itself, deterministically, before it needs to wait.
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pacer.reserve()
        }.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(clock.now() == 0)  // the wait did not happen
        #expect(pacer.nextAvailableIn() == 6)  // and the slot was freed: still 6 s, not 12
        #expect(try await pacer.reserve() == 6)
    }

    @Test("a cancelled caller gets no token even when one is available")
    func cancelledBeforeReserving() async throws {
        let clock = VirtualClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        let outcome = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pacer.reserve()
        }.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(pacer.nextAvailableIn() == 0)
        #expect(try await pacer.reserve() == 0)
    }

    @Test("cancelling a task in the middle of a real wait ends it at once")
    func cancelledDuringRealWait() async throws {
        let pacer = Pacer(ratePerMinute: 1, burst: 1, clock: SystemOperationClock())
        try await pacer.reserve()  // the next token is a minute away
        let started = ContinuousClock.now
        let waiter = Task { try await pacer.reserve() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        let outcome = await waiter.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(pacer.nextAvailableIn() > 50)  // the token already taken still spaces the next
    }

    @Test("concurrent callers on one pacer are spaced too")
    func concurrentCallers() async throws {
        // Time stands still, so each wait is exactly the slot its caller claimed.
        let clock = FrozenClock()
        let pacer = Pacer(ratePerMinute: 10, burst: 1, clock: clock)
        let waits = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<4 { group.addTask { try await pacer.reserve() } }
            var all: [Double] = []
            for try await w in group { all.append(w) }
            return all.sorted()
        }
        // Each caller claims its own slot before waiting: 0, 6, 12, 18 after the start.
        #expect(waits == [0, 6, 12, 18])
        #expect(clock.sleeps.sorted() == [6, 12, 18])
    }

    @Test("a rate or burst below 1 is taken as 1")
    func clampsNonsense() {
        let pacer = Pacer(ratePerMinute: 0, burst: -2, clock: VirtualClock())
        #expect(pacer.ratePerMinute == 1)
        #expect(pacer.burst == 1)
        #expect(pacer.interval == 60)
    }

    @Test("rate: the profile's pace, else the default, lowered to the advertised rate",
          arguments: [
            (nil, nil, 10), (nil, 30, 10), (nil, 4, 4), (20, nil, 20), (20, 12, 12), (5, 12, 5),
            (0, nil, 10), (nil, 0, 10), (-3, -1, 10),
          ] as [(Int?, Int?, Int)])
    func rateChoice(profile: Int?, advertised: Int?, expected: Int) {
        #expect(Pacer.ratePerMinute(profile: profile, advertised: advertised) == expected)
    }

    @Test("rate from a profile and a session")
    func rateFromModel() throws {
        let url = try #require(URL(string: "https://gw.example.com"))
        let profile = Profile(name: "p", dialect: .v1, baseURL: url, token: .environment("T"), pacePerMinute: 8)
        let session = Session(id: "s", label: "s", account: nil, connected: true, status: "working", ratePerMinute: 6)
        #expect(Pacer.ratePerMinute(profile: profile, session: session) == 6)
        #expect(Pacer.ratePerMinute(profile: profile, session: nil) == 8)
        #expect(Pacer.ratePerMinute(profile: nil, session: nil) == 10)
    }

    // MARK: retry policy

    static let serverError = GatewayError.server(status: 503, message: nil)

    @Test("the backoff ceiling doubles from 1 s and is capped at 60 s")
    func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 20, random: { 1 })
        let delays = (1...9).map { policy.delay(attempt: $0, error: Self.serverError) }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(policy.ceiling(attempt: 1000) == 60)
    }

    @Test("full jitter: a delay is anywhere in [0, ceiling], spread across it")
    func jitterBounds() {
        let source = SeededRandom(seed: 42)
        let policy = RetryPolicy(maxAttempts: 20, random: { source.next() })
        for attempt in 1...10 {
            let ceiling = policy.ceiling(attempt: attempt)
            let samples = (0..<500).compactMap { _ in policy.delay(attempt: attempt, error: Self.serverError) }
            #expect(samples.count == 500)
            #expect(samples.allSatisfy { $0 >= 0 && $0 <= ceiling && $0 <= policy.cap })
            // Spread, not a constant: some in the lower quarter, some in the upper quarter.
            #expect(samples.contains { $0 < ceiling / 4 })
            #expect(samples.contains { $0 > ceiling * 3 / 4 })
        }
        #expect(RetryPolicy(random: { 0 }).delay(attempt: 2, error: Self.serverError) == 0)
        // The default source stays in bounds too.
        let real = RetryPolicy(maxAttempts: 20)
        for _ in 0..<200 {
            let d = real.delay(attempt: 8, error: Self.serverError)
            #expect(d.map { $0 >= 0 && $0 <= 60 } == true)
        }
    }

    @Test("a random source out of range cannot push a delay outside [0, ceiling]")
    func wildRandomIsClamped() {
        #expect(RetryPolicy(random: { 7 }).delay(attempt: 1, error: Self.serverError) == 1)
        #expect(RetryPolicy(random: { -1 }).delay(attempt: 1, error: Self.serverError) == 0)
        #expect(RetryPolicy(random: { .nan }).delay(attempt: 1, error: Self.serverError) == 0)
    }

    @Test("Retry-After is the minimum wait; a longer backoff still wins")
    func retryAfterIsAMinimum() {
        let low = RetryPolicy(random: { 0 })
        #expect(low.delay(attempt: 1, error: .rateLimited(retryAfter: 7)) == 7)
        let high = RetryPolicy(maxAttempts: 10, random: { 1 })
        #expect(high.delay(attempt: 5, error: .rateLimited(retryAfter: 3)) == 16)
        #expect(high.delay(attempt: 1, error: .rateLimited(retryAfter: nil)) == 1)
    }

    @Test("a Retry-After beyond maxRetryAfter is not waited out")
    func retryAfterTooLong() {
        let policy = RetryPolicy(random: { 0 })
        #expect(policy.maxRetryAfter == 60)
        #expect(policy.delay(attempt: 1, error: .rateLimited(retryAfter: 60)) == 60)
        #expect(policy.delay(attempt: 1, error: .rateLimited(retryAfter: 3600)) == nil)
        let patient = RetryPolicy(maxRetryAfter: 7200, random: { 0 })
        #expect(patient.delay(attempt: 1, error: .rateLimited(retryAfter: 3600)) == 3600)
    }

    @Test("at most maxAttempts attempts in all")
    func attemptLimit() {
        let policy = RetryPolicy(random: { 1 })
        #expect(policy.maxAttempts == 3)
        #expect(policy.delay(attempt: 1, error: Self.serverError) == 1)
        #expect(policy.delay(attempt: 2, error: Self.serverError) == 2)
        #expect(policy.delay(attempt: 3, error: Self.serverError) == nil)
        #expect(RetryPolicy(maxAttempts: 1).delay(attempt: 1, error: Self.serverError) == nil)
    }

    @Test("retried: 429, 5xx, and a request that certainly never reached the gateway",
          arguments: [
            GatewayError.rateLimited(retryAfter: nil), .rateLimited(retryAfter: 2),
            .server(status: 500, message: nil), .server(status: 502, message: "bad gateway"),
            .server(status: 503, message: nil), .server(status: 599, message: nil),
            .transport("connection refused"), .transport("host not found"),
          ])
    func retried(error: GatewayError) {
        #expect(RetryPolicy.isRetryable(error))
        #expect(RetryPolicy(random: { 0.5 }).delay(attempt: 1, error: error) != nil)
    }

    @Test("never retried: errors a repeat cannot fix, and any transport failure of unknown effect",
          arguments: [
            GatewayError.unauthorized(nil), .forbidden("not an admin"), .notFound("group"),
            .notConnected(nil), .validation("bad jid"), .undecodable(status: 200, excerpt: "<html>"),
            .noSuchRoute(method: "POST", path: "/x"), .configuration("no token"),
            .server(status: 0, message: "the gateway answered for no target"),
            .server(status: 404, message: nil), .server(status: 499, message: nil),
            .transport("no answer within 20 s (timed out)"),
            .transport("the connection dropped before the answer"),
            .transport("TLS failed: the gateway's certificate was not accepted"),
            .transport("the answer was not HTTP"), .transport("something else entirely"),
          ])
    func notRetried(error: GatewayError) {
        #expect(!RetryPolicy.isRetryable(error))
        #expect(RetryPolicy(maxAttempts: 10, random: { 0.5 }).delay(attempt: 1, error: error) == nil)
    }

    @Test("the transport's own wording: a timeout is not retried, a refused connection is")
    func transportWording() {
        func reason(_ code: Int) -> GatewayError {
            .transport(HTTPTransport.describe(NSError(domain: NSURLErrorDomain, code: code), timeout: 20))
        }
        let policy = RetryPolicy(random: { 1 })
        #expect(policy.delay(attempt: 1, error: reason(NSURLErrorTimedOut)) == nil)
        #expect(policy.delay(attempt: 1, error: reason(NSURLErrorNetworkConnectionLost)) == nil)
        #expect(policy.delay(attempt: 1, error: reason(NSURLErrorCannotConnectToHost)) == 1)
        #expect(policy.delay(attempt: 1, error: reason(NSURLErrorCannotFindHost)) == 1)
        #expect(policy.delay(attempt: 1, error: reason(NSURLErrorDNSLookupFailed)) == 1)
    }
}

@Suite("pacing at a gateway's own limit")
struct HeadroomTests {
    @Test("at the advertised limit the pacer keeps 2 % under it; below it, the rate is exact")
    func headroom() {
        #expect(abs(Pacer.forSession(profile: 600, advertised: 600).interval - 0.102) < 1e-9)
        #expect(abs(Pacer.forSession(profile: 6000, advertised: 600).interval - 0.102) < 1e-9)
        #expect(Pacer.forSession(profile: 300, advertised: 600).interval == 0.2)
        #expect(Pacer.forSession(profile: nil, advertised: nil).interval == 6)
        #expect(Pacer.forSession(profile: 600, advertised: nil).interval == 0.1)
    }
}

/// A deterministic source of numbers in [0, 1) (SplitMix64), shareable across tasks.
private final class SeededRandom: Sendable {
    private let state: Mutex<UInt64>

    init(seed: UInt64) { state = Mutex(seed) }

    func next() -> Double {
        let bits: UInt64 = state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(bits >> 11) / Double(UInt64(1) << 53)
    }
}

/// A clock whose time never moves: sleeps are recorded and return at once.
private final class FrozenClock: OperationClock, Sendable {
    private let recorded = Mutex<[Double]>([])
    var sleeps: [Double] { recorded.withLock { $0 } }
    func now() -> Double { 0 }
    func sleep(seconds: Double) async throws {
        recorded.withLock { $0.append(seconds) }
        try Task.checkCancellation()
    }
}
