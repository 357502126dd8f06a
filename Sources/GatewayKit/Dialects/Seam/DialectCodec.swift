import Foundation

/// What one dialect says and reads, and nothing else: its requests, its decoders, how it
/// says that something failed, the credential it presents, the probe's read and how to tell
/// its answer, and what it can do. What every dialect does alike (sending and failing a read,
/// leaving a group, reading the members back, remembering the sessions, paging) belongs to
/// `HTTPGateway`, which calls the codec where the dialects differ.
///
/// The reads are flows written with the gateway's pieces (`call`, `byCursor`, `byOffset`,
/// `account(of:)`, `remembered`), so a dialect that pages, or reads its one session, says so
/// in a line. A dialect that needs its own way somewhere (Wasend's SDK paths, Wawp's
/// identity read) overrides that hook and nothing else.
public protocol DialectCodec: Sendable {
    /// The dialect this codec speaks; its entry in `Dialect.codec`.
    static var dialect: Dialect { get }
    /// What the dialect can do.
    static var capabilities: Capabilities { get }
    /// A codec with the defaults (page sizes); one per gateway, holding what it learns.
    init()

    // MARK: Credential and probe

    /// The credential the profile's token becomes.
    static func credential(token: String) -> Credential
    /// Refuses a token that cannot be this dialect's (Wawp's two parts). Default: any token.
    static func checkToken(_ token: String) throws(GatewayError)
    /// The token's form where it has one, for a config's comment (`INSTANCE_ID:ACCESS_TOKEN`). Default: nil.
    static var tokenForm: String? { get }
    /// The token that speaks for `session` with `secret`, where the token names its one
    /// session (Wawp's `INSTANCE_ID:ACCESS_TOKEN`). Default: `secret`.
    static func token(_ secret: String, session: String) -> String
    /// Whether the credential travels in the query, where a server of another dialect would
    /// log it: the probe asks without it first. Default: false.
    static var credentialInQuery: Bool { get }
    /// The harmless read the probe sends.
    static var probeRead: HTTPRequestSpec { get }
    /// Whether an answer to `probeRead` is in this dialect's shape; nil when it is not.
    static func classify(_ status: Int, _ v: JSONValue) -> Probe.Verdict?

    // MARK: Errors

    /// A failed answer as an error (`spec`, the request, tells a route miss).
    func error(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError
    /// The error a read's answer means, or nil when it is a success. Default: any answer
    /// that is not 2xx, as `error`.
    func failure(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError?

    // MARK: Reads

    func sessions(_ gw: HTTPGateway<Self>) async throws(GatewayError) -> [Session]
    func groups(_ gw: HTTPGateway<Self>, session: String) async throws(GatewayError) -> [Group]
    func participants(_ gw: HTTPGateway<Self>, session: String, group: JID) async throws(GatewayError) -> [Participant]
    /// The session's own account, to tell our role in a group. Default: remembered, or read.
    func me(_ gw: HTTPGateway<Self>, session: String) async -> Session?

    // MARK: Changes

    /// The request that applies `action` to `target`.
    func mutation(_ action: MemberAction, session: String, group: JID, target: JID) -> HTTPRequestSpec
    /// Sends a member change. Default: `mutation`, once. A dialect with two path forms
    /// (Wasend) tries the other on a route miss.
    func send(_ action: MemberAction, session: String, group: JID, target: JID,
              _ gw: HTTPGateway<Self>) async throws(GatewayError) -> (HTTPRequestSpec, HTTPResponseData)
    /// What a member change's answer says about `target`: an outcome, or "read the members back".
    func reading(_ action: MemberAction, target: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> MemberReading
    /// The request that leaves a group with the session's own account.
    func leave(session: String, group: JID) -> HTTPRequestSpec
    /// What a leave's readable answer means (see `DialectSupport.leaving` for its refusals).
    func leaveOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome
}

/// What a member change's answer says about its one target.
public enum MemberReading: Sendable, Equatable {
    /// The answer says what happened.
    case outcome(Outcome)
    /// The answer says the call went through, not what WhatsApp did: the members are read back.
    case readBack
}

extension DialectCodec {
    public static func checkToken(_ token: String) throws(GatewayError) {}
    public static var credentialInQuery: Bool { false }
    public static var tokenForm: String? { nil }
    public static func token(_ secret: String, session: String) -> String { secret }

    /// Whether `token` can be this dialect's.
    static func accepts(_ token: String) -> Bool {
        do throws(GatewayError) { try checkToken(token); return true } catch { return false }
    }

    /// A gateway speaking this dialect over `transport`.
    static func gateway(transport: HTTPTransport) -> any Gateway { HTTPGateway(codec: Self(), transport: transport) }

    public func failure(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> GatewayError? {
        (200..<300).contains(r.status) ? nil : error(r, spec)
    }

    public func me(_ gw: HTTPGateway<Self>, session: String) async -> Session? {
        await gw.account(of: session)
    }

    public func send(_ action: MemberAction, session: String, group: JID, target: JID,
                     _ gw: HTTPGateway<Self>) async throws(GatewayError) -> (HTTPRequestSpec, HTTPResponseData) {
        let spec = mutation(action, session: session, group: group, target: target)
        return (spec, try await gw.transport.send(spec))
    }
}
