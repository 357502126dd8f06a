import Foundation
import Testing
@testable import Console
import GatewayKit
import GatewaySim
import FleetIndex

/// The console's effect runner in process, against the emulator over loopback: each effect
/// carries what it needs, and what it does comes back to the inbox as actions.
@Suite("effect runner against the emulator", .serialized)
struct EffectRunnerTests {
    static let token = "effects-\(UUID().uuidString)"

    /// Takes actions from the inbox until `done` says enough (or 30 s pass).
    static func collect(_ inbox: Inbox, until done: ([Action]) -> Bool) async -> [Action] {
        var seen: [Action] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            seen += inbox.take()
            if done(seen) { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return seen
    }

    /// The tiny world's emulator over loopback and a private folder, both gone afterwards.
    static func withSim(_ body: (World, RunningSim, URL) async throws -> Void) async throws {
        let world = World.fixture(.tiny)
        let sim = try await SimServer.start(world: world, dialect: .v1, token: Self.token)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-effects-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try await body(world, sim, dir)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("reads come back as loaded actions; an operation runs, is audited with what the operator saw, and reports each step")
    func readsAndAnOperation() async throws {
        try await Self.withSim { world, sim, dir in
            let inbox = Inbox()
            let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: Self.token, observer: inbox.requestObserver)
            let auditPath = dir.appendingPathComponent("audit.jsonl").path
            var options = ConsoleOptions(audit: AuditLog(path: auditPath),
                                         auditContext: AuditContext(user: "ana", client: nil, profile: "", gateway: "sim", dialect: "v1"))
            options.pacePerMinute = 6000
            options.journal = Journal.beside(auditPath: auditPath)
            let runner = EffectRunner(gateway: gw, inbox: inbox, options: options)

            runner.run(.loadSessions)
            let loaded = await Self.collect(inbox) { $0.contains { if case .sessionsLoaded = $0 { true } else { false } } }
            guard let sessions = loaded.lazy.compactMap({ a -> [Session]? in if case .sessionsLoaded(.success(let l)) = a { l } else { nil } }).first else {
                Issue.record("no sessions: \(loaded)"); return
            }
            #expect(loaded.contains { if case .requestLogged = $0 { true } else { false } }, "the request is logged too")
            let alpha = try #require(sessions.first { $0.id == TinyFixture.alpha })

            let carla = TinyFixture.plainMembers[0]
            let key = GroupKey(session: alpha.id, group: TinyFixture.teamAlpha)
            let labels = OperationLabels(targets: [carla.string: "Carla Dias"], groups: [key.group.string: "Team Alpha"], sessions: [alpha.id: alpha.label])
            runner.run(.runMembers(id: 1, .remove, key, targets: [carla], reason: "spam", undoes: nil, labels: labels, sessions: [alpha]))
            let ran = await Self.collect(inbox) { $0.contains { if case .operationFinished(1) = $0 { true } else { false } } }
            #expect(ran.contains { if case .operationRecorded(1, _) = $0 { true } else { false } })
            #expect(ran.contains { if case .operationEvent(1, let e) = $0, case .finished(let r) = e.event { e.step == 0 && r.target == carla && r.outcome == .done } else { false } })
            #expect(!(world.members(session: alpha.id, group: TinyFixture.teamAlpha) ?? []).contains { $0.matches(carla) })
            let (records, _) = try AuditLog.read(path: auditPath)
            #expect(records.contains { $0.type == "result" && $0.name == "Carla Dias" && $0.subject == "Team Alpha" })
            #expect(records.contains { $0.type == "operation" && $0.reason == "spam" && $0.sessionLabel == alpha.label })
        }
    }

    @Test("sessions read before the index is open are recorded when it opens: a group read after it has our role in the index")
    func sessionsBeforeTheIndex() async throws {
        try await Self.withSim { world, sim, dir in
            let inbox = Inbox()
            let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: Self.token)
            var options = ConsoleOptions(audit: AuditLog(path: dir.appendingPathComponent("audit.jsonl").path), auditContext: nil)
            let storePath = dir.appendingPathComponent("index.sqlite").path
            options.index = IndexOptions(storePath: storePath, watchlistPath: dir.appendingPathComponent("watch.sqlite").path)
            let runner = EffectRunner(gateway: gw, inbox: inbox, options: options)
            defer { runner.stopBackground() }

            // The live list first (a first start: the index file is still being made).
            runner.run(.loadSessions)
            _ = await Self.collect(inbox) { $0.contains { if case .sessionsLoaded = $0 { true } else { false } } }
            runner.run(.openIndex)
            let opened = await Self.collect(inbox) { $0.contains { if case .indexOpened = $0 { true } else { false } } }
            let snapshot = opened.lazy.compactMap { a -> IndexSnapshot? in if case .indexOpened(let s) = a { s } else { nil } }.first
            let alpha = try #require(snapshot?.sessions.first { $0.session.id == TinyFixture.alpha })
            #expect(alpha.session.account != nil, "the live list was recorded at the open, with our account")

            // A role probe, recorded: our role is in the index for the next start.
            let key = GroupKey(session: TinyFixture.alpha, group: TinyFixture.teamAlpha)
            runner.run(.learnRoles(session: key.session, groups: [key.group]))
            _ = await Self.collect(inbox) { $0.contains { if case .participantsIndexed(key, _, _) = $0 { true } else { false } } }
            let store = try FleetStore(path: storePath)
            let recorded = try #require(try store.group(session: key.session, jid: key.group))
            #expect(recorded.lastFullRead != nil)
            #expect(recorded.group.ourRole != nil)
        }
    }

    @Test("find posts each session's progress and its hits, then the report")
    func findProgress() async throws {
        let world = World.fixture(.tiny)
        let sim = try await SimServer.start(world: world, dialect: .v1, token: Self.token)
        do {
            let inbox = Inbox()
            let gw = try GatewayFactory.make(dialect: .v1, baseURL: sim.baseURL, token: Self.token)
            let runner = EffectRunner(gateway: gw, inbox: inbox, options: ConsoleOptions())
            let carla = TinyFixture.plainMembers[0]
            runner.run(.findEverywhere(carla))
            let seen = await Self.collect(inbox) { $0.contains { if case .foundEverywhere = $0 { true } else { false } } }
            let progress = seen.filter { if case .findProgress(_, .session) = $0 { true } else { false } }
            let hits = seen.filter { if case .findProgress(_, .hit) = $0 { true } else { false } }
            #expect(!progress.isEmpty)
            guard case .foundEverywhere(_, let report)? = seen.last(where: { if case .foundEverywhere = $0 { true } else { false } }) else {
                Issue.record("no report"); await sim.stop(); return
            }
            #expect(hits.count == report.hits.count, "every hit was told as it came")
            #expect(!report.hits.isEmpty && !report.stopped)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
