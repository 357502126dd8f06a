/// A token bucket: `burst` tokens at most, refilled at `perMinute` tokens a minute.
struct TokenBucket: Sendable {
    var tokens: Double?
    var last: Double = 0

    /// Takes one token at time `now` (seconds). Returns nil when allowed, else the whole seconds
    /// to wait (ceil, at least 1). `perMinute == 0` means unlimited.
    mutating func take(now: Double, perMinute: Int, burst: Int) -> Int? {
        guard perMinute > 0 else { return nil }
        let capacity = Double(max(burst, 1))
        let rate = Double(perMinute) / 60
        var current = tokens ?? capacity
        if now > last { current = min(capacity, current + (now - last) * rate) }
        last = max(last, now)
        if current >= 1 {
            tokens = current - 1
            return nil
        }
        tokens = current
        let wait = (1 - current) / rate
        return max(1, Int(wait.rounded(.up)))
    }
}
