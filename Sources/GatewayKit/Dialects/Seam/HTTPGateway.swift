import Foundation
import Synchronization

/// One gateway over HTTP, in the dialect of its codec. It owns what every dialect does alike:
/// a read that fails throws the dialect's error (`call`); a member change is sent once and its
/// answer read by the codec, or confirmed by reading the members back; a leave's answer that
/// cannot be read is settled by reading again; the sessions read are remembered (their
/// accounts tell our role in a group); lists are paged by cursor or by offset.
public final class HTTPGateway<Codec: DialectCodec>: Gateway {
    public var dialect: Dialect { Codec.dialect }
    public var capabilities: Capabilities { Codec.capabilities }
    public let codec: Codec
    let transport: HTTPTransport
    /// The sessions read, by id; and the last one, for a dialect whose token is one session.
    private let known = Mutex<(byID: [String: Session], last: Session?)>(([:], nil))

    public init(codec: Codec, transport: HTTPTransport) {
        self.codec = codec
        self.transport = transport
    }

    public convenience init(transport: HTTPTransport) { self.init(codec: Codec(), transport: transport) }

    // MARK: Reads

    public func sessions() async throws(GatewayError) -> [Session] { try await codec.sessions(self) }

    public func groups(session: String) async throws(GatewayError) -> [Group] { try await codec.groups(self, session: session) }

    public func participants(session: String, group: JID) async throws(GatewayError) -> [Participant] {
        try await codec.participants(self, session: session, group: group)
    }

    /// Sends a read; an answer the dialect calls a failure is thrown as its error.
    public func call(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let r = try await transport.send(spec)
        if let e = codec.failure(r, spec) { throw e }
        return r
    }

    /// Remembers sessions read (their accounts tell our role in a group), and returns them.
    @discardableResult
    public func remembered(_ list: [Session]) -> [Session] {
        known.withLock { k in
            for s in list { k.byID[s.id] = s }
            if let s = list.last { k.last = s }
        }
        return list
    }

    /// The session's own account: remembered, or read (the sessions are listed again). Where
    /// the token is the one session, that one, whatever id the caller holds for it. A session
    /// freshly read is used only when `accept` takes it.
    public func account(of session: String, accept: (Session) -> Bool = { _ in true }) async -> Session? {
        let single = !Codec.capabilities.listsSessions
        if let s = known.withLock({ single ? $0.last : $0.byID[session] }) { return s }
        guard let list = try? await sessions(), let s = single ? list.first : list.first(where: { $0.id == session }) else { return nil }
        return accept(s) ? s : nil
    }

    /// Every item of a list paged by cursor: pages are asked for until the cursor is empty,
    /// does not move, or a page is empty (so a misbehaving gateway cannot keep it going
    /// forever), or `limit` items are read.
    public func byCursor<Item: Sendable>(limit: Int, _ spec: (String?) -> HTTPRequestSpec,
                                         _ decode: (HTTPResponseData) throws(GatewayError) -> V1Decode.Page<Item>)
        async throws(GatewayError) -> [Item] {
        var all: [Item] = []
        var cursor: String?
        repeat {
            let page = try decode(try await call(spec(cursor)))
            all += page.items
            cursor = Self.advance(cursor, to: page.next, pageEmpty: page.items.isEmpty)
        } while cursor != nil && all.count < limit
        return all
    }

    /// The next cursor, or nil to stop: an empty page or a cursor that does not move ends the paging.
    static func advance(_ current: String?, to next: String?, pageEmpty: Bool) -> String? {
        guard let next, !pageEmpty, next != current else { return nil }
        return next
    }

    /// Every group of a listing paged by offset. Pages are asked for until one is short (or
    /// the gateway says there are no more), empty, or adds nothing new (a server ignoring
    /// the offset would otherwise be asked forever).
    public func byOffset(pageSize: Int, _ page: (_ offset: Int) async throws(GatewayError) -> (items: [Group], rows: Int, hasMore: Bool?))
        async throws(GatewayError) -> [Group] {
        var all: [Group] = []
        var seen = Set<JID>()
        var offset = 0
        for _ in 0..<10_000 {
            let p = try await page(offset)
            let fresh = p.items.filter { seen.insert($0.jid).inserted }
            all += fresh
            offset += p.rows
            let more = p.hasMore ?? (p.rows >= pageSize)
            if !more || p.rows == 0 || fresh.isEmpty { break }
        }
        return all
    }

    // MARK: Changes

    /// One member change: sent once (never again here: the executor decides, after reading the
    /// group), its answer read by the codec, or the members read back.
    public func apply(_ action: MemberAction, session: String, group: JID, target: JID) async throws(GatewayError) -> TargetResult {
        let spec: HTTPRequestSpec, r: HTTPResponseData
        do throws(GatewayError) {
            (spec, r) = try await codec.send(action, session: session, group: group, target: target, self)
        } catch {
            return TargetResult(target: target, outcome: .failed(error))
        }
        switch codec.reading(action, target: target, r, spec) {
        case .outcome(let o):
            return TargetResult(target: target, outcome: o, httpStatus: r.status, latencyMs: r.latencyMs)
        case .readBack:
            return await readBack(action, session: session, group: group, target: target, r)
        }
    }

    /// An answer that says the call went through, not what WhatsApp did (an add declined for
    /// privacy, a creator who cannot be removed): the members are read back, and the outcome
    /// is what they show.
    func readBack(_ action: MemberAction, session: String, group: JID, target: JID, _ r: HTTPResponseData) async -> TargetResult {
        let outcome: Outcome
        if let members = try? await participants(session: session, group: group) {
            outcome = ReadBack.outcome(action, members.first(matching: target))
        } else {
            outcome = .refused("sent, but not verified: the members could not be read back; refresh to check")
        }
        return TargetResult(target: target, outcome: outcome, httpStatus: r.status, latencyMs: r.latencyMs)
    }

    public func leave(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let spec = codec.leave(session: session, group: group)
        let r = try await transport.send(spec)
        // Cut short or not JSON: whether it left is unknown, and settled by reading again.
        if let unknown = DialectSupport.unreadableSuccess(r, group) { return unknown }
        return TargetResult(target: group, outcome: codec.leaveOutcome(r, spec), httpStatus: r.status, latencyMs: r.latencyMs)
    }
}
