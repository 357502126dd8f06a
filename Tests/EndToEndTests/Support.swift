import Foundation
import GatewayKit
import GatewaySim

/// The built `wamod` binary, next to the test bundle.
enum Binary {
    static var wamod: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wamod"),
            Bundle.main.bundleURL.appendingPathComponent("wamod"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("wamod"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/wamod").standardized,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[candidates.count - 1]
    }
}

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the binary with arguments and environment; standard input is empty (no terminal).
/// Waits without blocking a thread of the test's executor: the emulator answering the
/// binary runs on that same executor.
func runWamod(_ args: [String], env: [String: String] = [:], stdin: String? = nil) async throws -> RunResult {
    try await runProgram(Binary.wamod, args, env: env, stdin: stdin)
}

/// The environment the binary runs in: no token, no profiles and no audit log of the
/// machine running the tests (each run gets its own audit file and journal unless the test
/// names one).
func testEnvironment(_ env: [String: String]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "WAMOD_TOKEN")
    environment["WAMOD_CONFIG"] = "/nonexistent/wamod-test-config"
    environment["WAMOD_AUDIT"] = FileManager.default.temporaryDirectory
        .appendingPathComponent("wamod-test-\(UUID().uuidString)/audit.jsonl").path
    for (k, v) in env { environment[k] = v }
    return environment
}

/// A fresh folder for a test's audit file and journal.
func scratchAuditPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("wamod-test-\(UUID().uuidString)/audit.jsonl").path
}

/// Runs any program (the binary, or a shell driving it) and collects its output.
func runProgram(_ executable: URL, _ args: [String], env: [String: String] = [:], stdin: String? = nil) async throws -> RunResult {
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
func spawnWamod(_ args: [String], env: [String: String]) throws -> SpawnedProcess {
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

final class SpawnedProcess: @unchecked Sendable {
    let process: Process
    private let lock = NSLock()
    private var status: Int32?
    private var waiter: CheckedContinuation<Int32, Never>?

    init(_ p: Process) { process = p }

    func ended(_ s: Int32) {
        lock.lock()
        status = s
        let w = waiter
        waiter = nil
        lock.unlock()
        w?.resume(returning: s)
    }

    /// Waits for the end without blocking a thread of the test's executor.
    func wait() async -> Int32 {
        await withCheckedContinuation { c in
            lock.lock()
            if let status { lock.unlock(); c.resume(returning: status); return }
            waiter = c
            lock.unlock()
        }
    }
}

final class Mutexed<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}

/// An emulator serving the tiny world for a test, and the arguments that point wamod at it.
struct SimFixture {
    let world: World
    let sim: RunningSim
    let token: String
    /// The tests pace fast: the emulator's world has no rate limit, and pacing itself is tested on a virtual clock.
    /// A generous timeout: the tests assert outcomes, not speed, and a loaded machine is slow.
    var gatewayArgs: [String] { ["--gateway", sim.baseURL.absoluteString, "--dialect", sim.dialect.rawValue, "--pace", "6000", "--timeout", "60"] }
    var env: [String: String] { ["WAMOD_TOKEN": clientToken] }
    /// The token as a client of this dialect holds it: Wawp's names its instance (the session).
    var clientToken: String { sim.dialect == .wawp ? "\(TinyFixture.alpha):\(token)" : token }

    static func start(_ dialect: Dialect, fixture: Fixture = .tiny) async throws -> SimFixture {
        let token = "e2e-\(UUID().uuidString)"
        let world = World.fixture(fixture, options: .unlimited)
        return SimFixture(world: world, sim: try await SimServer.start(world: world, dialect: dialect, token: token), token: token)
    }

    func members(_ group: JID, session: String = TinyFixture.alpha) -> [SimMember] {
        world.members(session: session, group: group) ?? []
    }
}

func withSim(_ dialect: Dialect, fixture: Fixture = .tiny, _ body: (SimFixture) async throws -> Void) async throws {
    let f = try await SimFixture.start(dialect, fixture: fixture)
    do { try await body(f) } catch {
        await f.sim.stop()
        throw error
    }
    await f.sim.stop()
}
