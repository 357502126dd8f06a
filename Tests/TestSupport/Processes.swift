import Foundation
import Synchronization
import GatewayKit
import GatewaySim

/// The built `wamod` binary, next to the test bundle.
public enum Binary {
    public static var wamod: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wamod"),
            Bundle.main.bundleURL.appendingPathComponent("wamod"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wamod"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/wamod").standardized,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[candidates.count - 1]
    }
}

public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the binary with arguments and environment; standard input is empty (no terminal).
/// Waits without blocking a thread of the test's executor: the emulator answering the
/// binary runs on that same executor.
public func runWamod(_ args: [String], env: [String: String] = [:], stdin: String? = nil) async throws -> RunResult {
    try await runProgram(Binary.wamod, args, env: env, stdin: stdin)
}

/// The environment the binary runs in: no token, no profiles and no audit log of the
/// machine running the tests (each run gets its own audit file and journal unless the test
/// names one).
public func testEnvironment(_ env: [String: String]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "WAMOD_TOKEN")
    environment["WAMOD_CONFIG"] = "/nonexistent/wamod-test-config"
    environment["WAMOD_AUDIT"] = scratchAuditPath()
    // Nor its state directory: the index and watchlist of one test never reach another.
    environment["XDG_STATE_HOME"] = scratchStateDirectory()
    for (k, v) in env { environment[k] = v }
    return environment
}

/// A fresh state directory (index, watchlist, demo records) for one run of the binary.
public func scratchStateDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("wamod-state-\(UUID().uuidString)").path
}

/// A fresh folder for a test's audit file and journal.
public func scratchAuditPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("wamod-test-\(UUID().uuidString)/audit.jsonl").path
}

/// Runs any program (the binary, or a shell driving it) and collects its output.
public func runProgram(_ executable: URL, _ args: [String], env: [String: String] = [:], stdin: String? = nil) async throws -> RunResult {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    p.environment = testEnvironment(env)
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    let outData = Mutexed(Data()), errData = Mutexed(Data())
    return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<RunResult, Error>) in
        let group = DispatchGroup()
        group.enter()
        group.enter()
        group.enter()
        p.terminationHandler = { _ in group.leave() }
        do { try p.run() } catch {
            cont.resume(throwing: error)
            return
        }
        // Blocking reads get threads of their own: on Linux the global dispatch queues share their
        // few threads with the async executor the emulator answers on.
        Thread.detachNewThread { outData.set(out.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        Thread.detachNewThread { errData.set(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        Thread.detachNewThread {
            group.wait()
            cont.resume(returning: RunResult(status: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                                             stderr: String(decoding: errData.get(), as: UTF8.self)))
        }
    }
}

/// Starts the binary without waiting for it (output discarded), to be killed mid-operation.
public func spawnWamod(_ args: [String], env: [String: String]) throws -> SpawnedProcess {
    let p = Process()
    p.executableURL = Binary.wamod
    p.arguments = args
    p.environment = testEnvironment(env)
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    let s = SpawnedProcess(p)
    p.terminationHandler = { proc in s.ended(proc.terminationStatus) }
    try p.run()
    return s
}

public final class SpawnedProcess: @unchecked Sendable {
    // Process is not Sendable; it is only read here (its status comes through `ended`).
    public let process: Process
    private let state = Mutex<(status: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))

    public init(_ p: Process) { process = p }

    public func ended(_ s: Int32) {
        let w = state.withLock { st -> CheckedContinuation<Int32, Never>? in
            st.status = s
            defer { st.waiter = nil }
            return st.waiter
        }
        w?.resume(returning: s)
    }

    /// Waits for the end without blocking a thread of the test's executor.
    public func wait() async -> Int32 {
        await withCheckedContinuation { c in
            let done = state.withLock { st -> Int32? in
                if let s = st.status { return s }
                st.waiter = c
                return nil
            }
            if let done { c.resume(returning: done) }
        }
    }
}

public final class Mutexed<T: Sendable>: Sendable {
    private let value: Mutex<T>
    public init(_ v: T) { value = Mutex(v) }
    public func set(_ v: T) { value.withLock { $0 = v } }
    public func get() -> T { value.withLock { $0 } }
}

/// An emulator serving the tiny world for a test, and the arguments that point wamod at it.
public struct SimFixture {
    public let world: World
    public let sim: RunningSim
    public let token: String
    /// The tests pace fast: the emulator's world has no rate limit, and pacing itself is tested on a virtual clock.
    /// A generous timeout: the tests assert outcomes, not speed, and a loaded machine is slow.
    public var gatewayArgs: [String] { ["--gateway", sim.baseURL.absoluteString, "--dialect", sim.dialect.rawValue, "--pace", "6000", "--timeout", "60"] }
    public var env: [String: String] { ["WAMOD_TOKEN": clientToken] }
    /// The token as a client of this dialect holds it: Wawp's names its instance (the session).
    public var clientToken: String { sim.dialect == .wawp ? "\(TinyFixture.alpha):\(token)" : token }

    public static func start(_ dialect: Dialect, fixture: Fixture = .tiny) async throws -> SimFixture {
        let token = "e2e-\(UUID().uuidString)"
        let world = World.fixture(fixture, options: .unlimited)
        return SimFixture(world: world, sim: try await SimServer.start(world: world, dialect: dialect, token: token), token: token)
    }

    public func members(_ group: JID, session: String = TinyFixture.alpha) -> [SimMember] {
        world.members(session: session, group: group) ?? []
    }
}

public func withSim(_ dialect: Dialect, fixture: Fixture = .tiny, _ body: (SimFixture) async throws -> Void) async throws {
    let f = try await SimFixture.start(dialect, fixture: fixture)
    do { try await body(f) } catch {
        await f.sim.stop()
        throw error
    }
    await f.sim.stop()
}
