#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Times written as text without Foundation's formatters or calendars: an `ISO8601DateFormatter`
/// loads ICU's calendar, zone and locale data on first use, which was a third of a
/// `wamod find`'s whole run (about 20 ms), and every audit line paid for a new one.
public enum TimeText {
    /// `2026-12-02T16:18:20.494Z`: RFC 3339 with milliseconds, as the audit log and `--json`
    /// write times (what `ISO8601DateFormatter` with `.withInternetDateTime` and
    /// `.withFractionalSeconds` writes).
    public static func iso8601(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        guard t.isFinite, abs(t) < 253_402_300_800 else { return "9999-12-31T23:59:59.999Z" }
        // Whole milliseconds first, as ICU counts them (1796228300.494 s is 1796228300494 ms,
        // where the seconds' binary fraction alone would give .493).
        let total = Int64((t * 1000).rounded(.down))
        var seconds = time_t(total >= 0 ? total / 1000 : (total - 999) / 1000)
        let ms = Int(total - Int64(seconds) * 1000)
        let f = fields(&seconds)
        var s = pad(f.year, 4) + "-" + pad(f.month, 2) + "-" + pad(f.day, 2)
        s += "T" + pad(f.hour, 2) + ":" + pad(f.minute, 2) + ":" + pad(f.second, 2) + "." + pad(ms, 3) + "Z"
        return s
    }

    /// `16:18:20` in the machine's time zone (TZ, /etc/localtime), for the console's log.
    public static func localClock(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        localtime_r(&seconds, &tm)
        return pad(Int(tm.tm_hour), 2) + ":" + pad(Int(tm.tm_min), 2) + ":" + pad(Int(tm.tm_sec), 2)
    }

    /// `Dec 2 16:18` in UTC, a short day and time.
    public static func dayAndTime(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let f = fields(&seconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return months[max(0, min(11, f.month - 1))] + " \(f.day) " + pad(f.hour, 2) + ":" + pad(f.minute, 2)
    }

    private static func fields(_ seconds: inout time_t) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var tm = tm()
        gmtime_r(&seconds, &tm)
        return (Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
