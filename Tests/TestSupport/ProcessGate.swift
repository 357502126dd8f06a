import Foundation
import Synchronization
import Testing

/// How many tests that start processes (the built binary, an emulator, tmux, a shell for a
/// token command) run at once. Swift Testing starts every suite together: on a two-core
/// machine forty debug binaries starting in the first minute starved the tests that measure
/// a wait (a tmux screen, a token command's timeout, a request's deadline), and CI went red
/// on waits, not on behaviour. Two at a time keeps the machine answering.
public actor ProcessGate {
    public static let shared = ProcessGate(width: 2)

    private let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func enter() async {
        if running < width {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            // The slot passes to the next in line.
            waiting.removeFirst().resume()
        }
    }
}

/// `.spawnsProcesses` on a suite: each of its tests waits for a place at the `ProcessGate`.
public struct SpawnsProcesses: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // The suite itself holds no place: only its tests do (else they would wait on it).
        guard !test.isSuite, testCase != nil else { return try await function() }
        await ProcessGate.shared.enter()
        do {
            try await function()
        } catch {
            await ProcessGate.shared.leave()
            throw error
        }
        await ProcessGate.shared.leave()
    }
}

extension Trait where Self == SpawnsProcesses {
    /// The suite's tests start processes: they take turns (`ProcessGate`).
    public static var spawnsProcesses: Self { SpawnsProcesses() }
}
