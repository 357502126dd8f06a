import WamodModel

/// A WhatsApp account as the world knows it. Every account has an `@lid` id; a privacy-hidden
/// participant shows only that (`phone == nil`).
struct Person: Sendable, Hashable {
    var phone: String?
    var lid: String
    var name: String

    func matches(_ jid: JID) -> Bool {
        switch jid.kind {
        case .user: phone == jid.user
        case .lid: lid == jid.user
        case .group: false
        }
    }
}

struct Member: Sendable {
    var person: Person
    var role: Role
    /// A stable numeric id (v1's member row `id`).
    var rowId: Int
    /// Milliseconds since 1970.
    var firstSeenAt: Int64
}

/// How a group's members are generated on first use (the `large` fixture builds 10,000 groups
/// without materializing a million members).
struct LazyMembers: Sendable {
    var seed: UInt64
    /// Members including the session's own account.
    var size: Int
    var ourRole: Role
    var countryCode: String
    /// Known people placed in the group (after the generated ones, within `size`): the demo's
    /// people who are in several groups.
    var guests: [Guest] = []
}

/// Someone a fixture puts in a group by name, with their role there.
struct Guest: Sendable {
    var person: Person
    var role: Role
}

struct GroupState: Sendable {
    /// Digits (or digits-digits) before `@g.us`.
    var id: String
    var rowId: Int
    var subject: String
    var description: String
    var createdAt: Int64
    var creator: Person
    // Settings (gateways.md §9): WhatsApp's announce, locked ("restrict"), member-add mode and
    // membership approval. A new group lets only admins add, as WhatsApp's default
    // `admin_add` (the mode whatsmeow and Baileys report for a group nobody changed).
    var isAnnounce = false
    var isLocked = false
    var adminsAdd = true
    var approval = false
    /// A community's parent group (its participants are the community's members).
    var isCommunity = false
    /// How many times the invite link was reset: the code is derived from it (see `inviteCode`).
    var inviteGeneration = 0
    /// Requests to join waiting for an admin, oldest first.
    var pending: [PendingRequest] = []
    /// nil until materialized from `lazy`.
    var members: [Member]?
    var lazy: LazyMembers?

    var jid: JID { JID(kind: .group, user: id) }

    var size: Int { members?.count ?? lazy?.size ?? 0 }

    var settings: GroupSettings {
        GroupSettings(announce: isAnnounce, locked: isLocked, adminsAdd: adminsAdd, approval: approval)
    }
}

/// Someone asking to join a group whose membership needs an admin's approval.
struct PendingRequest: Sendable {
    var person: Person
    /// How they asked: `invite_link` (WhatsApp's word for a join by the group's link).
    var method: String
    /// Milliseconds since 1970.
    var at: Int64
}

struct SessionState: Sendable {
    var id: String
    var label: String
    var account: Person
    var connected: Bool
    /// The status a dialect reports while not connected (WAHA-style word).
    var offlineStatus = "SCAN_QR_CODE"
    var advertisedPerMinute: Int
    var advertisedPerHour: Int
    var lastConnectedAt: Int64
    var createdAt: Int64
    /// Wasend's `session.id` and `userId` (24 hex digits each).
    var recordId: String
    var userId: String
    var groupOrder: [String] = []
    var groups: [String: GroupState] = [:]
    /// Per-session override of the rate limit: (per minute, burst).
    var rateOverride: (perMinute: Int, burst: Int)?
    var bucket = TokenBucket()
    var mutationsServed = 0
    var rateLimitedCount = 0

    var accountJID: JID? { account.phone.map { JID(kind: .user, user: $0) } }
    var accountLID: JID { JID(kind: .lid, user: account.lid) }
}

/// Everything the world holds, behind the world's one lock.
struct WorldState: Sendable {
    var sessionOrder: [String] = []
    var sessions: [String: SessionState] = [:]
    var options: WorldOptions
    var faultRandom: SplitMix64
    /// Hostile answers to serve to the next requests, in order (`World.queueHostile`).
    var hostile: [HostileAnswer] = []
    /// Accounts known by `@lid` (so removed people can be re-added by their `@lid`).
    var directory: [String: Person] = [:]
    /// Phone numbers that are not on WhatsApp (add declines them).
    var notOnWhatsApp: Set<String> = []
    /// Phone numbers whose privacy settings refuse being added.
    var privacyRestricted: Set<String> = []
    var nextAddedRowId = 50_000_000
    /// Largest group allowed (WhatsApp's limit).
    var maxGroupSize = 1024
    /// Requests as they arrived, before any fault (see `World.arrivals()`).
    var arrivals = BoundedLog<SimArrival>(capacity: World.recordCapacity)
    /// Effective changes (see `World.ledger()`).
    var ledger = BoundedLog<SimChange>(capacity: World.recordCapacity)
    var nextChangeSeq = 0
    /// What every group's invite code is derived from (a fixture sets it from its seed).
    var inviteSeed: UInt64
    /// Texts the sessions sent (see `World.messages`).
    var messages = BoundedLog<SimMessage>(capacity: World.recordCapacity)
    var nextMessageSeq = 0
    /// v1's `Idempotency-Key`s already answered, and what was answered.
    var sendReceipts: [String: SendReceipt] = [:]
    /// Where every change is pushed as it is made (the emulator's events: `Events/`).
    let feed = EventFeed()

    init(options: WorldOptions, seed: UInt64) {
        self.options = options
        self.faultRandom = SplitMix64(seed: seed ^ 0xFA17)
        self.inviteSeed = SplitMix64.mix(seed, 0x1417E)
    }
}
