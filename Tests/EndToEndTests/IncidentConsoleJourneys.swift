import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// The incident toolkit in the real console, in tmux against the emulator speaking WAHA (the
/// dialect with all of it): the invite link reset, a lock and its undo with the groups pane's
/// badges, join requests answered from the participants pane, and a removal with an exit notice.
@Suite("incident toolkit in the console (tmux)", .enabled(if: TmuxSession.available, "needs tmux (installed by .ci/run)"), .serialized, .spawnsProcesses)
struct IncidentConsoleJourneys {
    let team = TinyFixture.teamAlpha

    /// The console on the fixture's emulator; the shell line stays after the console exits so
    /// its status can be read.
    func open(_ f: SimFixture, audit: String, env extra: [String: String] = [:], args: String? = nil, width: Int = 120) throws -> TmuxSession {
        let t = TmuxSession()
        let target = args ?? "--gateway \(f.sim.baseURL.absoluteString) --dialect \(f.sim.dialect.rawValue)"
        let cmd = "\(Binary.wamod.path) \(target) --pace 6000; echo EXIT=$?; sleep 30"
        // No profile of the machine's: the tests name their own.
        var env = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "WAMOD_AUDIT": audit, "WAMOD_CONFIG": "/nonexistent/wamod-test-config"]
        // With a profile of its own, the token comes from the profile's file.
        if args == nil { env["WAMOD_TOKEN"] = f.clientToken }
        for (k, v) in extra { env[k] = v }
        try t.start(cmd, env: env, width: width, height: 34)
        return t
    }

    /// The screen's lines naming Team Alpha that carry a settings badge.
    static func badged(_ screen: String) -> [Substring] {
        screen.split(separator: "\n").filter { $0.contains("Team Alpha") && $0.contains("[msg info") }
    }

    func quit(_ t: TmuxSession) async throws {
        try t.keys("q")
        try await t.wait(for: "EXIT=0")
    }

    @Test("i shows the link masked and v reveals it; I then y resets it: the log says done and the world's code changed")
    func resetLink() async throws {
        try await withSim(.waha) { f in
            let audit = scratchAuditPath()
            let old = try #require(f.world.currentInviteCode(session: TinyFixture.alpha, group: team))
            let t = try open(f, audit: audit)
            defer { t.kill() }
            try await t.onTeamAlpha()

            try t.keys("i")
            try await t.wait(for: "the masked link") { $0.contains("invite link: https://chat.whatsapp.com/\(old.prefix(4))…") }
            #expect(!(try t.screen()).contains(old), "masked until v")
            try await t.wait(for: "the pending requests in the details") { $0.contains("pending requests to join: 2") }
            try t.keys("v")
            try await t.wait(for: "the whole link") { $0.contains("https://chat.whatsapp.com/\(old)") }
            try t.keys("Escape")
            try await t.wait(for: "the details closed") { !$0.contains("invite link:") }

            try t.keys("I")
            try await t.wait(for: "Reset the invite link of 1 group")
            try await t.wait(for: "new link; the old one stops working")
            try t.keys("y")
            try await t.wait(for: "the reset's summary", timeout: 20) { $0.contains("link reset 1 of 1") }
            let new = f.world.currentInviteCode(session: TinyFixture.alpha, group: team)
            #expect(new != nil && new != old)
            #expect(f.world.ledger().filter { $0.action == "invite-reset" }.count == 1)
            #expect(throws: JoinByCodeRefusal.invalidCode) { try f.world.join(code: old, as: TinyFixture.outsider) }
            let (records, _) = try AuditLog.read(path: audit)
            #expect(records.contains { $0.type == "operation" && $0.action == "invite-reset" })
            #expect(records.contains { $0.type == "result" && $0.outcome == "done" && $0.detail?.contains("no longer works") == true })

            // The details read the new link.
            try t.keys("i")
            try await t.wait(for: "the new link, masked") { $0.contains("chat.whatsapp.com/\(new?.prefix(4) ?? "")…") }
            try t.keys("Escape")
            try await quit(t)
        }
    }

    @Test("K then y locks: the groups pane shows the [msg info] badge; u and y put the settings back and the badge goes")
    func lockAndUndo() async throws {
        try await withSim(.waha) { f in
            let audit = scratchAuditPath()
            // Info already locked: the undo must leave it locked.
            f.world.setSettings(GroupSettings(locked: true), session: TinyFixture.alpha, group: team)
            let earlier = try #require(f.world.settings(session: TinyFixture.alpha, group: team))
            // Wide enough that the groups pane keeps room for the badges beside the row's "✓ done".
            let t = try open(f, audit: audit, width: 140)
            defer { t.kill() }
            try await t.onTeamAlpha()
            #expect(Self.badged(try t.screen()).isEmpty)

            try t.keys("K")
            try await t.wait(for: "Lock 1 group")
            try await t.wait(for: "will set msg: admins, info: admins")
            try t.keys("y")
            try await t.wait(for: "the lock's summary", timeout: 20) { $0.contains("locked 1 of 1") }
            let locked = f.world.settings(session: TinyFixture.alpha, group: team)
            #expect(locked?.announce == true && locked?.locked == true)
            try await t.wait(for: "the [msg info] badge on Team Alpha") { !Self.badged($0).isEmpty }

            try t.keys("u")
            try await t.wait(for: "Undo: put back the settings of 1 group")
            try await t.wait(for: "what the undo will set") { $0.contains("will set msg: all") }
            try t.keys("y")
            try await t.wait(for: "the undo's summary", timeout: 20) { $0.contains("settings changed 1 of 1") }
            #expect(f.world.settings(session: TinyFixture.alpha, group: team) == earlier, "exactly what was there: info stays locked")
            try await t.wait(for: "the badge gone once the settings are back") { s in
                Self.badged(s).isEmpty && s.split(separator: "\n").contains { $0.contains("Team Alpha") && $0.contains("[info") }
            }
            let (records, _) = try AuditLog.read(path: audit)
            let lock = try #require(records.first { $0.type == "operation" && $0.action == "lock" })
            #expect(records.contains { $0.type == "operation" && $0.action == "settings" && $0.undoes == lock.op })
            try await quit(t)
        }
    }

    @Test("J lists Team Alpha's two requests; A approves one, N rejects the other: one member more, none pending")
    func answerRequests() async throws {
        try await withSim(.waha) { f in
            let audit = scratchAuditPath()
            let first = TinyFixture.requesters[0], second = TinyFixture.requesters[1]
            let t = try open(f, audit: audit)
            defer { t.kill() }
            try await t.openTeamAlpha()

            try t.keys("J")
            try await t.wait(for: "both requests listed") { $0.contains("Join requests") && $0.contains("+" + first.user) && $0.contains("+" + second.user) }
            try t.keys("/")
            try t.literal(first.user)
            try t.keys("Enter")
            try await t.wait(for: "only the first request shown") { !$0.contains("+" + second.user) }
            try t.keys("A")
            try await t.wait(for: "Approve 1 request to join")
            try await t.wait(for: "will be approved")
            try t.keys("y")
            try await t.wait(for: "the approval's summary", timeout: 20) { $0.contains("approved 1 of 1") }
            #expect(f.members(team).contains { $0.matches(first) })

            try t.keys("Escape")
            try await t.wait(for: "the second request, alone now") { $0.contains("Join requests · Team Alpha (1)") }
            try t.keys("/")
            try t.literal(second.user)
            try t.keys("Enter", "N")
            try await t.wait(for: "Reject 1 request to join")
            try await t.wait(for: "will be rejected")
            try t.keys("y")
            try await t.wait(for: "the rejection's summary", timeout: 20) { $0.contains("rejected 1 of 1") }

            let members = f.members(team)
            #expect(members.count == TinyFixture.teamAlphaSize + 1, "one member added")
            #expect(members.contains { $0.matches(first) } && !members.contains { $0.matches(second) })
            #expect(f.world.pendingRequests(session: TinyFixture.alpha, group: team)?.isEmpty == true, "none pending")
            try await t.wait(for: "the emptied list") { $0.contains("Join requests · Team Alpha (0)") && $0.contains("no pending requests") }
            try await quit(t)
        }
    }

    @Test("x on a member: the notice field starts with the profile's template; Tab Tab, typed on, confirmed: the message goes first, then the removal")
    func removeWithNotice() async throws {
        try await withSim(.waha) { f in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let tokenFile = dir.appendingPathComponent("token").path
            try f.clientToken.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
            let config = dir.appendingPathComponent("config").path
            try """
            default = rehearsal
            [profile rehearsal]
            dialect = waha
            url = \(f.sim.baseURL.absoluteString)
            token_file = \(tokenFile)
            notice_template = Removed from {group}.
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let audit = dir.appendingPathComponent("audit.jsonl").path
            let carla = TinyFixture.plainMembers[0], davi = TinyFixture.plainMembers[1]

            let t = try open(f, audit: audit, env: ["WAMOD_CONFIG": config], args: "")
            defer { t.kill() }
            try await t.openTeamAlpha()
            try t.keys("/")
            try t.literal(carla.user)
            try t.keys("Enter")
            try await t.wait(for: "only Carla shown") { !$0.contains("+" + davi.user) }
            try t.keys("x")
            try await t.wait(for: "Remove 1 participant from Team Alpha")
            try await t.wait(for: "the notice field with the template") { $0.contains("Notice first (empty: none): Removed from {group}.") }
            try t.keys("Tab", "Tab")
            try t.literal(" Reply here if this is a mistake.")
            try await t.wait(for: "the notice typed on") { $0.contains("Reply here if") }
            try t.keys("Tab")
            try t.keys("y")
            try await t.wait(for: "the removal's summary", timeout: 20) { $0.contains("removed 1 of 1") }

            #expect(!f.members(team).contains { $0.matches(carla) })
            let texts = f.world.messages(session: TinyFixture.alpha)
            #expect(texts.count == 1, "\(texts)")
            #expect(texts.first?.chat.user == carla.user)
            #expect(texts.first?.text == "Removed from Team Alpha. Reply here if this is a mistake.", "\(texts.first?.text ?? "")")
            let ledger = f.world.ledger()
            let sent = try #require(ledger.first { $0.action == "send" }), removed = try #require(ledger.first { $0.action == "remove" })
            #expect(sent.seq < removed.seq, "the notice before the removal")
            let (records, _) = try AuditLog.read(path: audit)
            #expect(records.contains { $0.type == "result" && $0.outcome == "done" && $0.notice == "sent" })
            try await quit(t)
        }
    }
}
