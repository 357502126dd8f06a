import Foundation
import Testing
import GatewayKit
@testable import FleetIndex

/// A check to run by hand (not a timed test; skipped unless `WAMOD_INDEX_BENCH` is set):
/// builds a synthetic index of 50 sessions × 200 groups × 50 members (500,000 participant
/// rows) and prints how long `find` takes on it, for the README's figures.
///
///     WAMOD_INDEX_BENCH=1 swift test --skip-build --filter FindBenchmark
@Suite struct FindBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WAMOD_INDEX_BENCH"] != nil))
    func findOnAHalfMillionParticipants() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/bench.sqlite"
            let store = try FleetStore(path: path)
            let clock = ContinuousClock()
            let target = person(999_999)
            let built = try clock.measure {
                try store.recordSessions((0..<50).map { session("s\($0)", label: "session-\($0)") }, at: date(0))
                var next = 0
                for s in 0..<50 {
                    try store.recordGroups(session: "s\(s)", (0..<200).map { group(s * 200 + $0, size: 50) }, at: date(0))
                    for g in 0..<200 {
                        // People drawn from 250,000, so most are in two groups; the target in 20.
                        var people = (0..<50).map { _ -> Participant in next = (next + 7919) % 250_000; return person(next) }
                        if (s * 200 + g) % 500 == 0 { people[0] = target }
                        try store.recordParticipants(session: "s\(s)", group: group(s * 200 + g).jid, people, at: date(1))
                    }
                }
            }
            let counts = try store.counts()
            #expect(counts.participants == 500_000)
            var hits: [IndexHit] = []
            var times: [Duration] = []
            for who in [target.phone!, target.lid!, person(12_345).phone!, user("5511999999999")] {
                times.append(try clock.measure { hits = try store.find(who) })
                if who == target.lid! { #expect(hits.count == 20) }
            }
            let joinedTime = try clock.measure { _ = try store.joined(since: date(0)) }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
            print("""
                fleet index benchmark: \(counts.sessions) sessions, \(counts.groups) groups, \(counts.participants) participants
                  built in \(built) (one transaction per group read)
                  find (phone, lid, another phone, absent): \(times.map { "\($0)" }.joined(separator: ", "))
                  joined(since:) over a baseline-only index: \(joinedTime)
                  file: \(size >> 20) MB (+ \(wal >> 20) MB WAL)
                """)
        }
    }
}
