import ArgumentParser
import Console
import ConsoleTerminal
import FleetEvents
import FleetIndex
import Foundation
import GatewayKit
import GatewaySim

/// Flags of the console, shared by `wamod` and `wamod demo`.
struct ConsoleFlags: ParsableArguments {
    @Flag(name: .long, help: "Disable every action that changes a group ([RO]).") var readOnly = false
    @Flag(name: .long, help: "Confirmations log what would be sent and send nothing ([DRY]).") var dryRun = false
    @Flag(name: .long, help: "Require a reason in every confirmation.") var requireReason = false
    @Flag(name: .long, help: "Monochrome: bold, reverse and underline only (also when NO_COLOR is set).") var noColor = false
    @Flag(name: .long, help: "ASCII borders and marks.") var ascii = false

    func options(gatewayName: String, audit: AuditLog?, context: AuditContext?, pace: Int?, journal: Journal?) -> ConsoleOptions {
        var o = ConsoleOptions(readOnly: readOnly, dryRun: dryRun, requireReason: requireReason, gatewayName: gatewayName,
                               audit: audit, auditContext: context)
        o.pacePerMinute = pace
        o.journal = journal
        return o
    }

    var terminal: TerminalOptions { TerminalOptions(color: !noColor, ascii: ascii ? true : nil) }
}

enum ConsoleLauncher {
    /// The key table with the config file's `[keys]` applied (the standard one without a file).
    static func keyMap(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KeyMap {
        let path = Paths(environment: environment).configFile
        guard FileManager.default.fileExists(atPath: path) else { return .standard }
        let config: ConfigFile
        do { config = try LoadedConfig.file(path) } catch { throw CommandFailure(message: error.message, code: Exit.usage) }
        do { return try KeyMap.standard.remapped(config.keys) } catch {
            throw CommandFailure(message: "\(path): \(error)", code: Exit.usage)
        }
    }

    /// Runs the console on a UI thread of its own until the operator quits.
    static func run(gateway: any Gateway, inbox: Inbox, flags: ConsoleFlags, name: String, audit: AuditLog, context: AuditContext,
                    pace: Int?, journal: Journal, notice: String? = nil, index: IndexOptions? = nil) async throws {
        let keys = try keyMap()
        var made = flags.options(gatewayName: name, audit: audit, context: context, pace: pace, journal: journal)
        made.noticeTemplate = notice
        made.index = index
        let options = made
        let summary: [String]
        do {
            summary = try await TerminalRunLoop.runOnOwnThread(options: flags.terminal) {
                ConsoleApp(gateway: gateway, inbox: inbox, options: options, keys: keys)
            }
        } catch let e as TerminalError {
            throw CommandFailure(message: "\(e)", code: Exit.usage)
        }
        // A quit during an operation says what it left, once the terminal is back.
        for line in summary { Stdio.err(line) }
    }
}

/// `wamod` alone, or `wamod console`: the console on the configured profile or --gateway.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the console (the default command) on a profile or --gateway.",
        discussion: """
        Examples:
          wamod console --profile support
          wamod console --profile sales --read-only
          WAMOD_TOKEN=… wamod console --gateway https://gw.example.com --dialect waha
        """)

    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var console: ConsoleFlags

    func run() async throws {
        let profile = try gateway.resolveProfile()
        let inbox = Inbox()
        // The token is resolved once: the gateway and the event stream share it.
        let token = try await TokenResolver.resolve(profile)
        let gw = try GatewayFactory.make(dialect: profile.dialect, baseURL: profile.baseURL, token: token,
                                         options: TransportOptions(timeout: profile.timeout, allowInsecureHTTP: profile.allowHTTP,
                                                                   maxAnswerBytes: profile.maxAnswerMB << 20),
                                         observer: inbox.requestObserver)
        let name = gateway.gateway == nil ? profile.name : (profile.baseURL.host ?? "gateway") + (profile.baseURL.port.map { ":\($0)" } ?? "")
        try await ConsoleLauncher.run(gateway: gw, inbox: inbox, flags: console, name: name,
                                audit: AuditLog(path: AuditLog.defaultPath()), context: AuditContext.current(profile: profile),
                                pace: profile.pacePerMinute, journal: Journal.beside(auditPath: AuditLog.defaultPath()),
                                notice: profile.noticeTemplate,
                                index: ConsoleLauncher.index(key: FleetFiles.key(profile), dialect: profile.dialect, baseURL: profile.baseURL,
                                                             token: token, budget: FleetFiles.budget(profile), pollEvery: FleetFiles.pollInterval(profile)))
    }
}

extension ConsoleLauncher {
    /// The fleet index, watchlist and event source of a profile (`key`: its name, or for
    /// `--gateway` its host and port; a demo world's name), in the state directory. The token
    /// is held for the event stream (WAHA's WebSocket), never shown or logged.
    static func index(key: String, dialect: Dialect, baseURL: URL, token: String, budget: ReadBudget, pollEvery: TimeInterval) -> IndexOptions {
        IndexOptions(storePath: FleetStore.path(profile: key), watchlistPath: Watchlist.path(profile: key), budget: budget, pollEvery: pollEvery) { store, sessions in
            EventSources.source(dialect: dialect, baseURL: baseURL, token: token, sessions: sessions, store: store)
        }
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the console against the built-in emulator with demo data.",
        discussion: """
        The emulator runs in this process on a free loopback port; nothing leaves the machine.

        Examples:
          wamod demo
          wamod demo --dialect waha --fixture large
          wamod demo --read-only --ascii
        """)

    @Option(help: "The dialect the emulator speaks: \(SimDialects.supported.map(\.rawValue).joined(separator: ", ")).") var dialect = "v1"
    @Option(help: "The world: tiny, demo or large.") var fixture = "demo"
    @Option(help: "Seed for the world's content.") var seed: UInt64 = 1
    @Option(help: "Mutating requests per minute each session allows (0 = unlimited).") var rate = 60
    @Option(help: "How many mutating requests may come at once before the rate applies.") var burst = 10
    @Option(help: "The console's own pace: mutating requests per minute (default 10, as the vendors advise).") var pace: Int?
    @Option(help: "Share of requests the emulator answers with 500, from 0 to 1 (to rehearse failures).") var errorRate = 0.0
    @OptionGroup var console: ConsoleFlags

    func validate() throws {
        guard let d = Dialect(rawValue: dialect), SimDialects.supported.contains(d) else {
            throw ValidationError("the emulator speaks \(SimDialects.supported.map(\.rawValue).joined(separator: ", "))")
        }
        guard Fixture(rawValue: fixture) != nil else { throw ValidationError("--fixture is tiny, demo or large") }
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate is from 0 to 1") }
    }

    func run() async throws {
        let dialect = Dialect(rawValue: self.dialect) ?? .v1
        var options = WorldOptions(ratePerMinute: rate, burst: burst)
        options.faults.serverErrorRate = errorRate
        let world = World.fixture(Fixture(rawValue: fixture) ?? .demo, seed: seed, options: options)
        let token = SimToken.make()
        let sim = try await SimServer.start(world: world, dialect: dialect, token: token)
        let inbox = Inbox()
        // Some dialects' tokens name their instance (the session): the world's first connected one.
        let first = world.sessions().first { $0.connected }?.id ?? world.sessions().first?.id ?? ""
        let clientToken = dialect.codec.token(token, session: first)
        let gw = try GatewayFactory.make(dialect: dialect, baseURL: sim.baseURL, token: clientToken, observer: inbox.requestObserver)
        defer { Task { await sim.stop() } }
        // A rehearsal is recorded apart from real operations, in a directory of its world's
        // own (…/wamod/demo/v1-demo-seed1/: audit.jsonl and journal/), and names its world
        // rather than this run's port as its gateway: the same world (dialect, fixture, seed)
        // is the same gateway on every run, so what an interrupted rehearsal left is offered
        // by the next run of that world and can be resumed there, and nothing else is offered.
        let env = ProcessInfo.processInfo.environment
        let demoWorld = Paths.demoWorld(dialect: dialect.rawValue, fixture: fixture, seed: seed)
        let auditPath = Paths(environment: env).demoDirectory(world: demoWorld) + "/audit.jsonl"
        let profile = Profile(name: "demo", dialect: dialect, baseURL: sim.baseURL, token: .environment("-"))
        var context = AuditContext.current(profile: profile)
        context.gateway = Paths.demoGateway(world: demoWorld)
        try await ConsoleLauncher.run(gateway: gw, inbox: inbox, flags: console, name: "demo (\(dialect.rawValue))",
                                audit: AuditLog(path: auditPath), context: context, pace: pace,
                                journal: Journal.beside(auditPath: auditPath),
                                notice: "Hi {name}, you are being removed from {group} after reports of spam. Reply here if this is a mistake.",
                                // The demo world's own index (…/wamod/index/v1-demo-seed1.sqlite): the
                                // same world on every run, so its rows paint the next run at once.
                                index: ConsoleLauncher.index(key: demoWorld, dialect: dialect, baseURL: sim.baseURL, token: clientToken,
                                                             budget: .default, pollEvery: 300))
    }
}
