import Foundation
import GRDB
import Testing
@testable import FleetIndex

/// Two writers on one index: another process (the `sqlite3` shell standing in for a second
/// wamod) and the store, each waiting for the other's write rather than failing.
@Suite struct StoreConcurrencyTests {
    static let sqlite3 = "/usr/bin/sqlite3"

    /// Starts `sqlite3 path` with `script` on its standard input.
    static func startShell(_ path: String, script: String) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sqlite3)
        p.arguments = ["-batch", "-bail", path]
        let input = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = errors
        try p.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        return (p, errors)
    }

    /// Waits (up to 20 s) for `path` to appear.
    static func waitFor(_ path: String) async throws -> Bool {
        for _ in 0..<1000 {
            if FileManager.default.fileExists(atPath: path) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for the process to end (killing it after 30 s, so the test never hangs).
    static func finish(_ p: Process) async throws {
        for _ in 0..<1500 where p.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: StoreConcurrencyTests.sqlite3)))
    func theStoreWaitsForAnotherProcesssWrite() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite", marker = dir + "/locked"
            let store = try FleetStore(path: path)
            // The other process takes the write lock, says so, and holds it for a second.
            let (shell, errors) = try Self.startShell(path, script: """
                .timeout 20000
                BEGIN IMMEDIATE;
                INSERT INTO fleet_meta (key, value) VALUES ('from-shell', 'one');
                .shell touch '\(marker)'
                .shell sleep 1
                COMMIT;
                """)
            #expect(try await Self.waitFor(marker))
            // Locked by the other process now: this write waits, then lands.
            try store.setMeta("from-store", "two")
            #expect(try store.meta("from-shell") == "one")
            try await Self.finish(shell)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(shell.terminationStatus == 0, "sqlite3: \(stderr)")
            #expect(try store.meta("from-store") == "two")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: StoreConcurrencyTests.sqlite3)))
    func anotherProcessWaitsForTheStoresWrite() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite", marker = dir + "/locked"
            let store = try FleetStore(path: path)
            // The other process waits for the store to hold the lock, then writes (and so
            // waits for the store's transaction to end).
            let (shell, errors) = try Self.startShell(path, script: """
                .timeout 20000
                .shell while [ ! -e '\(marker)' ]; do sleep 0.02; done
                INSERT INTO fleet_meta (key, value) VALUES ('from-shell', 'one');
                """)
            try Self.holdWriteLock(store, marker: marker)
            try await Self.finish(shell)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(shell.terminationStatus == 0, "sqlite3: \(stderr)")
            #expect(try store.meta("from-shell") == "one")
            #expect(try store.meta("from-store") == "two")
        }
    }

    /// Writes in one transaction that says it holds the lock (the marker file), then keeps it a second.
    static func holdWriteLock(_ store: FleetStore, marker: String) throws {
        try store.pool.write { db in
            try db.execute(sql: "INSERT INTO fleet_meta (key, value) VALUES ('from-store', 'two')")
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
            Thread.sleep(forTimeInterval: 1)
        }
    }

    @Test func twoStoresInOneProcessWriteAtOnce() async throws {
        try await withTempDirectory { dir in
            let path = dir + "/prod.sqlite"
            let first = try FleetStore(path: path), second = try FleetStore(path: path)
            try first.recordSessions([session("s1")], at: date(0))
            try first.recordGroups(session: "s1", (1...40).map { group($0) }, at: date(0))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (k, store) in [first, second].enumerated() {
                    tasks.addTask {
                        for i in 1...20 {
                            let g = group(k * 20 + i).jid
                            try store.recordParticipants(session: "s1", group: g, (0..<50).map { person(k * 10_000 + i * 100 + $0) }, at: date(1))
                            try store.setMeta("store\(k)-\(i)", "\(i)")
                        }
                    }
                }
                try await tasks.waitForAll()
            }
            #expect(try first.counts().participants == 40 * 50)
            #expect(try second.freshness()?.neverRead == 0)
            for k in 0..<2 {
                for i in 1...20 { #expect(try first.meta("store\(k)-\(i)") == "\(i)") }
            }
        }
    }
}
