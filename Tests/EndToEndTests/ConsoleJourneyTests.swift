import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The real console in tmux against the emulator: keys pressed as an operator would,
/// waiting for what the screen shows rather than sleeping.
@Suite("console journeys in tmux", .enabled(if: TmuxSession.available, "needs tmux (installed by .ci/run)"), .serialized, .spawnsProcesses)
struct ConsoleJourneyTests {
    /// The main journeys run against every dialect the emulator speaks.
    static let dialects: [Dialect] = SimDialects.supported

    /// Starts the console on the fixture's emulator; the shell line records the terminal
    /// settings after the console exits, so tests can check it restored them.
    func open(_ f: SimFixture, extra: String = "", stty: String, audit: String = Self.auditFile()) throws -> TmuxSession {
        let t = TmuxSession()
        let cmd = "\(Binary.wamod.path) --gateway \(f.sim.baseURL.absoluteString) --dialect \(f.sim.dialect.rawValue) --pace 6000 \(extra); echo EXIT=$?; stty -a > \(stty); sleep 30"
        try t.start(cmd, env: ["WAMOD_TOKEN": f.clientToken, "LANG": "C.UTF-8", "TERM": "xterm-256color", "WAMOD_AUDIT": audit])
        return t
    }

    /// How the console shows a participant, and what to type to filter to them: by name where
    /// the dialect's participant rows carry names (v1, Wasend), else by number.
    struct Shown { var filter: String; var text: String }

    static func shown(_ d: Dialect, _ name: String, _ jid: JID) -> Shown {
        if d == .v1 || d == .wasend { return Shown(filter: String(name.split(separator: " ")[0]), text: name) }
        return Shown(filter: jid.user, text: "+" + jid.user)
    }

    static func carla(_ d: Dialect) -> Shown { shown(d, "Carla Dias", TinyFixture.plainMembers[0]) }

    func openTeamAlpha(_ t: TmuxSession, _ d: Dialect = .v1) async throws {
        try await t.wait(for: "Team Alpha")
        try t.keys("Tab")
        // Dialects label sessions their own way (WAHA by name, WUTS by its device).
        try await t.wait(for: "the groups pane focused") { $0.contains("Groups (") }
        // Found by filtering, as an operator would: dialects order groups differently.
        try t.keys("/")
        try t.literal("Team Alpha")
        try t.keys("Enter", "Enter")
        try await t.wait(for: "Participants · Team Alpha")
        try await t.wait(for: Self.carla(d).text)
    }

    /// After quitting: the console exited 0 and the shell found the terminal as it was (canonical, echoing).
    func expectRestored(_ t: TmuxSession, _ stty: String) async throws {
        try await t.wait(for: "EXIT=0")
        try await t.wait(for: "stty output", timeout: 5) { _ in (try? String(contentsOfFile: stty, encoding: .utf8))?.contains("icanon") == true }
        let settings = try String(contentsOfFile: stty, encoding: .utf8)
        #expect(settings.contains(" icanon") && settings.contains(" echo "), "the terminal is restored after quitting")
    }

    /// A folder of its own per test: the journal lives beside the audit file.
    static func auditFile() -> String { scratchAuditPath() }

    static func sttyFile() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("wamod-stty-\(UUID().uuidString)").path }

    @Test("open a group, filter, tag three, remove them through the dialog; the world loses exactly those three", arguments: dialects)
    func removeThree(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let stty = Self.sttyFile()
            let audit = Self.auditFile()
            let t = try open(f, stty: stty, audit: audit)
            defer { t.kill() }
            try await openTeamAlpha(t, d)
            let carla = Self.carla(d), davi = Self.shown(d, "Davi Rocha", TinyFixture.plainMembers[1])
            let eva = Self.shown(d, "Éva Müller", TinyFixture.plainMembers[2])
            // Filter to one, tag it, clear; three times, as an operator would.
            try t.keys("/")
            try t.literal(carla.filter)
            try await t.wait(for: "a filter showing only Carla") { $0.contains(carla.text) && !$0.contains(davi.text) }
            try t.keys("Enter", "Space", "Escape")
            try await t.wait(for: "the filter cleared") { $0.contains(davi.text) }
            try t.keys("/")
            try t.literal(davi.filter)
            try t.keys("Enter", "Space", "Escape", "/")
            try t.literal(eva.filter)
            try t.keys("Enter", "Space", "Escape")
            try await t.wait(for: "tagged 3")
            try t.keys("x")
            try await t.wait(for: "Remove 3 participants from Team Alpha")
            try await t.wait(for: "will be removed")
            // The key that opened the dialog does not confirm it.
            try t.keys("x")
            try t.keys("y")
            try await t.wait(for: "the summary in the log", timeout: 20) { $0.contains("removed 3 of 3") }
            let left = f.members(TinyFixture.teamAlpha)
            #expect(left.count == TinyFixture.teamAlphaSize - 3)
            for gone in TinyFixture.plainMembers.prefix(3) { #expect(!left.contains { $0.matches(gone) }) }
            let screen = try t.screen()
            #expect(screen.contains("✓ \(carla.text)") || screen.contains("removed 3 of 3"))
            let (records, _) = try AuditLog.read(path: audit)
            #expect(records.filter { $0.type == "operation" && $0.action == "remove" }.count == 1)
            #expect(records.filter { $0.type == "result" && $0.outcome == "done" }.count == 3, "each result is in the audit log")
            try t.keys("q")
            try await expectRestored(t, stty)
        }
    }

    @Test("demote an admin with y; leave a group by typing its name", arguments: dialects)
    func demoteAndLeave(_ d: Dialect) async throws {
        try await withSim(d) { f in
            let t = try open(f, stty: Self.sttyFile())
            defer { t.kill() }
            try await openTeamAlpha(t, d)
            let bruno = Self.shown(d, "Bruno Lima", TinyFixture.otherAdmin)
            try t.keys("/")
            try t.literal(bruno.filter)
            try t.keys("Enter")
            try await t.wait(for: "only Bruno shown") { !$0.contains(Self.carla(d).text) }
            try t.keys("d")
            try await t.wait(for: "will be demoted")
            try t.keys("y")
            try await t.wait(for: "demoted 1 of 1", timeout: 20)
            #expect(f.members(TinyFixture.teamAlpha).first { $0.matches(TinyFixture.otherAdmin) }?.role == .member)

            // Leave "Readers 📚": from the groups pane, L, then the name typed.
            try t.keys("Escape", "h", "Escape")
            try await t.wait(for: "Readers")
            try t.keys("/")
            try t.literal("Readers")
            try t.keys("Enter", "L")
            try await t.wait(for: "Leave 1 group")
            try await t.wait(for: "the name or the count to type") { $0.contains("Type Readers") && $0.contains("or 1:") }
            try t.keys("y", "Enter")
            try await t.wait(for: "type the name as shown") { $0.contains("type the name as shown") }
            #expect(f.members(TinyFixture.readers).contains { $0.matches(TinyFixture.alphaAccount) })
            try t.keys("BSpace")
            try t.literal("Readers 📚")
            try t.keys("Enter")
            try await t.wait(for: "left 1 of 1", timeout: 20)
            #expect(!f.members(TinyFixture.readers).contains { $0.matches(TinyFixture.alphaAccount) })
        }
    }

    @Test("an interrupted operation is offered at start and resumed without repeating; u undoes it; f removes a person from every group it can")
    func resumeUndoFind() async throws {
        try await withSim(.v1) { f in
            let stty = Self.sttyFile()
            let audit = Self.auditFile()
            let people = TinyFixture.plainMembers
            // An operation of this gateway cut short: Carla recorded done, Davi's request went
            // out but its result was never written, Éva not sent yet.
            let context = AuditContext(user: "night-shift", client: nil, profile: "", gateway: AuditContext.safeURL(f.sim.baseURL), dialect: "v1")
            let plan = OperationPlan(action: .remove, steps: people.prefix(3).map { OperationStep(session: TinyFixture.alpha, group: TinyFixture.teamAlpha, target: $0) },
                                     reason: "spam wave", context: context)
            let entry = try Journal.beside(auditPath: audit).begin(plan)
            try entry.record(step: 0, outcome: "done")
            entry.release()
            _ = try f.world.apply(.remove, session: TinyFixture.alpha, group: TinyFixture.teamAlpha, targets: [people[1]])
            let before = f.world.mutationsServed(session: TinyFixture.alpha)

            let t = try open(f, stty: stty, audit: audit)
            defer { t.kill() }
            try await t.wait(for: "An operation did not finish")
            try await t.wait(for: "remove: 2 of 3 left")
            try t.keys("y")
            try await t.wait(for: "the resumed operation's summary", timeout: 20) { $0.contains("removed 2 of 2") }
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == before + 1, "Davi was found gone and not sent again")
            #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(people[2]) })
            #expect(!Journal.beside(auditPath: audit).pending().contains { $0.plan.id == plan.id })

            // u puts back who this console removed (Éva), as a new operation.
            try t.keys("u")
            try await t.wait(for: "Undo: re-add 1 participant to Team Alpha")
            try await t.wait(for: "will be added")
            try t.keys("y")
            try await t.wait(for: "the undo's summary", timeout: 20) { $0.contains("added 1 of 1") }
            #expect(f.members(TinyFixture.teamAlpha).contains { $0.matches(people[2]) })

            // f: Carla everywhere. Team Alpha (admin) and Ours (owner) can go; Readers cannot.
            // The background index's first round is waited for, so f answers from it whatever
            // the machine's speed (before, a slow run pressed f after some groups were read
            // and found fewer than the test expected); r then reads every group live.
            try await t.wait(for: "the index's first round done") { screen in
                let status = screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
                guard let r = status.range(of: "· index ") else { return false }
                return status[r.upperBound...].first?.isNumber == true
            }
            try t.keys("f")
            try await t.wait(for: "find (number or JID)")
            try t.literal(people[0].phoneNumber!)
            try t.keys("Enter")
            // The offline session's group is not in the index: three of the four.
            try await t.wait(for: "is in 3 groups, as the index knows")
            try t.keys("r")
            try await t.wait(for: "is in 4 groups")
            try await t.wait(for: "Type 1 to confirm") { $0.contains("Type 1 to confirm") || $0.contains("Type 2 to confirm") }
            // Carla was already recorded removed from Team Alpha by the journal but never was: she is still there.
            let inTeam = f.members(TinyFixture.teamAlpha).contains { $0.matches(people[0]) }
            try t.literal(inTeam ? "2" : "1")
            try t.keys("Enter")
            try await t.wait(for: "the sweep's summary", timeout: 20) { $0.contains(inTeam ? "removed 2 of 2" : "removed 1 of 1") }
            #expect(!f.members(TinyFixture.ours).contains { $0.matches(people[0]) })
            #expect(!f.members(TinyFixture.teamAlpha).contains { $0.matches(people[0]) })
            #expect(f.members(TinyFixture.readers).contains { $0.matches(people[0]) })

            let (records, bad) = try AuditLog.read(path: audit)
            #expect(bad == 0)
            #expect(records.contains { $0.type == "resume" && $0.op == plan.id })
            #expect(records.filter { $0.type == "result" && $0.op == plan.id }.count == 2, "Davi (found done) and Éva")
            #expect(records.contains { $0.type == "operation" && $0.action == "add" && $0.undoes != nil })
            #expect(records.contains { $0.type == "operation" && $0.action == "remove" && $0.op != plan.id })
            try t.keys("q")
            try await expectRestored(t, stty)
        }
    }

    @Test("--read-only sends no mutating request and shows [RO]")
    func readOnly() async throws {
        try await withSim(.v1) { f in
            let t = try open(f, extra: "--read-only", stty: Self.sttyFile())
            defer { t.kill() }
            try await openTeamAlpha(t)
            try await t.wait(for: "[RO]")
            try t.keys("Space", "x")
            try await t.wait(for: "the read-only reason") { $0.contains("read-only mode") }
            try t.keys("d", "p", "h", "L")
            try await Task.sleep(nanoseconds: 300_000_000)
            #expect(!(try t.screen()).contains("will be removed"))
            #expect(f.world.mutationsServed(session: TinyFixture.alpha) == 0)
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize)
        }
    }

    @Test("resizing while a dialog is open keeps it, too small shows the notice, and the terminal comes back")
    func resize() async throws {
        try await withSim(.v1) { f in
            let stty = Self.sttyFile()
            let t = try open(f, stty: stty)
            defer { t.kill() }
            try await openTeamAlpha(t)
            try t.keys("/")
            try t.literal("Carla")
            try t.keys("Enter", "x")
            try await t.wait(for: "will be removed")
            try t.resize(80, 24)
            try await t.wait(for: "the dialog at 80x24") { $0.contains("Remove 1 participant") && $0.split(separator: "\n").count <= 24 }
            try t.resize(40, 10)
            try await t.wait(for: "terminal too small")
            try t.keys("y")
            try t.resize(100, 30)
            try await t.wait(for: "the dialog back") { $0.contains("Remove 1 participant") }
            #expect(f.members(TinyFixture.teamAlpha).count == TinyFixture.teamAlphaSize, "keys while too small did nothing")
            try t.keys("Escape", "q")
            try await expectRestored(t, stty)
        }
    }
}
