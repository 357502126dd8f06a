import Foundation
import GatewayKit
import Synchronization

/// Lists and figures the console derives from its state on every key and every frame,
/// kept between them: each is keyed by everything it is made of (the data's version, the
/// filter, the window of "new"), so a cursor move reuses them and a change of any input
/// makes them again. Without it a Down key in a 1,024-member group re-measured every name,
/// counted the new members and refolded the whole log, for a screen where two rows changed.
///
/// Shared by copies of a state (a render works on a copy); the keys make that safe. The UI
/// thread is the only user, the lock only satisfies Sendable.
public final class DerivedCache: Sendable {
    struct ParticipantsKey: Hashable {
        var group: GroupKey?
        var version: Int
        var metaVersion: Int
        var filter: String
        var onlyNew: Bool
        var newWindow: TimeInterval
        /// The second `now` is in, only where the list depends on it (a window of "new").
        var second: Int64
    }

    struct ListKey: Hashable {
        var session: String?
        var version: Int
        var joinsVersion: Int
        var filter: String
        var second: Int64
    }

    struct LogKey: Hashable {
        var version: Int
        var filter: String
        var expanded: Set<LogFold>
    }

    struct CountKey: Hashable {
        var group: GroupKey
        var metaVersion: Int
        var sinceSecond: Int64
    }

    struct WidthsKey: Hashable {
        var list: ParticipantsKey
        var ownerWidth: Int
    }

    /// The rows a group list is made of, for its search texts.
    struct SearchKey: Hashable, Sendable {
        var session: String?
        var version: Int
    }

    /// A row's text as a filter looks in it: folded, and its digits.
    struct SearchText: Sendable {
        var text: String
        var digits: String
    }

    /// The widest name and numbers of a participants list (`ParticipantColumns`).
    struct Widths: Sendable {
        var name: Int, number: Int, phone: Int
    }

    private struct Slots: Sendable {
        var participants: (key: ParticipantsKey, value: [Participant])?
        var log: (key: LogKey, value: [LogRow])?
        var groups: (key: ListKey, value: [Group])?
        var sessions: (key: ListKey, value: [Session])?
        var newCount: (key: CountKey, value: Int)?
        var widths: (key: WidthsKey, value: Widths)?
        var groupSearch: (key: SearchKey, value: [SearchText])?
        var hits = 0, misses = 0
    }

    private let slots = Mutex(Slots())

    public init() {}

    func participants(_ key: ParticipantsKey, _ make: () -> [Participant]) -> [Participant] { memo(\.participants, key, make) }
    func groups(_ key: ListKey, _ make: () -> [Group]) -> [Group] { memo(\.groups, key, make) }
    func sessions(_ key: ListKey, _ make: () -> [Session]) -> [Session] { memo(\.sessions, key, make) }
    func log(_ key: LogKey, _ make: () -> [LogRow]) -> [LogRow] { memo(\.log, key, make) }
    func newCount(_ key: CountKey, _ make: () -> Int) -> Int { memo(\.newCount, key, make) }
    func widths(_ key: WidthsKey, _ make: () -> Widths) -> Widths { memo(\.widths, key, make) }
    func groupSearch(_ key: SearchKey, _ make: () -> [SearchText]) -> [SearchText] { memo(\.groupSearch, key, make) }

    /// The slot's value when it was made for `key`, else `make()`'s, kept for the next time.
    private func memo<K: Hashable & Sendable, V: Sendable>(_ slot: WritableKeyPath<Slots, (key: K, value: V)?>, _ key: K, _ make: () -> V) -> V {
        let kept: V? = slots.withLock { s in
            guard let held = s[keyPath: slot], held.key == key else { return nil }
            s.hits += 1
            return held.value
        }
        if let kept { return kept }
        let v = make()
        slots.withLock { s in
            s[keyPath: slot] = (key, v)
            s.misses += 1
        }
        return v
    }

    /// How often a derived value was reused and made (for tests).
    public var counts: (hits: Int, misses: Int) { slots.withLock { ($0.hits, $0.misses) } }
}
