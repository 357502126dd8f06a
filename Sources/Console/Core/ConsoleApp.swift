import Foundation
import GatewayKit
import Synchronization

/// Which operation a request belongs to, carried by the task that sends it.
public enum OperationContext {
    @TaskLocal public static var current: Int?
}

/// Where background work posts actions for the UI thread, and how it wakes it.
public final class Inbox: Sendable {
    private let queue = Mutex<[Action]>([])
    private let waker = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    public func setWake(_ wake: @escaping @Sendable () -> Void) { waker.withLock { $0 = wake } }

    public func post(_ action: Action) {
        queue.withLock { $0.append(action) }
        waker.withLock { $0 }?()
    }

    public func take() -> [Action] { queue.withLock { q in defer { q = [] }; return q } }

    /// A request observer for the gateway: every request goes to the log pane, under its operation.
    public var requestObserver: RequestObserver {
        { [self] event in post(.requestLogged(event, operation: OperationContext.current)) }
    }
}

/// Settings of a console run.
public struct ConsoleOptions: Sendable {
    public var readOnly = false
    public var dryRun = false
    public var requireReason = false
    public var gatewayName = ""
    /// Where operations are recorded, and who records them; nil records nothing.
    public var audit: AuditLog?
    public var auditContext: AuditContext?
    /// The profile's pace (mutating requests per minute), nil for the default.
    public var pacePerMinute: Int?
    public init(readOnly: Bool = false, dryRun: Bool = false, requireReason: Bool = false, gatewayName: String = "",
                audit: AuditLog? = nil, auditContext: AuditContext? = nil) {
        self.readOnly = readOnly; self.dryRun = dryRun; self.requireReason = requireReason; self.gatewayName = gatewayName
        self.audit = audit; self.auditContext = auditContext
    }
}

/// The console: state, reducer, views, and the effect runner that talks to the gateway.
/// Lives on the UI thread; background tasks only post to the inbox.
public final class ConsoleApp: InteractiveApp {
    public private(set) var state = ConsoleState()
    let reducer: Reducer
    let view: RootView
    let gateway: any Gateway
    let inbox: Inbox
    let options: ConsoleOptions
    var operations: [Int: Task<Void, Never>] = [:]
    /// One pacer per session, kept across operations so back-to-back operations stay paced.
    var pacers: [String: Pacer] = [:]

    func pacer(for sessionID: String) -> Pacer {
        if let p = pacers[sessionID] { return p }
        let session = state.sessions.value?.first { $0.id == sessionID }
        let p = Pacer(ratePerMinute: Pacer.ratePerMinute(profile: options.pacePerMinute, advertised: session?.ratePerMinute))
        pacers[sessionID] = p
        return p
    }

    public init(gateway: any Gateway, inbox: Inbox, options: ConsoleOptions = .init(), keys: KeyMap = .standard) {
        self.gateway = gateway
        self.inbox = inbox
        self.options = options
        self.reducer = Reducer(keys: keys)
        self.view = RootView(keys: keys)
        state.readOnly = options.readOnly
        state.dryRun = options.dryRun
        state.requireReason = options.requireReason
        state.gatewayName = options.gatewayName
    }

    public func start(wake: @escaping @Sendable () -> Void) {
        inbox.setWake(wake)
        state.sessions.loading = true
        perform([.loadSessions])
    }

    public func handle(key: Key) { send(.key(key)) }
    public func resize(width: Int, height: Int) { send(.resize(width: width, height: height)) }
    public func interrupt() { send(.interrupt) }

    public func drainInbox() -> Bool {
        let actions = inbox.take()
        for a in actions { send(a) }
        return !actions.isEmpty
    }

    public func render(width: Int, height: Int, ascii: Bool) -> Screen {
        if width != state.width || height != state.height { send(.resize(width: width, height: height)) }
        return view.render(state, ascii: ascii)
    }

    public var tickInterval: Int? {
        if let op = state.operation, !op.finished { return 1000 }
        return nil
    }

    public func tick() -> Bool {
        send(.tick(Date()))
        return true
    }

    public var shouldQuit: Bool { state.quit }

    /// Applies an action and performs the work it asks for.
    public func send(_ action: Action) {
        if case .key = action { state.now = Date() }
        if case .requestLogged = action { state.now = Date() }
        if case .operationEvent = action { state.now = Date() }
        perform(reducer.reduce(&state, action))
    }

    func perform(_ effects: [Effect]) {
        for e in effects { run(e) }
    }

    func run(_ effect: Effect) {
        let gw = gateway
        let inbox = inbox
        switch effect {
        case .loadSessions:
            Task { inbox.post(.sessionsLoaded(await Loads.sessions(gw))) }
        case .loadGroups(let sid):
            Task { inbox.post(.groupsLoaded(session: sid, await Loads.groups(gw, sid))) }
        case .loadParticipants(let key):
            Task { inbox.post(.participantsLoaded(key, await Loads.participants(gw, key))) }
        case .learnRoles(let sid, let groups):
            Task {
                // Two at a time, so a slow link still answers the operator's own reads first.
                await withTaskGroup(of: Void.self) { tasks in
                    var next = groups.makeIterator()
                    func add() -> Bool {
                        guard let g = next.next() else { return false }
                        tasks.addTask {
                            let key = GroupKey(session: sid, group: g)
                            if case .success(let list) = await Loads.participants(gw, key) { inbox.post(.rolesLearned(key, list)) }
                        }
                        return true
                    }
                    _ = add(); _ = add()
                    while await tasks.next() != nil { _ = add() }
                }
            }
        case .preflight(let key):
            Task { inbox.post(.preflightLoaded(key, await Loads.participants(gw, key))) }
        case .leavePreflight(let sid, let groups):
            let session = state.sessions.value?.first { $0.id == sid }
                ?? Session(id: sid, label: sid, account: nil, connected: true, status: "unknown")
            let known = state.groups[sid]?.value ?? []
            Task { inbox.post(.leavePreflightLoaded(session: sid, await Loads.leaveRows(gw, session, groups, known))) }
        case .runMembers(let id, let action, let key, let targets, let reason):
            let opts = options
            let pacer = pacer(for: key.session)
            operations[id] = Task.detached {
                await ConsoleApp.runMembers(gw, inbox, id: id, action, key, targets, reason: reason, audit: opts.audit,
                                            context: opts.auditContext, pacer: pacer)
            }
        case .runLeave(let id, let sid, let groups, let reason):
            let opts = options
            let pacer = pacer(for: sid)
            operations[id] = Task.detached {
                await ConsoleApp.runLeave(gw, inbox, id: id, session: sid, groups, reason: reason, audit: opts.audit,
                                          context: opts.auditContext, pacer: pacer)
            }
        case .cancelOperation(let id):
            operations[id]?.cancel()
        case .quit:
            break
        }
    }

}

extension ConsoleApp {
    /// Runs a member operation: its start recorded before the first request (nothing is sent
    /// if that fails), each result recorded before it is shown.
    static func runMembers(_ gw: any Gateway, _ inbox: Inbox, id: Int, _ action: MemberAction, _ key: GroupKey, _ targets: [JID],
                           reason: String, audit: AuditLog?, context: AuditContext?, pacer: Pacer) async {
        let op = AuditLog.newOperationID()
        if let audit, let context {
            let start = AuditRecord.operation(id: op, context: context, session: key.session, group: key.group.string,
                                              action: action.rawValue, targets: targets.map(\.string), reason: reason, dryRun: false)
            if let refusal = record(audit, start) { return refuseAll(targets, refusal, id: id, inbox: inbox) }
        }
        await OperationContext.$current.withValue(id) {
            _ = await Executor(gateway: gw, pacer: pacer, retry: .standard).run(action, session: key.session, group: key.group, targets: targets) { event in
                if case .finished(let r) = event, let audit { _ = record(audit, .result(id: op, r)) }
                inbox.post(.operationEvent(id: id, event))
            }
        }
        inbox.post(.operationFinished(id: id))
    }

    static func runLeave(_ gw: any Gateway, _ inbox: Inbox, id: Int, session: String, _ groups: [JID],
                         reason: String, audit: AuditLog?, context: AuditContext?, pacer: Pacer) async {
        let op = AuditLog.newOperationID()
        if let audit, let context {
            let start = AuditRecord.operation(id: op, context: context, session: session, group: nil, action: "leave",
                                              targets: groups.map(\.string), reason: reason, dryRun: false)
            if let refusal = record(audit, start) { return refuseAll(groups, refusal, id: id, inbox: inbox) }
        }
        await OperationContext.$current.withValue(id) {
            _ = await Executor(gateway: gw, pacer: pacer, retry: .standard).leave(session: session, groups: groups) { event in
                if case .finished(let r) = event, let audit { _ = record(audit, .result(id: op, r)) }
                inbox.post(.operationEvent(id: id, event))
            }
        }
        inbox.post(.operationFinished(id: id))
    }

    /// Appends a record; returns why it could not be written.
    static func record(_ audit: AuditLog, _ r: AuditRecord) -> String? {
        do throws(GatewayError) { try audit.append(r); return nil } catch { return error.message }
    }

    /// Nothing is sent when the operation's start cannot be recorded.
    static func refuseAll(_ targets: [JID], _ why: String, id: Int, inbox: Inbox) {
        for t in targets {
            inbox.post(.operationEvent(id: id, .finished(TargetResult(target: t, outcome: .notAttempted("not sent: \(why)")))))
        }
        inbox.post(.operationFinished(id: id))
    }
}

/// The reads the effect runner makes, as results for the inbox.
enum Loads {
    static func sessions(_ gw: any Gateway) async -> Result<[Session], GatewayError> {
        do { return .success(try await gw.sessions()) } catch { return .failure(error) }
    }

    static func groups(_ gw: any Gateway, _ sid: String) async -> Result<[Group], GatewayError> {
        do { return .success(try await gw.groups(session: sid)) } catch { return .failure(error) }
    }

    static func participants(_ gw: any Gateway, _ key: GroupKey) async -> Result<[Participant], GatewayError> {
        do { return .success(try await gw.participants(session: key.session, group: key.group)) } catch { return .failure(error) }
    }

    static func leaveRows(_ gw: any Gateway, _ session: Session, _ groups: [JID], _ known: [Group]) async -> Result<[LeaveRow], GatewayError> {
        var rows: [LeaveRow] = []
        for g in groups {
            let people: [Participant]
            do { people = try await gw.participants(session: session.id, group: g) } catch { return .failure(error) }
            let group = known.first { $0.jid == g } ?? Group(jid: g, subject: g.string, size: people.count, owner: nil, ourRole: nil)
            rows.append(LeaveRow(group: group, verdict: Preflight.leaveVerdict(participants: people, session: session, ownerMayLeave: gw.dialect != .wasend)))
        }
        return .success(rows)
    }
}
