import Foundation
import GatewayKit
import GatewaySim
import TestSupport
import Testing

/// The fleet index, the watchlist and the guard from the command line: the built binary
/// against the emulator, each test with its own state directory (index, watchlist) and audit log.
@Suite("fleet index on the command line", .serialized, .spawnsProcesses)
struct FleetCommandLineTests {
    let alpha = TinyFixture.alphaLabel
    let team = TinyFixture.teamAlpha

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func jsonArray(_ text: String) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }

    /// One state directory and one audit log for every run of a test.
    static func environment(_ f: SimFixture) -> (env: [String: String], state: String, audit: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-fleet-\(UUID().uuidString)").path
        var env = f.env
        env["XDG_STATE_HOME"] = dir + "/state"
        env["WAMOD_AUDIT"] = dir + "/audit.jsonl"
        return (env, dir + "/state", dir + "/audit.jsonl")
    }

    /// Participant reads that reached the emulator (any dialect's members route).
    static func reads(_ f: SimFixture) -> Int { f.world.arrivals().filter { $0.method == "GET" }.count }

    @Test("sync fills the index; find then answers from it, each hit with its age, reading nothing")
    func findFromIndex() async throws {
        try await withSim(.waha) { f in
            let (env, state, _) = Self.environment(f)
            let sync = try await runWamod(["sync", "--json"] + f.gatewayArgs, env: env)
            #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
            let report = Self.json(sync.stdout)
            #expect((report["groupsRead"] as? Int ?? 0) >= 3, "\(sync.stdout)")
            let index = try #require(report["index"] as? String)
            #expect(index.hasPrefix(state + "/wamod/index/"), "the index is in the state directory: \(index)")
            #expect(FileManager.default.fileExists(atPath: index))

            let before = Self.reads(f)
            let who = TinyFixture.plainMembers[0]
            let found = try await runWamod(["find", "+" + who.user, "--json"] + f.gatewayArgs, env: env)
            #expect(found.status == 0, "\(found.stdout)\(found.stderr)")
            let body = Self.json(found.stdout)
            #expect(body["source"] as? String == "index")
            let groups = body["groups"] as? [[String: Any]] ?? []
            #expect(groups.contains { $0["group"] as? String == team.string }, "\(found.stdout)")
            #expect(groups.allSatisfy { ($0["ageSeconds"] as? Int).map { $0 >= 0 } == true && $0["seen"] is String }, "\(found.stdout)")
            #expect(Self.reads(f) == before, "find from the index sends no request")
            // It needs no token either: nothing is sent (the token source, perhaps a prompting
            // command, is not asked).
            var tokenless = env
            tokenless["WAMOD_TOKEN"] = nil
            let offline = try await runWamod(["find", "+" + who.user, "--json"] + f.gatewayArgs, env: tokenless)
            #expect(offline.status == 0 && Self.json(offline.stdout)["source"] as? String == "index", "\(offline.stdout)\(offline.stderr)")
            #expect(Self.reads(f) == before)

            let live = try await runWamod(["find", "+" + who.user, "--json", "--live"] + f.gatewayArgs, env: env)
            #expect(Self.json(live.stdout)["source"] as? String == "live")
            #expect(Self.reads(f) > before, "--live reads the groups")
            let liveGroups = (Self.json(live.stdout)["groups"] as? [[String: Any]] ?? []).compactMap { $0["group"] as? String }
            #expect(Set(liveGroups) == Set(groups.compactMap { $0["group"] as? String }), "the index and a live read agree")
        }
    }

    @Test("find with an empty index reads every group, and says so")
    func findWithoutIndex() async throws {
        try await withSim(.v1) { f in
            let (env, _, _) = Self.environment(f)
            let r = try await runWamod(["find", "+" + TinyFixture.plainMembers[0].user] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("the index is empty"), "\(r.stderr)")
            #expect(r.stdout.contains("Team Alpha"), "\(r.stdout)")
        }
    }

    @Test("find --remove reads the groups live first: one they left since the sync is not acted on")
    func findRemoveConfirmsLive() async throws {
        try await withSim(.waha) { f in
            let (env, _, audit) = Self.environment(f)
            #expect(try await runWamod(["sync"] + f.gatewayArgs, env: env).status == 0)
            let who = TinyFixture.plainMembers[1]
            // They leave Team Alpha "elsewhere", after the index saw them there.
            let groupsBefore = (f.world.groups(session: TinyFixture.alpha) ?? []).filter { g in
                f.members(g.jid).contains { $0.matches(who) }
            }.map(\.jid)
            #expect(groupsBefore.contains(team))
            _ = try f.world.apply(.remove, session: TinyFixture.alpha, group: team, targets: [who])
            let r = try await runWamod(["find", "+" + who.user, "--remove", "--yes", "--reason", "test", "--json"] + f.gatewayArgs, env: env)
            let body = Self.json(r.stdout)
            let groups = (body["groups"] as? [[String: Any]] ?? []).compactMap { $0["group"] as? String }
            #expect(!groups.contains(team.string), "a group they left is not a hit after the live read: \(r.stdout)")
            let (records, _) = try AuditLog.read(path: audit)
            let removals = records.filter { $0.type == "result" && $0.outcome == "done" }
            #expect(!removals.contains { $0.group == team.string }, "nothing was sent to Team Alpha")
        }
    }

    @Test("members --joined-since lists who joined after the index first read the group, not the baseline")
    func joinedSince() async throws {
        try await withSim(.waha) { f in
            let (env, _, _) = Self.environment(f)
            #expect(try await runWamod(["sync"] + f.gatewayArgs, env: env).status == 0)
            _ = try f.world.apply(.add, session: TinyFixture.alpha, group: team, targets: [TinyFixture.outsider])
            let r = try await runWamod(["members", alpha, "Team Alpha", "--joined-since", "1h", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let rows = Self.jsonArray(r.stdout)
            #expect(rows.compactMap { $0["phone"] as? String ?? $0["id"] as? String } == [TinyFixture.outsider.string], "\(r.stdout)")
            let none = try await runWamod(["members", alpha, "Team Alpha", "--joined-since", "1h30m"] + f.gatewayArgs, env: env)
            #expect(none.stdout.contains(TinyFixture.outsider.user), "\(none.stdout)")
            let bad = try await runWamod(["members", alpha, "Team Alpha", "--joined-since", "soon"] + f.gatewayArgs, env: env)
            #expect(bad.status == 2 && bad.stderr.contains("--joined-since"), "\(bad.stderr)")
        }
    }

    @Test("watch add, list and remove: stored beside the index, each change in the audit log with who and why")
    func watchlist() async throws {
        try await withSim(.v1) { f in
            let (env, state, audit) = Self.environment(f)
            let who = "+" + TinyFixture.outsider.user
            let add = try await runWamod(["watch", "add", who, "--reason", "spam wave", "--expires", "30d"] + f.gatewayArgs.prefix(4), env: env)
            #expect(add.status == 0, "\(add.stdout)\(add.stderr)")
            let list = try await runWamod(["watch", "list", "--json"] + f.gatewayArgs.prefix(4), env: env)
            let rows = Self.jsonArray(list.stdout)
            #expect(rows.count == 1 && rows.first?["reason"] as? String == "spam wave" && rows.first?["expires"] is String, "\(list.stdout)")
            #expect(FileManager.default.fileExists(atPath: state + "/wamod/index"), "the watchlist is in the state directory")
            let noReason = try await runWamod(["watch", "add", who, "--reason", " "] + f.gatewayArgs.prefix(4), env: env)
            #expect(noReason.status == 2)
            let remove = try await runWamod(["watch", "remove", who, "--reason", "appeal"] + f.gatewayArgs.prefix(4), env: env)
            #expect(remove.status == 0, "\(remove.stderr)")
            let again = try await runWamod(["watch", "remove", who] + f.gatewayArgs.prefix(4), env: env)
            #expect(again.status == 1 && again.stderr.contains("not on the watchlist"))
            let (records, _) = try AuditLog.read(path: audit)
            let watch = records.filter { $0.type == "watch" }
            #expect(watch.map(\.action) == ["watch-add", "watch-remove"])
            #expect(watch.map(\.reason) == ["spam wave", "appeal"])
            #expect(watch.allSatisfy { $0.user?.isEmpty == false && $0.target == TinyFixture.outsider.string })
            #expect(watch.first?.detail?.hasPrefix("expires ") == true)
            // Operations' readers pass over them.
            let shown = try await runWamod(["audit"], env: env)
            #expect(shown.status == 0, "\(shown.stderr)")
        }
    }

    @Test("guard --once reports a watchlisted member and sends nothing; with --auto-remove removes them, the reason naming the entry")
    func guardOnce() async throws {
        try await withSim(.waha) { f in
            let (env, _, audit) = Self.environment(f)
            let spammer = TinyFixture.outsider
            _ = try f.world.apply(.add, session: TinyFixture.alpha, group: team, targets: [spammer])
            #expect(try await runWamod(["watch", "add", "+" + spammer.user, "--reason", "spam wave"] + f.gatewayArgs.prefix(4), env: env).status == 0)
            let mutationsBefore = f.world.mutationsServed(session: TinyFixture.alpha)

            let report = try await runWamod(["guard", "--once"] + f.gatewayArgs, env: env)
            #expect(report.status == 1, "a listed person is still in a group: \(report.stdout)\(report.stderr)")
            #expect(report.stdout.contains("seen") && report.stdout.contains("Team Alpha") && report.stdout.contains("spam wave"), "\(report.stdout)")
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == mutationsBefore, "without --auto-remove nothing is sent")

            let removed = try await runWamod(["guard", "--once", "--auto-remove", "--json"] + f.gatewayArgs, env: env)
            #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
            #expect(!f.members(team).contains { $0.matches(spammer) }, "removed from Team Alpha")
            let (records, _) = try AuditLog.read(path: audit)
            let op = try #require(records.first { $0.type == "operation" && $0.action == "remove" })
            #expect(op.reason == "watchlist: spam wave")
            #expect(records.contains { $0.type == "result" && $0.op == op.op && $0.outcome == "done" && $0.target == spammer.string })
            // Our own account and the owner are never targets, whatever the list says.
            #expect(try await runWamod(["watch", "add", TinyFixture.creator.string, "--reason", "x"] + f.gatewayArgs.prefix(4), env: env).status == 0)
            let owner = try await runWamod(["guard", "--once", "--auto-remove"] + f.gatewayArgs, env: env)
            #expect(owner.stdout.contains("skip"), "\(owner.stdout)")
            #expect(f.members(team).contains { $0.matches(TinyFixture.creator) }, "the owner stays")
        }
    }

    @Test("guard --auto-remove left running: a watchlisted person who joins through the admin view is removed with no one at the keyboard, the audit saying why")
    func guardRemovesAJoinAsItHappens() async throws {
        try await withSim(.waha) { f in
            let (env, _, audit) = Self.environment(f)
            let spammer = TinyFixture.outsider
            #expect(try await runWamod(["watch", "add", "+" + spammer.user, "--reason", "spam wave"] + f.gatewayArgs.prefix(4), env: env).status == 0)
            let guardian = try spawnWamod(["guard", "--auto-remove"] + f.gatewayArgs, env: env)
            defer { if guardian.process.isRunning { guardian.process.terminate() } }
            // The guard listens on WAHA's WebSocket once it has read the fleet.
            let deadline = Date().addingTimeInterval(30)
            while f.sim.openEventSockets == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(f.sim.openEventSockets == 1, "the guard follows the gateway's events")
            let answer = try await send("POST", f.sim.baseURL, "/_sim/participants", token: f.token,
                                        json: ["session": TinyFixture.alphaLabel, "group": team.string, "add": ["+" + spammer.user], "via": "invite"])
            #expect(answer.status == 200, "\(answer.text)")
            while f.members(team).contains(where: { $0.matches(spammer) }) && Date() < deadline.addingTimeInterval(30) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!f.members(team).contains { $0.matches(spammer) }, "removed as they joined")
            guardian.process.interrupt()
            #expect(await guardian.wait() == 0, "an interrupted guard ends cleanly")
            let (records, _) = try AuditLog.read(path: audit)
            let op = try #require(records.first { $0.type == "operation" && $0.action == "remove" })
            #expect(op.reason == "watchlist: spam wave")
            #expect(records.contains { $0.type == "result" && $0.op == op.op && $0.outcome == "done" && $0.target == spammer.string })
            #expect(f.world.ledger().filter { $0.action == "remove" }.count == 1, "sent once")
        }
    }

    @Test("a sync killed part way resumes: groups already read are not read again")
    func killedSyncResumes() async throws {
        try await withSim(.waha, fixture: .demo) { f in
            let (env, _, _) = Self.environment(f)
            // One read a second: the kill lands part way through the first session.
            let p = try spawnWamod(["sync", "--reads-per-minute", "60"] + f.gatewayArgs, env: testEnvironment(env))
            try await Task.sleep(for: .seconds(5))
            kill(p.process.processIdentifier, SIGKILL)
            _ = await p.wait()
            let second = try await runWamod(["sync", "--json", "--reads-per-minute", "600"] + f.gatewayArgs, env: env)
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            let r = Self.json(second.stdout)
            #expect((r["groupsResumed"] as? Int ?? 0) > 0, "\(second.stdout)")
            #expect((r["groupsRead"] as? Int ?? 0) > 0, "the rest were read")
        }
    }
}
