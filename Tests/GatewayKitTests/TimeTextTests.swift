import Foundation
import Testing
import GatewayKit

/// The hand-written time text says what Foundation's formatters said before (the audit log's
/// readers and `--json`'s users parse it), without loading ICU.
@Suite struct TimeTextTests {
    static var iso: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f
    }

    @Test func iso8601IsWhatTheFormatterWritesAndReadsBack() {
        var dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
                             Date(timeIntervalSince1970: 1_796_228_300.494), Date(timeIntervalSince1970: 4_102_444_799.999),
                             Date(timeIntervalSince1970: 1_700_000_000.5), Date(timeIntervalSince1970: 86_399.001)]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 { dates.append(Date(timeIntervalSince1970: Double(UInt64.random(in: 0..<4_000_000_000_000, using: &rng)) / 1000)) }
        let iso = Self.iso
        for d in dates {
            let ours = TimeText.iso8601(d)
            #expect(ours.count == 24, "\(ours)")
            #expect(ours.hasSuffix("Z"))
            // Read back, it is the same millisecond (or the one before, where the binary
            // fraction of a millisecond lies just under it).
            let back = iso.date(from: ours)
            #expect(back != nil, "\(ours) does not parse")
            if let back { #expect(abs(back.timeIntervalSince1970 - d.timeIntervalSince1970) < 0.0011, "\(ours) for \(d.timeIntervalSince1970)") }
            // The date and time to the second are the formatter's.
            #expect(ours.prefix(19) == iso.string(from: d).prefix(19), "\(ours) against \(iso.string(from: d))")
        }
        #expect(TimeText.iso8601(Date(timeIntervalSince1970: 1_796_228_300.494)) == "2026-12-02T16:18:20.494Z")
        #expect(TimeText.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(AuditLog.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test func theLocalClockIsTheCalendarsInThisZone() {
        for t in stride(from: 1_700_000_000.0, to: 1_700_000_000.0 + 86_400 * 400, by: 37_123.7) {
            let d = Date(timeIntervalSince1970: t)
            let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone.current, from: d)
            #expect(TimeText.localClock(d) == String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0))
        }
    }

    @Test func aShortDayAndTime() {
        #expect(TimeText.dayAndTime(Date(timeIntervalSince1970: 1_796_228_300)) == "Dec 2 16:18")
        #expect(TimeText.dayAndTime(Date(timeIntervalSince1970: 0)) == "Jan 1 00:00")
    }
}
