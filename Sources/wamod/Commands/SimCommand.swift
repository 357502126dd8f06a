import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import GatewayKit
import GatewaySim

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the gateway emulator on loopback, to rehearse and to demo.",
        discussion: """
        Serves one in-memory world in each dialect asked for, on consecutive ports from --port, \
        until interrupted. The token comes from WAMOD_SIM_TOKEN; without it one is made and \
        printed once.

        Examples:
          WAMOD_SIM_TOKEN=secret wamod sim --dialect v1,wasend --fixture demo --seed 1
          wamod sim --dialect all
          wamod sim --dialect waha --latency 300 --fault-rates 5xx=0.1,429=0.05
        """)

    @Option(help: "Dialects to serve, comma-separated (\(SimDialects.supported.map(\.rawValue).joined(separator: ", "))).")
    var dialect = "v1"
    @Option(help: "The first port; further dialects take the next ones. 0 picks free ports.")
    var port = 8080
    @Option(help: "The address to listen on; loopback unless you mean otherwise.")
    var host = "127.0.0.1"
    @Option(help: "The world: tiny, demo or large.")
    var fixture = "demo"
    @Option(help: "Seed for the world's content.")
    var seed: UInt64 = 1
    @Option(help: "Mutating requests per minute each session allows (0 = unlimited).")
    var rate = 60
    @Option(help: "How many mutating requests may come at once before the rate applies.")
    var burst = 10
    @Option(help: "Added latency per request, in milliseconds.")
    var latency = 0
    @Option(help: "Share of requests answered 500, from 0 to 1 (the same as --fault-rates 5xx=R).")
    var errorRate = 0.0
    @Option(help: "Wasend path forms served: both, documented or sdk.")
    var wasendPaths = "both"
    @Option(help: "Wawp's /v2/session/info forms served: both, documented (POST only) or older (GET only).")
    var wawpSessionInfo = "both"
    @Option(help: ArgumentHelp(
        "Shares of requests given each fault, comma-separated name=share (\(FaultRate.names)).",
        discussion: """
        For example 5xx=0.1,429=0.05,reset=0.02,truncate=0.01,html=0.01,stall=0.01. 5xx is a 500 \
        (as --error-rate, which it overrides when named); 429 the dialect's own rate-limit answer; reset \
        a connection closed without an answer; truncate a 200 whose JSON is cut short (a mutation carried \
        out or not, half each); html a proxy's 502 page; stall an answer held for --stall-ms.
        """,
        valueName: "list"))
    var faultRates: String?
    @Option(help: "How long a stalled answer is held, in milliseconds (a mutation is carried out at once; only its answer waits).")
    var stallMs = 30_000
    @Option(help: "Which requests the fault shares apply to: all, or mutations.")
    var faultsOn = "all"

    func validate() throws {
        guard Fixture(rawValue: fixture) != nil else {
            throw ValidationError("unknown fixture '\(fixture)' (known: \(Fixture.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard WasendPathForms(rawValue: wasendPaths) != nil else { throw ValidationError("--wasend-paths is both, documented or sdk") }
        guard WawpSessionInfoForms(rawValue: wawpSessionInfo) != nil else { throw ValidationError("--wawp-session-info is both, documented or older") }
        guard (0...65535).contains(port) else { throw ValidationError("--port is 0 to 65535") }
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate is from 0 to 1") }
        _ = try rates()
        guard (0...3_600_000).contains(stallMs) else { throw ValidationError("--stall-ms is 0 to 3600000") }
        guard ["all", "mutations"].contains(faultsOn.lowercased()) else { throw ValidationError("--faults-on is all or mutations") }
        _ = try dialects()
    }

    func dialects() throws -> [Dialect] {
        let names = dialect.lowercased() == "all" ? SimDialects.supported.map(\.rawValue) : dialect.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return try names.map { name in
            guard let d = Dialect(rawValue: name), SimDialects.supported.contains(d) else {
                throw ValidationError("the emulator does not speak '\(name)' (it speaks \(SimDialects.supported.map(\.rawValue).joined(separator: ", ")))")
            }
            return d
        }
    }

    /// The shares --fault-rates names (none when it is not given).
    func rates() throws -> [FaultRate: Double] {
        guard let faultRates else { return [:] }
        do { return try FaultRate.parse(faultRates) } catch {
            throw ValidationError("--fault-rates: \(error) (e.g. 5xx=0.1,429=0.05,reset=0.02,truncate=0.01,html=0.01,stall=0.01)")
        }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let given = env["WAMOD_SIM_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let token = given ?? SimToken.make()
        var options = WorldOptions(ratePerMinute: rate, burst: burst)
        options.faults.latencyMs = latency
        options.faults.serverErrorRate = errorRate
        for (rate, share) in try rates() { options.faults[keyPath: rate.keyPath] = share }
        options.faults.stallMs = stallMs
        options.faults.ratesOnMutationsOnly = faultsOn.lowercased() == "mutations"
        options.wasendPathForms = WasendPathForms(rawValue: wasendPaths) ?? .both
        options.wawpSessionInfo = WawpSessionInfoForms(rawValue: wawpSessionInfo) ?? .both
        let world = World.fixture(Fixture(rawValue: fixture) ?? .demo, seed: seed, options: options)
        var running: [RunningSim] = []
        for (i, d) in try dialects().enumerated() {
            do {
                running.append(try await SimServer.start(world: world, dialect: d, host: host, port: port == 0 ? 0 : port + i, token: token))
            } catch {
                for r in running { await r.stop() }
                throw CommandFailure(message: "\(error) (is port \(port + i) in use? try --port 0)", code: Exit.unreachable)
            }
        }
        if given == nil {
            Stdio.out("token (shown once; set WAMOD_SIM_TOKEN to choose it): \(token)")
        }
        Stdio.out("world: \(fixture), seed \(seed), \(world.sessions().count) sessions; \(rate == 0 ? "no rate limit" : "\(rate) mutations/min per session, burst \(burst)")")
        let shares = FaultRate.allCases.compactMap { rate -> String? in
            let share = options.faults[keyPath: rate.keyPath]
            return share > 0 ? "\(rate.rawValue)=\(share)" : nil
        }
        if !shares.isEmpty {
            let stall = options.faults.stallRate > 0 ? ", stalls of \(stallMs) ms" : ""
            Stdio.out("faults: \(shares.joined(separator: ", ")) of \(options.faults.ratesOnMutationsOnly ? "mutating requests" : "requests")\(stall)")
        }
        for r in running { Stdio.out("serving \(r.dialect.rawValue) on \(r.baseURL.absoluteString)") }
        Stdio.out("the emulator's own admin view, no part of any gateway's API, is under /_sim/ on each (Authorization: Bearer <token>): "
                  + "GET ledger, members?session=ID&group=JID, arrivals, sessions, faults; POST faults, connected")
        Stdio.out("")
        Stdio.out("# a config for these (save as $XDG_CONFIG_HOME/wamod/config; export the token as WAMOD_SIM_TOKEN):")
        let first = world.sessions().first { $0.connected }?.id ?? world.sessions().first?.id ?? ""
        for r in running {
            var lines = ["[profile sim-\(r.dialect.rawValue)]", "dialect = \(r.dialect.rawValue)", "url = \(r.baseURL.absoluteString)"]
            switch r.dialect {
            case .wawp:
                // One instance is one session: the token names it, INSTANCE_ID:ACCESS_TOKEN.
                lines.append("token_command = printf '%s:%s' \(first) \"$WAMOD_SIM_TOKEN\"")
            case .wuts:
                lines.append("token_env = WAMOD_SIM_TOKEN    # the token's device is the world's first session")
            default:
                lines.append("token_env = WAMOD_SIM_TOKEN")
            }
            Stdio.out(lines.joined(separator: "\n") + "\n")
        }
        Stdio.out("Ctrl-C stops.")
        let signal = await SignalWait.next([SIGINT, SIGTERM, SIGHUP])
        Stdio.err("stopping (signal \(signal))")
        for r in running { await r.stop() }
    }
}

enum SimToken {
    static func make() -> String {
        var g = SystemRandomNumberGenerator()
        return "sim-" + (0..<24).map { _ in String("abcdefghijkmnpqrstuvwxyz23456789".randomElement(using: &g)!) }.joined()
    }
}

/// Waits for the first of some signals, without a busy loop.
enum SignalWait {
    static func next(_ signals: [Int32]) async -> Int32 {
        await withCheckedContinuation { (cont: CheckedContinuation<Int32, Never>) in
            let once = Once()
            let queue = DispatchQueue(label: "wamod.signals")
            var sources: [DispatchSourceSignal] = []
            for sig in signals {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                src.setEventHandler {
                    if once.fire() {
                        for s in sources { s.cancel() }
                        cont.resume(returning: sig)
                    }
                }
                src.resume()
                sources.append(src)
            }
            queue.sync { SignalWait.keep = sources }
        }
    }

    nonisolated(unsafe) static var keep: [DispatchSourceSignal] = []
}

final class Once: Sendable {
    private let fired = Mutex(false)
    func fire() -> Bool {
        fired.withLock { f in
            if f { return false }
            f = true
            return true
        }
    }
}
