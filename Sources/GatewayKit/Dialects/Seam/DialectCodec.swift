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

    // MARK: Group administration (gateways.md §9)
    //
    // Every request below is nil where the vendor documents nothing for it (the defaults): the
    // gateway then throws `.notPossible` and sends nothing. A decoder is only given answers to
    // the requests its codec built. What every dialect does alike (sending once, an unreadable
    // 2xx as an unknown effect, several requests for one change) is `HTTPGateway`'s.

    /// The read of a group's invite link. Default: not offered.
    func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec?
    /// The request that resets a group's invite link (the old one stops working). Default: not offered.
    func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec?
    /// The link an answer to `inviteLinkRead` carries. The code is a secret: an answer that
    /// cannot be read is reported without its body (`AdminShapes.inviteLink`).
    func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink
    /// What a reset's answer means, its readability included (WAHA answers the new code as raw
    /// text). Default: a readable 2xx is done, an unreadable one of unknown effect (its body,
    /// which may hold the new code, not shown), else the dialect's error.
    func inviteResetOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome

    /// The reads that tell a group's settings, each naming the settings its answer tells. Default: none.
    func settingsReads(session: String, group: JID) -> [SettingsRead]
    /// The settings one read's answer tells (nil where it does not say).
    func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings
    /// A group's settings. Default: every read of `settingsReads`, merged (a read whose route
    /// the server lacks leaves its settings unknown); none, not offered. A dialect whose
    /// settings come from its group listing (v1, Evolution) overrides it.
    func settings(_ gw: HTTPGateway<Self>, session: String, group: JID) async throws(GatewayError) -> GroupSettings

    /// The requests that set what `change` names, in the order they are sent (several where
    /// the vendor has one route per setting). Only settings in `setsSettings` are asked for.
    /// Default: none.
    func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep]
    /// What one step's readable answer says: done only when the gateway accepted every setting
    /// the step names. Default: 2xx done, else the dialect's error.
    func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome

    /// The read of a group's pending join requests. Default: not offered.
    func joinRequestsRead(session: String, group: JID) -> HTTPRequestSpec?
    func joinRequests(_ r: HTTPResponseData) throws(GatewayError) -> [JoinRequest]
    /// The request that approves or rejects one pending request. Default: not offered.
    func joinRequestAnswer(approve: Bool, session: String, group: JID, requester: JID) -> HTTPRequestSpec?
    /// What its readable answer says about `requester`. Default: 2xx done, else the dialect's error.
    func joinRequestOutcome(approve: Bool, requester: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome

    /// The request that sends `text` to a person (one to one) or a group. Default: not offered.
    func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec?
    /// What a send's readable answer says. Default: 2xx done, else the dialect's error.
    func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome
}

/// One read of a group's settings: the request, and the settings its answer tells.
public struct SettingsRead: Sendable, Equatable {
    public var settings: [GroupSetting]
    public var spec: HTTPRequestSpec
    public init(_ settings: [GroupSetting], _ spec: HTTPRequestSpec) { self.settings = settings; self.spec = spec }
}

/// One request of a settings change: the settings it sets (and to what), and the request.
public struct SettingsStep: Sendable, Equatable {
    public var change: GroupSettings
    public var spec: HTTPRequestSpec
    public init(_ change: GroupSettings, _ spec: HTTPRequestSpec) { self.change = change; self.spec = spec }
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

// The administration defaults: nothing offered; answers read by status.
extension DialectCodec {
    public func inviteLinkRead(session: String, group: JID) -> HTTPRequestSpec? { nil }
    public func inviteLinkReset(session: String, group: JID) -> HTTPRequestSpec? { nil }
    public func inviteLink(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) throws(GatewayError) -> InviteLink {
        throw .notPossible("this gateway's dialect (\(Self.dialect.rawValue)) has no invite links")
    }
    public func inviteResetOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        guard (200..<300).contains(r.status) else { return .failed(error(r, spec)) }
        return AdminShapes.unreadableSecret(r) ?? .done
    }

    public func settingsReads(session: String, group: JID) -> [SettingsRead] { [] }
    public func settingsAnswer(_ r: HTTPResponseData, _ read: SettingsRead) throws(GatewayError) -> GroupSettings { GroupSettings() }
    public func settings(_ gw: HTTPGateway<Self>, session: String, group: JID) async throws(GatewayError) -> GroupSettings {
        let reads = settingsReads(session: session, group: group)
        guard !reads.isEmpty else { throw .notPossible("this gateway's dialect (\(Self.dialect.rawValue)) has no group settings") }
        var all = GroupSettings()
        for read in reads {
            let told: GroupSettings
            do throws(GatewayError) {
                told = try settingsAnswer(try await gw.call(read.spec), read)
            } catch {
                // A server without this one route (an older release) leaves these settings unknown.
                if case .noSuchRoute = error { continue }
                throw error
            }
            for s in read.settings { if let v = told[s] { all[s] = v } }
        }
        return all
    }

    public func settingsChanges(_ change: GroupSettings, session: String, group: JID) -> [SettingsStep] { [] }
    public func settingsStepOutcome(_ step: SettingsStep, _ r: HTTPResponseData) -> Outcome {
        (200..<300).contains(r.status) ? .done : .failed(error(r, step.spec))
    }

    public func joinRequestsRead(session: String, group: JID) -> HTTPRequestSpec? { nil }
    public func joinRequests(_ r: HTTPResponseData) throws(GatewayError) -> [JoinRequest] { [] }
    public func joinRequestAnswer(approve: Bool, session: String, group: JID, requester: JID) -> HTTPRequestSpec? { nil }
    public func joinRequestOutcome(approve: Bool, requester: JID, _ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        (200..<300).contains(r.status) ? .done : .failed(error(r, spec))
    }

    public func textMessage(session: String, to chat: JID, text: String) -> HTTPRequestSpec? { nil }
    public func textOutcome(_ r: HTTPResponseData, _ spec: HTTPRequestSpec) -> Outcome {
        (200..<300).contains(r.status) ? .done : .failed(error(r, spec))
    }
}
