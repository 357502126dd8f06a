import FleetEvents
import FleetIndex
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
    /// Where operations are journaled for resume; nil journals nothing.
    public var journal: Journal?
    /// The profile's exit notice, offered in the remove dialog's notice field.
    public var noticeTemplate: String?
    /// The profile's fleet index, watchlist and events; nil runs without them (live reads only).
    public var index: IndexOptions?
    public init(readOnly: Bool = false, dryRun: Bool = false, requireReason: Bool = false, gatewayName: String = "",
                audit: AuditLog? = nil, auditContext: AuditContext? = nil) {
        self.readOnly = readOnly; self.dryRun = dryRun; self.requireReason = requireReason; self.gatewayName = gatewayName
        self.audit = audit; self.auditContext = auditContext
    }
}

/// Where the profile's fleet index and watchlist are, how the background sync reads, and
/// where events come from.
public struct IndexOptions: Sendable {
    public var storePath: String
    public var watchlistPath: String
    /// The background sync's pace (`ReadBudget.default` unless given).
    public var budget: ReadBudget
    /// Seconds between polling rounds where no events come.
    public var pollEvery: TimeInterval
    /// The profile's event source (nil: polling), made once the sessions are known.
    public var source: (@Sendable (_ store: FleetStore, _ sessions: [String]) -> (any EventSource)?)?

    public init(storePath: String, watchlistPath: String, budget: ReadBudget = .default, pollEvery: TimeInterval = 300,
                source: (@Sendable (_ store: FleetStore, _ sessions: [String]) -> (any EventSource)?)? = nil) {
        self.storePath = storePath; self.watchlistPath = watchlistPath; self.budget = budget; self.pollEvery = pollEvery; self.source = source
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
    /// Does the work effects ask for; holds no state of the console's.
    let effects: EffectRunner

    public init(gateway: any Gateway, inbox: Inbox, options: ConsoleOptions = .init(), keys: KeyMap = .standard) {
        self.gateway = gateway
        self.inbox = inbox
        self.options = options
        self.effects = EffectRunner(gateway: gateway, inbox: inbox, options: options)
        self.reducer = Reducer(keys: keys)
        self.view = RootView(keys: keys)
        state.capabilities = gateway.capabilities
        state.dialect = gateway.dialect
        state.readOnly = options.readOnly
        state.dryRun = options.dryRun
        state.requireReason = options.requireReason
        state.noticeTemplate = options.noticeTemplate
        state.gatewayName = options.gatewayName
        if let index = options.index {
            state.fleet.pollEvery = index.pollEvery
            state.fleet.openingSince = Date()
        }
    }

    public func start(wake: @escaping @Sendable () -> Void) {
        inbox.setWake(wake)
        state.sessions.loading = true
        // The index is opened off the UI thread: the first paint does not wait for it.
        perform((options.index == nil ? [] : [.openIndex]) + [.loadSessions, .checkPending])
    }

    public func handle(key: Key) { send(.key(key)) }
    public func resize(width: Int, height: Int) { send(.resize(width: width, height: height)) }
    public func interrupt() { send(.interrupt) }

    public func drainInbox() -> InboxChange {
        let actions = inbox.take()
        guard !actions.isEmpty else { return .nothing }
        // A watchlist alert raised by background work is shown at once.
        let alerts = state.fleet.alerts.count
        for a in actions { send(a) }
        if state.fleet.alerts.count != alerts { return .now }
        return actions.allSatisfy(\.isBackground) ? .background : .now
    }

    public func render(width: Int, height: Int, ascii: Bool) -> Screen {
        // Pure: the run loop tells the size through `resize` before it renders.
        var shown = state
        shown.width = width
        shown.height = height
        return view.render(shown, ascii: ascii)
    }

    public var tickInterval: Int? {
        if let op = state.operation, !op.finished { return 1000 }
        return nil
    }

    public func tick() -> Bool {
        send(.tick(Date()))
        return true
    }

    /// How long a quit waits for an operation's requests in flight to finish and its unsent
    /// targets to be recorded "not attempted".
    static let quitGrace: TimeInterval = 15
    var quitDeadline: Date?

    public var shouldQuit: Bool {
        guard state.quit else { return false }
        if let op = state.operation, !op.finished, let deadline = quitDeadline, Date() < deadline { return false }
        return true
    }

    /// After a quit during an operation: what was done, what was not sent, and its id.
    public var exitSummary: [String] { state.quitSummary }

    /// Applies an action and performs the work it asks for.
    public func send(_ action: Action) {
        // A tick carries its own time; everything else happens now.
        if case .tick = action {} else { state.now = Date() }
        perform(reducer.reduce(&state, action))
    }

    func perform(_ list: [Effect]) {
        for e in list {
            // Quitting during an operation waits (bounded) for its unsent targets to be recorded.
            if e == .quit, state.operation.map({ !$0.finished }) == true { quitDeadline = Date().addingTimeInterval(Self.quitGrace) }
            effects.run(e)
        }
    }

    deinit { effects.stopBackground() }
}
