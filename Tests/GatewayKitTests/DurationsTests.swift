import Foundation
import GatewayKit
import Testing

@Suite struct DurationsTests {
    @Test(arguments: [("90s", 90.0), ("15m", 900), ("1h30m", 5400), ("2d", 172_800), ("1w", 604_800), ("45", 45), ("1w2d3h4m5s", 788_645), (" 2H ", 7200),
                      ("1h 30m", 5400), ("1.5h", 5400), ("0s", 0), ("2d12h", 216_000)])
    func durationsOperatorsType(text: String, seconds: Double) {
        #expect(Durations.seconds(text) == seconds)
    }

    @Test(arguments: ["", "soon", "1x", "m", "30m1h", "1h1h", "-5m", "1e400", "99999999w", String(repeating: "1", count: 40),
                      "12 34", "1h30", "h1", "1..5h", "15 minutes"])
    func notDurations(text: String) {
        #expect(Durations.seconds(text) == nil)
    }

    @Test func sinceAndUntilAreRelativeToNow() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Durations.since("1h", now: now) == now.addingTimeInterval(-3600))
        #expect(Durations.until("30d", now: now) == now.addingTimeInterval(30 * 86_400))
        #expect(Durations.since("2026-11-22", now: now) == ISO8601DateFormatter().date(from: "2026-11-22T00:00:00Z"))
        #expect(Durations.since("2026-11-22T10:00:00Z", now: now) == ISO8601DateFormatter().date(from: "2026-11-22T10:00:00Z"))
        #expect(Durations.since("yesterday", now: now) == nil)
    }

    @Test("what every since and age option takes: each form, relative to now, or the date itself")
    func sinceForms() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for (text, seconds) in [("90s", 90.0), ("15m", 900), ("1h30m", 5400), ("2d", 172_800), ("1w", 604_800)] {
            #expect(Durations.since(text, now: now) == now.addingTimeInterval(-seconds), "\(text)")
            #expect(Durations.until(text, now: now) == now.addingTimeInterval(seconds), "\(text)")
        }
        let iso = ISO8601DateFormatter()
        #expect(Durations.since("2026-11-22T10:00:00.250Z", now: now) == iso.date(from: "2026-11-22T10:00:00Z")?.addingTimeInterval(0.25))
        #expect(Durations.since("2026-11-22T12:00:00+02:00", now: now) == iso.date(from: "2026-11-22T10:00:00Z"))
        #expect(Durations.since("2026-13-40", now: now) == nil)
        #expect(Durations.since("22/11/2026", now: now) == nil)
    }

    @Test func writtenBackAsTyped() {
        #expect(Durations.text(5400) == "1h30m")
        #expect(Durations.text(0) == "0s")
        #expect(Durations.text(172_800) == "2d")
    }

    @Test func profileReadBudgetKeys() throws {
        let text = """
        [profile p]
        dialect = waha
        url = http://127.0.0.1:1
        token_env = T
        sync_reads_per_minute = 12
        sync_sessions_at_once = 2
        sync_max_age = 2h
        poll_interval = 90s
        """
        let p = try #require(try ConfigFile.parse(text, source: "cfg").profiles["p"])
        #expect(p.syncReadsPerMinute == 12 && p.syncSessionsAtOnce == 2 && p.syncMaxAge == 7200 && p.pollInterval == 90)
        for (bad, line) in [("sync_reads_per_minute = 0", 5), ("sync_max_age = 5s", 5), ("poll_interval = often", 5)] {
            let t = "[profile p]\ndialect = waha\nurl = http://127.0.0.1:1\ntoken_env = T\n" + bad
            #expect(throws: GatewayError.self) { try ConfigFile.parse(t, source: "cfg") }
            do { _ = try ConfigFile.parse(t, source: "cfg") } catch { #expect(error.message.contains("cfg:\(line):"), "\(error.message)") }
        }
    }
}
