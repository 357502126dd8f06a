/// A substring search over UTF-8 bytes, for text that needs no canonical comparison (folded
/// filter text, secrets): Foundation's `contains`, which `String` gets with Foundation
/// imported, goes through NSString and UTF-16. A valid UTF-8 needle found in valid UTF-8
/// starts and ends on scalar boundaries.
public enum ByteSearch {
    /// The offset of the first `needle` in `hay` at or after `start`, nil when there is none.
    /// An empty needle is found at `start`.
    public static func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        let n = needle.count
        guard n > 0 else { return start <= hay.count ? start : nil }
        guard hay.count >= n else { return nil }
        let first = needle[0]
        var i = start
        let last = hay.count - n
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < n && hay[i + j] == needle[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }
}
