import Foundation
import Synchronization

/// What sends one request and returns its answer: `HTTPTransport` (retrying reads, sending a
/// mutation exactly once), or a scripted stand-in in the seam's tests.
protocol RequestSending: Sendable {
    func send(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData
}

extension HTTPTransport: RequestSending {}

/// One gateway over HTTP, in the dialect of its codec. It owns what every dialect does alike:
/// a read that fails throws the dialect's error (`call`); a member change is sent once and its
/// answer read by the codec, or confirmed by reading the members back; a leave's answer that
/// cannot be read is settled by reading again; the sessions read are remembered (their
/// accounts tell our role in a group); lists are paged by cursor or by offset.
public final class HTTPGateway<Codec: DialectCodec>: Gateway {
    public var dialect: Dialect { Codec.dialect }
    public var capabilities: Capabilities { Codec.capabilities }
    public let codec: Codec
    let transport: any RequestSending
    /// The sessions read, by id; and the last one, for a dialect whose token is one session.
    private let known = Mutex<(byID: [String: Session], last: Session?)>(([:], nil))

    public init(codec: Codec, transport: HTTPTransport) {
        self.codec = codec
        self.transport = transport
    }

    /// A gateway over another sender of requests (the seam's own tests script the answers).
    init(codec: Codec, sender: any RequestSending) {
        self.codec = codec
        self.transport = sender
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

    // MARK: Group administration (gateways.md §9)
    //
    // Each change is sent once and never again here (the executor decides, after reading the
    // group); a failure of the target is its result, and a throw means nothing was attempted
    // (the dialect does not offer it, or the request is refused before it is sent). A 2xx
    // whose body cannot be read is a failure of unknown effect, as for a leave.

    public func inviteLink(session: String, group: JID) async throws(GatewayError) -> InviteLink {
        guard let spec = codec.inviteLinkRead(session: session, group: group) else { throw unoffered("invite links") }
        return try codec.inviteLink(try await call(spec), spec)
    }

    public func resetInviteLink(session: String, group: JID) async throws(GatewayError) -> TargetResult {
        guard let spec = codec.inviteLinkReset(session: session, group: group) else { throw unoffered("invite links") }
        // The codec reads the answer whole: it may be the new code as raw text, and is never shown.
        return await once(spec, target: group, checked: false) { r in self.codec.inviteResetOutcome(r, spec) }
    }

    public func settings(session: String, group: JID) async throws(GatewayError) -> GroupSettings {
        guard !Codec.capabilities.readsSettings.isEmpty else { throw unoffered("group settings") }
        return try await codec.settings(self, session: session, group: group)
    }

    /// Sends what the dialect needs for the settings `change` names, in order, each request
    /// once; done only when every request was accepted. The first that is not stops the rest,
    /// and its outcome says which settings were applied before it and which were not sent
    /// (the executor reads the settings again to settle).
    public func setSettings(_ change: GroupSettings, session: String, group: JID) async throws(GatewayError) -> TargetResult {
        let named = change.known.map { $0.setting }
        guard !named.isEmpty else { throw .validation("the change names no setting") }
        let cannot = named.filter { !Codec.capabilities.setsSettings.contains($0) }
        guard cannot.isEmpty else {
            throw Codec.capabilities.setsSettings.isEmpty ? unoffered("setter for these group settings")
                : .notPossible("this gateway's dialect (\(dialect.rawValue)) cannot set: \(cannot.map(\.title).joined(separator: ", "))")
        }
        let steps = codec.settingsChanges(change, session: session, group: group)
        guard !steps.isEmpty else { throw unoffered("setter for these group settings") }
        var applied: [GroupSetting] = []
        var latency = 0
        var last: Int?
        for (i, step) in steps.enumerated() {
            let r = await once(step.spec, target: group) { r in self.codec.settingsStepOutcome(step, r) }
            latency += r.latencyMs ?? 0
            last = r.httpStatus ?? last
            guard r.outcome.isSuccess else {
                let notSent = steps[(i + 1)...].flatMap { $0.change.known.map { $0.setting } }
                let outcome = AdminShapes.partly(r.outcome, applied: applied, notSent: notSent)
                return TargetResult(target: group, outcome: outcome, httpStatus: r.httpStatus, latencyMs: latency)
            }
            applied += step.change.known.map { $0.setting }
        }
        return TargetResult(target: group, outcome: .done, httpStatus: last, latencyMs: latency)
    }

    public func joinRequests(session: String, group: JID) async throws(GatewayError) -> [JoinRequest] {
        guard let spec = codec.joinRequestsRead(session: session, group: group) else { throw unoffered("join requests", .approve) }
        return try codec.joinRequests(try await call(spec))
    }

    public func answerJoinRequest(approve: Bool, session: String, group: JID, requester: JID) async throws(GatewayError) -> TargetResult {
        guard let spec = codec.joinRequestAnswer(approve: approve, session: session, group: group, requester: requester) else {
            throw unoffered("join requests", approve ? .approve : .reject)
        }
        guard requester.kind != .group else { throw .validation("\(requester) is a group, not a person asking to join") }
        return await once(spec, target: requester) { r in self.codec.joinRequestOutcome(approve: approve, requester: requester, r, spec) }
    }

    /// Sends a text once. Not idempotent: an answer of unknown effect is reported as such and
    /// never sent again here.
    public func sendText(session: String, to chat: JID, text: String) async throws(GatewayError) -> TargetResult {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .validation("the message is empty") }
        guard let spec = codec.textMessage(session: session, to: chat, text: text) else { throw unoffered("sending of messages") }
        return await once(spec, target: chat) { r in self.codec.textOutcome(r, spec) }
    }

    /// Sends one change and reads its answer: no answer is the target's failure; a 2xx that
    /// cannot be read (unless `checked` is false: the reader sees every answer) is one of
    /// unknown effect; anything else is what `read` says.
    func once(_ spec: HTTPRequestSpec, target: JID, checked: Bool = true, _ read: (HTTPResponseData) -> Outcome) async -> TargetResult {
        let r: HTTPResponseData
        do throws(GatewayError) { r = try await transport.send(spec) } catch {
            return TargetResult(target: target, outcome: .failed(error))
        }
        if checked, let unknown = DialectSupport.unreadableSuccess(r, target) { return unknown }
        return TargetResult(target: target, outcome: read(r), httpStatus: r.status, latencyMs: r.latencyMs)
    }

    /// Why the dialect cannot do `what`: its own reason where it has one for `kind`.
    func unoffered(_ what: String, _ kind: OperationKind? = nil) -> GatewayError {
        if let kind, let why = Codec.capabilities.unavailable[kind] { return .notPossible(why) }
        return lacking(what)
    }
}
