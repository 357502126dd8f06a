import Foundation
import WamodModel

/// A request as it reached the emulator, before any fault: what a benchmark counts to see how
/// many requests a client really sent (a dropped one counts too).
public struct SimArrival: Sendable, Hashable {
    public var method: String
    /// The path without the query string, as received (not percent-decoded).
    public var path: String

    public init(method: String, path: String) { self.method = method; self.path = path }
}

/// One change the world's rules really made: what a benchmark compares with what the client
/// reported (a remove that removed someone, an add that added, a promote or demote that changed a
/// role, a leave). A request that changed nothing (already removed, already an admin) is not one.
public struct SimChange: Sendable, Hashable, Codable {
    /// 1, 2, 3… in the order the changes were made, over the whole world.
    public var seq: Int
    /// Seconds since 1970 when the change was made.
    public var at: Double
    public var session: String
    /// The group's JID (`…@g.us`); for a one-to-one text (`send`), the person's.
    public var group: String
    /// `remove`, `add`, `promote`, `demote` or `leave`; for group administration (gateways.md §9)
    /// `invite-reset`, `settings`, `subject`, `description`, `approve`, `reject`, `join` (by the
    /// invite link) and `send` (a text).
    public var action: String
    /// The member's JID: the phone JID (`digits@s.whatsapp.net`) when it has a phone, else its
    /// `@lid`. For `invite-reset`, `settings`, `subject` and `description`, the group's JID; for
    /// `send`, the chat's.
    public var target: String
    /// What changed, where the action alone does not say: `announce=on` for `settings`, the new
    /// text for `subject` and `description`.
    public var detail: String?

    public init(seq: Int, at: Double, session: String, group: String, action: String, target: String,
                detail: String? = nil) {
        self.seq = seq; self.at = at; self.session = session; self.group = group
        self.action = action; self.target = target; self.detail = detail
    }
}

/// The newest `capacity` items, oldest first, in constant time per append.
struct BoundedLog<Element: Sendable>: Sendable {
    let capacity: Int
    private var items: [Element] = []
    /// Where the oldest item is once the log is full.
    private var head = 0
    /// Every item ever appended, including those dropped since.
    private(set) var total = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(_ item: Element) {
        total += 1
        if items.count < capacity {
            items.append(item)
        } else {
            items[head] = item
            head = (head + 1) % capacity
        }
    }

    var elements: [Element] { Array(items[head...] + items[..<head]) }
    var count: Int { items.count }
}

extension World {
    /// How many arrivals and changes the world keeps (the oldest go first).
    public static let recordCapacity = 200_000

    /// Every request that reached the emulator, in order of arrival (the newest 200,000),
    /// recorded before any fault was applied. The admin view's own requests are not among them.
    public func arrivals() -> [SimArrival] { state.withLock { $0.arrivals.elements } }

    /// How many requests ever arrived (including those dropped from `arrivals()`).
    public var arrivalCount: Int { state.withLock { $0.arrivals.total } }

    /// Every effective change the world's rules made, in order (the newest 200,000).
    public func ledger() -> [SimChange] { state.withLock { $0.ledger.elements } }

    func recordArrival(method: String, target: String) {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        state.withLock { $0.arrivals.append(SimArrival(method: method, path: path)) }
    }
}

extension WorldState {
    /// Appends an effective change to the ledger (and pushes its event: `Events/EventFeed.swift`).
    /// `by` and `via` say who did it and how, where it was not the session itself (a rehearsal
    /// of someone else's change through the admin view).
    mutating func recordChange(session: String, group: String, action: String, person: Person,
                               by: JID?? = nil, via: JoinVia? = nil) {
        record(session: session, place: JID(kind: .group, user: group).string, action: action, target: person.jid.string,
               person: person, by: by, via: via)
    }

    /// `group` is the digits before `@g.us`.
    mutating func recordChange(session: String, group: String, action: String, target: String, detail: String? = nil) {
        record(session: session, place: JID(kind: .group, user: group).string, action: action, target: target, detail: detail)
    }

    /// `place` is a whole JID: a group's, or for a one-to-one text the person's.
    mutating func record(session: String, place: String, action: String, target: String, detail: String? = nil,
                         person: Person? = nil, by: JID?? = nil, via: JoinVia? = nil) {
        nextChangeSeq += 1
        ledger.append(SimChange(seq: nextChangeSeq, at: Date().timeIntervalSince1970, session: session,
                                group: place, action: action, target: target, detail: detail))
        publishChange(session: session, place: place, action: action, person: person,
                      detail: detail, by: by, via: via)
    }
}
