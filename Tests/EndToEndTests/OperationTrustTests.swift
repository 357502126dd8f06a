import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Journal and resume, undo, find-everywhere removal and concurrent audit writers: the
/// built binary against the emulator, as operators would use them.
/// One test at a time, like the command line suite: each spawns the binary, some many times.
@Suite("operations an operator can trust", .serialized, .spawnsProcesses)
struct OperationTrustTests {
    let alpha = TinyFixture.alphaLabel

    static func records(_ path: String) throws -> [AuditRecord] {
        let (records, bad) = try AuditLog.read(path: path)
        #expect(bad == 0, "unreadable lines in \(path)")
        return records
    }

    static func journalFiles(_ auditPath: String) -> [String] {
        let dir = Journal.beside(auditPath: auditPath).directory
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".jsonl") }
    }

    @Test("kill -9 in the middle of a paced removal, then wamod resume: every target done exactly once, and audited", arguments: [Dialect.v1, .wasend])
    func killThenResume(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let audit = scratchAuditPath()
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            let targets = TinyFixture.plainMembers + [TinyFixture.lidOnlyMember]
            // 20 a minute: one request every 3 s, so the kill lands between requests or during one.
            let slow = ["--gateway", f.sim.baseURL.absoluteString, "--dialect", d.rawValue, "--pace", "20"]
            let p = try spawnWamod(["remove", alpha, "Team Alpha"] + targets.map(\.string) + ["--yes"] + slow, env: env)
            // Wait for two results on disk, then kill without warning.
            var seen = 0
            for _ in 0..<300 {
                seen = (try? Self.records(audit))?.filter { $0.type == "result" }.count ?? 0
                if seen >= 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen >= 2, "the paced run never produced two results")
            kill(p.process.processIdentifier, SIGKILL)
            let status = await p.wait()
            #expect(status == SIGKILL, "the run ended by itself before the kill (\(status))")
            let removedBefore = targets.filter { t in !f.members(TinyFixture.teamAlpha).contains { $0.matches(t) } }.count
            #expect(removedBefore < targets.count, "everything was removed before the kill: nothing left to resume")
            #expect(Self.journalFiles(audit).count == 1, "the interrupted operation left no journal")

            // The list names it; with just one, resume takes it up.
            let r = try await runWamod(["resume", "--yes"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            for t in targets { #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(t) }, "\(t) is still a member") }
            // One mutating request per target: the one in flight at the kill was found done, not sent again.
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == targets.count)

            let records = try Self.records(audit)
            let op = try #require(records.first { $0.type == "operation" })
            #expect(records.filter { $0.type == "operation" }.count == 1)
            #expect(records.contains { $0.type == "resume" && $0.op == op.op })
            let results = records.filter { $0.type == "result" && $0.op == op.op }
            for t in targets {
                let mine = results.filter { $0.target == t.string }
                #expect(mine.count == 1, "\(t) has \(mine.count) results")
                #expect(mine.first?.outcome == "done" || mine.first?.outcome == "already")
                #expect(mine.first?.group == TinyFixture.teamAlpha.string)
            }
            #expect(Self.journalFiles(audit).isEmpty, "the journal outlived the finished operation")
            let table = try await runWamod(["audit"], env: env)
            #expect(table.stdout.contains("resumed: "), "\(table.stdout)")
            let again = try await runWamod(["resume"] + f.gatewayArgs, env: env)
            #expect(again.status == 0 && again.stdout.contains("nothing to resume"))
        }
    }

    @Test("resume refuses another gateway, and --discard gives an operation up with a record")
    func resumeGuards() async throws {
        try await withSim(.v1) { f in
            let audit = scratchAuditPath()
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            // A journal as an interrupted run on another gateway leaves it.
            let context = AuditContext(user: "ops", client: nil, profile: "prod", gateway: "https://gw.example/api", dialect: "v1")
            let plan = OperationPlan(action: .remove, steps: [OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha,
                                                                             target: TinyFixture.plainMembers[0])],
                                     reason: nil, context: context)
            try Journal.beside(auditPath: audit).begin(plan).release()
            let wrong = try await runWamod(["resume", plan.id, "--yes"] + f.gatewayArgs, env: env)
            #expect(wrong.status == 2)
            #expect(wrong.stderr.contains("--profile prod"))
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(TinyFixture.plainMembers[0]) })

            // An operation of this gateway can be given up.
            let local = AuditContext(user: "ops", client: nil, profile: "", gateway: AuditContext.safeURL(f.sim.baseURL), dialect: "v1")
            let mine = OperationPlan(action: .remove, steps: plan.steps, reason: nil, context: local)
            try Journal.beside(auditPath: audit).begin(mine).release()
            let discard = try await runWamod(["resume", mine.id, "--discard"] + f.gatewayArgs, env: env)
            #expect(discard.status == 0, "\(discard.stderr)")
            #expect(try Self.records(audit).contains { $0.type == "abandoned" && $0.op == mine.id && $0.targets == [TinyFixture.plainMembers[0].string] })
            #expect(!Self.journalFiles(audit).contains("\(mine.id).jsonl"))
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(TinyFixture.plainMembers[0]) })
        }
    }

    @Test("undo re-adds the removed, each row with its own outcome, as a new audited operation", arguments: [Dialect.v1, .wasend])
    func undoRemove(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let audit = scratchAuditPath()
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            let gone = Array(TinyFixture.plainMembers.prefix(3))
            let r = try await runWamod(["remove", alpha, "Team Alpha"] + gone.map(\.string) + ["--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stderr)")
            let out = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let op = try #require(out?["operation"] as? String)
            // WhatsApp refuses to re-add someone whose privacy settings forbid it.
            f.world.markPrivacyRestricted(String(gone[2].user))

            let u = try await runWamod(["undo", op, "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(u.status == 1, "one re-add is refused, so not everything was undone: \(u.stdout)\(u.stderr)")
            let rows = (try JSONSerialization.jsonObject(with: Data(u.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]] ?? []
            #expect(rows.count == 3)
            #expect(rows.filter { $0["outcome"] as? String == "done" }.count == 2)
            #expect(rows.first { $0["target"] as? String == gone[2].string }?["outcome"] as? String == "refused")
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(gone[0]) })
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(gone[1]) })
            #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(gone[2]) })

            let records = try Self.records(audit)
            let undoOp = try #require(records.first { $0.type == "operation" && $0.undoes == op })
            #expect(undoOp.action == "add")
            #expect(undoOp.reason == "undo of \(op)")
            #expect(records.filter { $0.type == "result" && $0.op == undoOp.op }.count == 3)
            #expect(try await runWamod(["audit"], env: env).stdout.contains("(undo of \(op))"))

            // A second undo finds the two back already and sends only what may still work.
            let again = try await runWamod(["undo", op, "--dry-run", "--json"] + f.gatewayArgs, env: env)
            let againRows = (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]] ?? []
            #expect(againRows.filter { $0["outcome"] as? String == "already" }.count == 2)
            #expect(againRows.filter { $0["outcome"] as? String == "will-act" }.count == 1)
        }
    }

    @Test("undo re-promotes a demoted admin; a leave and an unknown id are refused with a reason")
    func undoDemote() async throws {
        try await withSim(.v1) { f in
            let audit = scratchAuditPath()
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            let r = try await runWamod(["demote", alpha, "Team Alpha", TinyFixture.otherAdmin.string, "--yes", "--json"] + f.gatewayArgs, env: env)
            #expect(r.status == 0, "\(r.stderr)")
            let op = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["operation"] as? String)
            #expect(f.members(TinyFixture.teamAlpha).first { $0.matches(TinyFixture.otherAdmin) }?.role == .member)
            let u = try await runWamod(["undo", op, "--yes"] + f.gatewayArgs, env: env)
            #expect(u.status == 0, "\(u.stdout)\(u.stderr)")
            #expect(f.members(TinyFixture.teamAlpha).first { $0.matches(TinyFixture.otherAdmin) }?.role == .admin)

            let unknown = try await runWamod(["undo", "no-such-op", "--yes"] + f.gatewayArgs, env: env)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("no operation no-such-op"))
            let leave = try await runWamod(["leave", alpha, "Readers 📚", "--yes", "--json"] + f.gatewayArgs, env: env)
            let leaveOp = try #require((try JSONSerialization.jsonObject(with: Data(leave.stdout.utf8)) as? [String: Any])?["operation"] as? String)
            let noUndo = try await runWamod(["undo", leaveOp, "--yes"] + f.gatewayArgs, env: env)
            #expect(noUndo.status == 2)
            #expect(noUndo.stderr.contains("cannot be undone"))
        }
    }

    @Test("find --remove takes a person out of every group of every session where it can, in one audited operation")
    func findAndRemoveEverywhere() async throws {
        try await withSim(.v1) { f in
            let audit = scratchAuditPath()
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            // Both sessions connected: Carla is in three groups of alpha and one of the other account.
            f.world.setConnected(true, session: TinyFixture.offline)
            let carla = TinyFixture.plainMembers[0]

            // Without a terminal and without --yes nothing is sent.
            let refused = try await runWamod(["find", carla.phoneNumber!, "--remove"] + f.gatewayArgs, env: env)
            #expect(refused.status == 2)
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(carla) })

            let dry = try await runWamod(["find", carla.phoneNumber!, "--remove", "--dry-run"] + f.gatewayArgs, env: env)
            #expect(dry.stdout.contains("dry run: remove"))
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(carla) })

            let r = try await runWamod(["find", carla.phoneNumber!, "--remove", "--yes", "--reason", "incident 4711", "--json"] + f.gatewayArgs, env: env)
            // Still in Readers, where alpha is only a member: the exit says the job is not complete.
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(carla) })
            #expect(!f.members(TinyFixture.ours).contains { $0.matches(carla) })
            #expect(!f.members(TinyFixture.offlineGroup, session: TinyFixture.offline).contains { $0.matches(carla) })
            #expect(f.members(TinyFixture.readers).contains { $0.matches(carla) })
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let rows = obj?["groups"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["group"] as? String == TinyFixture.readers.string }?["removal"] as? String == "skip")
            #expect(rows.filter { $0["outcome"] as? String == "done" }.count == 3)

            let records = try Self.records(audit)
            let ops = records.filter { $0.type == "operation" && $0.dryRun == false }
            #expect(ops.count == 1)
            let op = try #require(ops.first)
            #expect(op.reason == "incident 4711")
            #expect(op.steps?.count == 3)
            #expect(Set(op.steps?.map(\.session) ?? []) == [TinyFixture.alpha, TinyFixture.offline])
            let results = records.filter { $0.type == "result" && $0.op == op.op }
            #expect(Set(results.compactMap(\.group)) == Set([TinyFixture.teamAlpha, TinyFixture.ours, TinyFixture.offlineGroup].map(\.string)))
            // wamod audit --group finds the operation by any of its groups.
            let byGroup = try await runWamod(["audit", "--group", TinyFixture.ours.string], env: env)
            #expect(byGroup.stdout.contains(op.op) && byGroup.stdout.contains("in 3 groups on several sessions"), "\(byGroup.stdout)")

            // And undo puts them back in all three.
            let u = try await runWamod(["undo", op.op, "--yes"] + f.gatewayArgs, env: env)
            #expect(u.status == 0, "\(u.stdout)\(u.stderr)")
            #expect(f.members(TinyFixture.ours).contains { $0.matches(carla) })
            #expect(f.members(TinyFixture.offlineGroup, session: TinyFixture.offline).contains { $0.matches(carla) })
        }
    }

    @Test("two processes appending to one audit file at once leave no torn line")
    func concurrentAuditWriters() async throws {
        try await withSim(.v1) { f in
            let audit = scratchAuditPath()
            // 300 targets make each start record about 9 KB, more than one atomic pipe write.
            let targets = (0..<300).map { "+55119100\(String(format: "%05d", $0))" }.joined(separator: " ")
            let bin = Binary.wamod.path
            let gw = f.gatewayArgs.joined(separator: " ")
            let loop = "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do \(bin) remove alpha 'Team Alpha' \(targets) --dry-run \(gw) >/dev/null || echo fail; done"
            var env = f.env
            env["WAMOD_AUDIT"] = audit
            async let a = runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", loop], env: env)
            async let b = runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", loop], env: env)
            let (ra, rb) = try await (a, b)
            // A dry run whose targets are all outside the group exits 0 after recording its plan.
            #expect(!ra.stdout.contains("fail") && !rb.stdout.contains("fail"), "\(ra.stderr)\(rb.stderr)")
            let data = try #require(FileManager.default.contents(atPath: audit))
            let lines = data.split(separator: 0x0A)
            #expect(lines.count == 24)
            for line in lines {
                let r = try JSONDecoder().decode(AuditRecord.self, from: Data(line))
                #expect(r.type == "operation" && r.targets?.count == 300 && r.dryRun == true)
            }
            #expect(data.last == 0x0A)
        }
    }
}

@Suite("wamod probe", .spawnsProcesses)
struct ProbeCommandTests {
    @Test("names the dialect, prints a profile for it, and never the token", arguments: [Dialect.v1, .evolution])
    func probe(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let r = try await runWamod(["probe", f.sim.baseURL.absoluteString], env: f.env)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("speaks \(d.rawValue)"))
            #expect(r.stdout.contains("dialect = \(d.rawValue)"))
            #expect(!r.stdout.contains(f.token) && !r.stderr.contains(f.token))
            let bad = try await runWamod(["probe", "not a url"], env: f.env)
            #expect(bad.status == 2)
        }
    }
}

@Suite("transport against a redirecting server", .spawnsProcesses)
struct RedirectTests {
    /// Two loopback servers in one Python process: the first answers every request with a
    /// redirect to the second, which records the headers it received.
    static let script = #"""
import http.server, json, sys, threading
seen = sys.argv[1]
class Land(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(seen, "a") as f: f.write(json.dumps(dict(self.headers)) + "\n")
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
land = http.server.HTTPServer(("127.0.0.1", 0), Land)
class Hop(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302); self.send_header("Location", "http://127.0.0.1:%d/landing" % land.server_port); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
hop = http.server.HTTPServer(("127.0.0.1", 0), Hop)
threading.Thread(target=land.serve_forever, daemon=True).start()
print(hop.server_port, flush=True)
hop.serve_forever()
"""#

    static func sessionsError(_ gw: any Gateway) async -> String? {
        do throws(GatewayError) { _ = try await gw.sessions(); return nil } catch { return error.message }
    }

    @Test("a redirect is not followed, so the token never travels to where it points")
    func redirectNotFollowed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-redirect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let seen = dir.appendingPathComponent("seen.jsonl").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.script, seen]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // SIGKILL: the test process's children inherit a SIGTERM they cannot act on, and
        // terminate() left the server running after every run.
        defer { kill(p.processIdentifier, SIGKILL) }
        let port: String = await withCheckedContinuation { c in
            Thread.detachNewThread {
                var line = Data()
                while let b = try? out.fileHandleForReading.read(upToCount: 1), !b.isEmpty, b != Data([0x0A]) { line.append(b) }
                c.resume(returning: String(decoding: line, as: UTF8.self))
            }
        }
        let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let token = "redirect-secret-\(UUID().uuidString)"
        let gw = try GatewayFactory.make(dialect: .v1, baseURL: base, token: token, options: TransportOptions(timeout: 5))
        let message = await Self.sessionsError(gw)
        #expect(message != nil, "a redirect must not read as a list of sessions")
        #expect(message?.contains(token) == false)
        let landed = (try? String(contentsOfFile: seen, encoding: .utf8)) ?? ""
        #expect(landed.isEmpty, "the request was followed to the second server: \(landed)")
        #expect(!landed.contains(token))
    }
}
