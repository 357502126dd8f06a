import Foundation
import GatewayKit
import TestSupport
import GatewaySim
import Testing

/// Group settings (gateways.md §9) in every dialect, client against the emulator: what the
/// client reads is the World's, and what it sets is what the World then holds.
@Suite("group settings against the emulator", .serialized)
struct GroupSettingsTests {
    let alpha = TinyFixture.alpha
    let team = TinyFixture.teamAlpha
    static let setters = Admin.dialects.filter { !$0.capabilities.setsSettings.isEmpty }

    @Test("the dialects that set settings are §9's: all but Wawp")
    func setterList() {
        #expect(Self.setters == [.v1, .wasend, .waha, .wuts, .evolution])
        #expect(Admin.dialects.allSatisfy { !$0.capabilities.readsSettings.isEmpty })
    }

    /// Checks that what the client read agrees with the World for every setting the dialect
    /// reads, and that nothing it read contradicts it.
    func expectRead(_ h: Harness, _ d: Dialect, group: JID, _ context: String) async throws {
        let read = try await h.gateway.settings(session: alpha, group: group)
        let world = try #require(h.world.settings(session: alpha, group: group))
        for s in h.gateway.capabilities.readsSettings { #expect(read[s] == world[s], "\(d) \(context): \(s) read \(String(describing: read[s])), is \(String(describing: world[s]))") }
        for (s, on) in read.known { #expect(world[s] == on, "\(d) \(context): \(s)") }
    }

    @Test("read: each setting the dialect reads is the World's, in two patterns (no field read for another)", arguments: Admin.dialects)
    func read(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            try await expectRead(h, d, group: team, "as the fixture has it")
            h.world.setSettings(GroupSettings(announce: true, locked: false, adminsAdd: false, approval: true), session: alpha, group: team)
            try await expectRead(h, d, group: team, "announce on, locked off")
            h.world.setSettings(GroupSettings(announce: false, locked: true, adminsAdd: true, approval: false), session: alpha, group: team)
            try await expectRead(h, d, group: team, "announce off, locked on")
        }
    }

    @Test("read as a plain member (Readers): still the World's settings", arguments: Admin.dialects)
    func readAsMember(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            h.world.setSettings(GroupSettings(announce: true, locked: true, approval: true), session: alpha, group: TinyFixture.readers)
            try await expectRead(h, d, group: TinyFixture.readers, "as a member")
        }
    }

    @Test("each setting the dialect sets, turned over and back: the World holds each, and a read gives it back", arguments: setters)
    func eachSetting(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let caps = h.gateway.capabilities
            for s in GroupSetting.allCases where caps.setsSettings.contains(s) {
                let start = try #require(h.world.settings(session: alpha, group: team)?[s])
                for on in [!start, start] {
                    var change = GroupSettings()
                    change[s] = on
                    let r = try await h.gateway.setSettings(change, session: alpha, group: team)
                    #expect(r.outcome == .done, "\(d) \(s)=\(on): \(r.outcome)")
                    #expect(h.world.settings(session: alpha, group: team)?[s] == on, "\(d) \(s)=\(on)")
                    if caps.readsSettings.contains(s) {
                        #expect(try await h.gateway.settings(session: alpha, group: team)[s] == on, "\(d) \(s)=\(on) read back")
                    }
                }
                let made = Admin.changes(h, "settings").filter { $0.detail?.hasPrefix(s.key + "=") == true }
                #expect(made.map(\.detail) == ["\(s.key)=\(!start ? "on" : "off")", "\(s.key)=\(start ? "on" : "off")"], "\(d) \(s)")
            }
        }
    }

    @Test("several settings at once: every one is made, the rest left as they were", arguments: setters)
    func several(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let caps = h.gateway.capabilities
            let start = try #require(h.world.settings(session: alpha, group: team))
            var change = GroupSettings()
            for s in caps.setsSettings { change[s] = !(start[s] ?? false) }
            let r = try await h.gateway.setSettings(change, session: alpha, group: team)
            #expect(r.outcome == .done, "\(r.outcome)")
            let now = try #require(h.world.settings(session: alpha, group: team))
            for s in GroupSetting.allCases {
                #expect(now[s] == (caps.setsSettings.contains(s) ? change[s] : start[s]), "\(d) \(s)")
            }
            #expect(Admin.changes(h, "settings").count == caps.setsSettings.count)
            try await expectRead(h, d, group: team, "after the change")
        }
    }

    @Test("Wawp reads the settings but refuses to set them, sending nothing")
    func wawpSetsNothing() async throws {
        try await Admin.with(.wawp) { h in
            let start = h.world.settings(session: alpha, group: team)
            let arrived = h.world.arrivals().count
            for s in GroupSetting.allCases {
                var change = GroupSettings()
                change[s] = true
                let e = await Admin.thrown { () async throws(GatewayError) in _ = try await h.gateway.setSettings(change, session: alpha, group: team) }
                guard case .notPossible(let why)? = e else { Issue.record("\(s): \(String(describing: e))"); continue }
                #expect(why.contains("wawp"), "\(why)")
            }
            #expect(h.world.arrivals().count == arrived, "no request was sent")
            #expect(h.world.settings(session: alpha, group: team) == start)
            #expect(Admin.changes(h, "settings").isEmpty)
        }
    }

    @Test("not an admin (Readers): the change is refused as forbidden and nothing changes", arguments: setters)
    func notAdmin(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let g = TinyFixture.readers
            let start = h.world.settings(session: alpha, group: g)
            for s in [GroupSetting.announce, .locked] {
                var change = GroupSettings()
                change[s] = true
                let r = try await h.gateway.setSettings(change, session: alpha, group: g)
                #expect(Admin.failedWith(r.outcome, Admin.isForbidden), "\(d) \(s): \(r.outcome)")
            }
            #expect(h.world.settings(session: alpha, group: g) == start)
            #expect(Admin.changes(h, "settings").isEmpty)
        }
    }

    @Test("an offline session: the change says not connected and nothing changes", arguments: setters)
    func offline(_ d: Dialect) async throws {
        try await Admin.with(d) { h in
            let (session, g) = Admin.offline(h)
            let start = h.world.settings(session: session, group: g)
            let r = try await h.gateway.setSettings(GroupSettings(announce: true), session: session, group: g)
            #expect(Admin.failedWith(r.outcome, Admin.isNotConnected), "\(d): \(r.outcome)")
            #expect(h.world.settings(session: session, group: g) == start)
            #expect(Admin.changes(h, "settings").isEmpty)
        }
    }
}
