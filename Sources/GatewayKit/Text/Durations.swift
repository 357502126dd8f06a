import Foundation

/// Durations and points in time as operators type them: `90s`, `15m`, `1h30m`, `2d`, `1w`
/// (units may be combined, largest first), or an ISO 8601 date or date and time.
public enum Durations {
    /// Seconds in `text` (`90s`, `15m`, `1h30m`, `2d`, `1w`; a bare number is seconds; spaces
    /// between the parts are allowed, `1h 30m`); nil when it is not a duration. At most ten years.
    public static func seconds(_ text: String) -> TimeInterval? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.contains(where: \.isLetter) { s = s.filter { !$0.isWhitespace } }
        guard !s.isEmpty, s.count <= 32 else { return nil }
        if let n = Double(s), n.isFinite, n >= 0 { return n <= maxSeconds ? n : nil }
        let units: [Character: Double] = ["w": 604_800, "d": 86_400, "h": 3600, "m": 60, "s": 1]
        let order: [Character] = ["w", "d", "h", "m", "s"]
        var total = 0.0, number = "", lastRank = -1
        for c in s {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let unit = units[c], let rank = order.firstIndex(of: c), rank > lastRank,
                  let n = Double(number), n.isFinite, n >= 0 else { return nil }
            total += n * unit
            number = ""
            lastRank = rank
        }
        guard number.isEmpty, lastRank >= 0, total <= maxSeconds else { return nil }
        return total
    }

    static let maxSeconds: Double = 10 * 366 * 86_400

    /// A point in time: `now` minus a duration, or an ISO 8601 date (`2026-11-22`, taken as
    /// midnight UTC) or date and time (`2026-11-22T10:00:00Z`).
    public static func since(_ text: String, now: Date = Date()) -> Date? {
        if let d = seconds(text) { return now.addingTimeInterval(-d) }
        return date(text)
    }

    /// `now` plus a duration, or an ISO 8601 date: an expiry.
    public static func until(_ text: String, now: Date = Date()) -> Date? {
        if let d = seconds(text) { return now.addingTimeInterval(d) }
        return date(text)
    }

    static func date(_ text: String) -> Date? {
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: text) { return d }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = iso.date(from: text) { return d }
        iso.formatOptions = [.withFullDate]
        return iso.date(from: text)
    }

    /// How an operator writes a duration back: `1h30m`, `2d`, `45s`.
    public static func text(_ seconds: TimeInterval) -> String {
        var s = Int(seconds.rounded())
        if s == 0 { return "0s" }
        var out = ""
        for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where s >= n {
            out += "\(s / n)\(unit)"
            s %= n
        }
        return out
    }
}
