/// A small seeded generator (SplitMix64): fixtures and fault rates are reproducible from a seed.
/// Fixtures never use the system's random generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range` (uniform enough for fixtures).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int(next() % span)
    }

    /// A fraction in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ items: [T]) -> T { items[int(in: 0...(items.count - 1))] }

    /// `count` decimal digits, the first one not zero.
    mutating func digits(_ count: Int) -> String {
        var out = String(int(in: 1...9))
        for _ in 1..<max(count, 1) { out += String(int(in: 0...9)) }
        return out
    }

    /// A ULID-like id: 26 characters of Crockford base32, uppercase, starting like a 2024 ULID.
    mutating func ulid() -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var out = "01J"
        for _ in 0..<23 { out.append(alphabet[Int(next() % 32)]) }
        return out
    }

    /// Lowercase hex, `count` characters (Mongo-style ids in Wasend's session objects).
    mutating func hex(_ count: Int) -> String {
        let alphabet = Array("0123456789abcdef")
        return String((0..<count).map { _ in alphabet[Int(next() % 16)] })
    }

    /// A seed derived from this one and a label, for independent sub-streams (lazy groups).
    static func mix(_ seed: UInt64, _ a: UInt64, _ b: UInt64 = 0) -> UInt64 {
        var g = SplitMix64(seed: seed ^ (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F))
        return g.next()
    }
}
