import Foundation
import Testing
import FleetEvents
import GatewayKit

private func decode(_ d: Dialect, _ text: String, session: String? = nil) throws -> [FleetEvent] {
    try EventDecoding.decode(d, body: Data(text.utf8), defaultSession: session)
}

private func jid(_ s: String) -> JID { try! JID(parsing: s) }

/// WAHA's events as its pages print them (waha-docs `content/docs/how-to/groups/events-*.md`,
/// https://waha.devlike.pro/docs/how-to/events/).
@Suite struct WAHADecoderTests {
    @Test func participantsJoinFromThePage() throws {
        let events = try decode(.waha, """
        {"event":"group.v2.participants","session":"default","payload":{"type":"join","timestamp":1666943582,
         "group":{"id":"123456789@g.us"},"participants":[{"id":"123456789@c.us","role":"participant"}],"_data":{}}}
        """)
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.kind == .joined)
        #expect(e.session == "default")
        #expect(e.group == jid("123456789@g.us"))
        #expect(e.participants.map(\.phone) == [jid("123456789@s.whatsapp.net")])
        #expect(e.participants.first?.role == .member)
        #expect(e.at == Date(timeIntervalSince1970: 1666943582))
        #expect(e.via == .unknown)
    }

    @Test func everyTypeAndTheRoleItLeaves() throws {
        for (type, kind, role) in [("leave", FleetEvent.Kind.left, Role.member), ("promote", .promoted, .admin), ("demote", .demoted, .member)] {
            let e = try #require(try decode(.waha, """
            {"event":"group.v2.participants","session":"s","payload":{"type":"\(type)","group":{"id":"1@g.us"},
             "participants":[{"id":"555@lid","pn":"5511999@c.us","role":"\(type == "leave" ? "left" : type == "promote" ? "admin" : "participant")"}]}}
            """).first)
            #expect(e.kind == kind)
            #expect(e.participants.first?.role == role)
            // The `@lid` id and its `pn` are both kept.
            #expect(e.participants.first?.lid == jid("555@lid"))
            #expect(e.participants.first?.phone == jid("5511999@s.whatsapp.net"))
        }
    }

    @Test func joinIsAddedUsWithTheGroupsParticipants() throws {
        let e = try #require(try decode(.waha, """
        {"event":"group.v2.join","session":"default","payload":{"group":{"id":"1231231232@g.us","subject":"Work Group",
         "description":"Group description","invite":"https://chat.whatsapp.com/invitecode","membersCanAddNewMember":true,
         "membersCanSendMessages":true,"newMembersApprovalRequired":true,"participants":[{"id":"99999@c.us","role":"participant"}]},
         "timestamp":789456123,"_data":{}}}
        """).first)
        #expect(e.kind == .addedUs)
        #expect(e.subject == "Work Group")
        #expect(e.participants.map(\.id) == [jid("99999@s.whatsapp.net")])
    }

    @Test func leaveIsOurAccountWhenTheEnvelopeSaysWhoWeAre() throws {
        let page = """
        {"event":"group.v2.leave","session":"default","payload":{"group":{"id":"1231231232@g.us"},"timestamp":789456123,"_data":{}}}
        """
        // The page's example names nobody: nothing to follow (the next group list tells it).
        #expect(try decode(.waha, page).isEmpty)
        let withMe = """
        {"event":"group.v2.leave","session":"default","me":{"id":"7911111@c.us","pushName":"~"},
         "payload":{"group":{"id":"1231231232@g.us"},"timestamp":789456123}}
        """
        let e = try #require(try decode(.waha, withMe).first)
        #expect(e.kind == .left)
        #expect(e.participants.map(\.phone) == [jid("7911111@c.us")])
    }

    @Test func updateAndJoinRequestFromThePages() throws {
        let update = try #require(try decode(.waha, """
        {"event":"group.v2.update","session":"default","payload":{"group":{"id":"1231231232@g.us","subject":"New Work Group Name"},
         "timestamp":789456123,"_data":{}}}
        """).first)
        #expect(update.kind == .groupChanged)
        #expect(update.subject == "New Work Group Name")

        let request = try #require(try decode(.waha, """
        {"event":"group.v2.participants.join-request","session":"default","payload":{"group":{"id":"123456789@g.us"},
         "action":"created","requesterId":"123456789@lid","requesterPn":"123456789@c.us","requestMethod":"invite_link",
         "timestamp":1666943582,"_data":{}}}
        """).first)
        #expect(request.kind == .joinRequest)
        #expect(request.participants.first?.lid == jid("123456789@lid"))
        #expect(request.participants.first?.phone == jid("123456789@c.us"))
        #expect(request.via == .invite)
        // Rejected and revoked requests are not followed (an approval comes as a join).
        for action in ["rejected", "revoked"] {
            #expect(try decode(.waha, """
            {"event":"group.v2.participants.join-request","session":"default","payload":{"group":{"id":"1@g.us"},"action":"\(action)","requesterId":"1@lid"}}
            """).isEmpty)
        }
    }

    @Test func theEnvelopesIdAndOtherEventsIgnored() throws {
        // The envelope example on the events page: a message, not followed.
        #expect(try decode(.waha, """
        {"id":"evt_1111111111111111111111111111","timestamp":1741249702485,"event":"message","session":"default",
         "metadata":{"user.id":"123"},"me":{"id":"71111111111@c.us","pushName":"~"},"payload":{"id":"x","body":"Hi"},
         "environment":{"tier":"CORE","version":"2023.10.12"},"engine":"WEBJS"}
        """).isEmpty)
        #expect(try decode(.waha, #"{"event":"session.status","session":"default","payload":{"status":"WORKING"}}"#).isEmpty)
        let e = try #require(try decode(.waha, """
        {"id":"evt_01aaaa","timestamp":1741249702485,"event":"group.v2.participants","session":"default",
         "payload":{"type":"join","group":{"id":"1@g.us"},"participants":[{"id":"5511@c.us"}]}}
        """).first)
        #expect(e.eventID == "evt_01aaaa")
        // Without the payload's time, the envelope's (milliseconds) is taken.
        #expect(e.at == Date(timeIntervalSince1970: 1741249702.485))
    }

    @Test func engineDataTellsWhoAndHow() throws {
        // NOWEB: Baileys' event; an author who is not the joiner added them.
        let added = try #require(try decode(.waha, """
        {"event":"group.v2.participants","session":"s","payload":{"type":"join","group":{"id":"1@g.us"},
         "participants":[{"id":"5511888@c.us"}],"_data":{"id":"1@g.us","author":"5511777@s.whatsapp.net","participants":["5511888@s.whatsapp.net"],"action":"add"}}}
        """).first)
        #expect(added.via == .added)
        #expect(added.by == jid("5511777@s.whatsapp.net"))
        // GOWS: whatsmeow's JoinReason.
        let link = try #require(try decode(.waha, """
        {"event":"group.v2.participants","session":"s","payload":{"type":"join","group":{"id":"1@g.us"},
         "participants":[{"id":"5511888@c.us"}],"_data":{"JoinReason":"invite","Sender":"5511888@s.whatsapp.net"}}}
        """).first)
        #expect(link.via == .invite)
        #expect(link.by == nil)
    }
}

/// Wawp's pages (https://api.wawp.net/en/docs/group.v2.participants, …/group.v2.join): WAHA's
/// envelope around `{"chatId","action","participants"}`.
@Suite struct WawpDecoderTests {
    @Test func participantsChangeFromThePage() throws {
        let e = try #require(try decode(.wawp, """
        {"id":"evt_01...","timestamp":1634567890123,"session":"default","metadata":{"user.id":"123","user.email":"email@example.com"},
         "engine":"WEBJS","event":"group.v2.participants","payload":{"chatId":"1234567890@g.us","action":"promote",
         "participants":{"0":"11111111111@c.us"}},"me":{"id":"11111111111@c.us","lid":"123@lid","pushName":"Instance"}}
        """).first)
        #expect(e.kind == .promoted)
        #expect(e.group == jid("1234567890@g.us"))
        #expect(e.participants.map(\.phone) == [jid("11111111111@c.us")])
        #expect(e.participants.first?.role == .admin)
    }

    @Test func joinAndLeaveOfAnyMember() throws {
        let join = try #require(try decode(.wawp, """
        {"event":"group.v2.join","session":"inst","payload":{"chatId":"1@g.us","participants":["5511222@c.us","5511333@c.us"]}}
        """).first)
        #expect(join.kind == .joined)
        #expect(join.participants.count == 2)
        let leave = try #require(try decode(.wawp, """
        {"event":"group.v2.leave","session":"inst","payload":{"chatId":"1@g.us","participants":["5511222@c.us"]}}
        """).first)
        #expect(leave.kind == .left)
        // The remove page's name for it (seed 001): read as group.v2.participants.
        let named = try #require(try decode(.wawp, """
        {"event":"group.participants.update","session":"inst","payload":{"chatId":"1@g.us","action":"remove","participants":["5511222@c.us"]}}
        """).first)
        #expect(named.kind == .left)
    }
}

/// Evolution's webhooks (evolution-api 2.3.6 `webhook.controller.ts` envelope, Baileys' data).
@Suite struct EvolutionDecoderTests {
    @Test func participantsUpdateWithResolvedPhones() throws {
        let e = try #require(try decode(.evolution, """
        {"event":"group-participants.update","instance":"support","data":{"id":"120363041234567890@g.us",
         "author":"5511777@s.whatsapp.net","participants":["205227043110953@lid"],"action":"add",
         "participantsData":[{"jid":"205227043110953@lid","phoneNumber":"5511888@s.whatsapp.net","name":"Ana","imgUrl":null}]},
         "destination":"http://x/hook","date_time":"2026-06-15T12:00:00.000Z","sender":"5511999@s.whatsapp.net",
         "server_url":"http://localhost:8080","apikey":"the-instance-token"}
        """).first)
        #expect(e.kind == .joined)
        #expect(e.session == "support")
        #expect(e.participants.first?.lid == jid("205227043110953@lid"))
        #expect(e.participants.first?.phone == jid("5511888@s.whatsapp.net"))
        #expect(e.via == .added)
        #expect(e.by == jid("5511777@s.whatsapp.net"))
        #expect(e.at == Date(timeIntervalSince1970: 1781524800))
    }

    @Test func everyActionAndTheUpperCaseName() throws {
        for (action, kind) in [("remove", FleetEvent.Kind.left), ("promote", .promoted), ("demote", .demoted)] {
            let e = try #require(try decode(.evolution, """
            {"event":"GROUP_PARTICIPANTS_UPDATE","instance":"i","data":{"id":"1@g.us","participants":["5511888@s.whatsapp.net"],"action":"\(action)"}}
            """).first)
            #expect(e.kind == kind)
        }
        #expect(try decode(.evolution, """
        {"event":"group-participants.update","instance":"i","data":{"id":"1@g.us","participants":["5511888@s.whatsapp.net"],"action":"modify"}}
        """).isEmpty)
    }

    @Test func groupsUpsertAndUpdate() throws {
        let upsert = try decode(.evolution, """
        {"event":"groups.upsert","instance":"i","data":[{"id":"1@g.us","subject":"New","owner":"5511@s.whatsapp.net",
         "participants":[{"id":"5511@s.whatsapp.net","admin":"superadmin"},{"id":"5512@s.whatsapp.net","admin":null}],"size":2}]}
        """)
        #expect(upsert.map(\.kind) == [.addedUs])
        #expect(upsert.first?.participants.map(\.role) == [.superadmin, .member])
        let update = try decode(.evolution, """
        {"event":"groups.update","instance":"i","data":[{"id":"1@g.us","subject":"Renamed"},{"id":"2@g.us","announce":true}]}
        """)
        #expect(update.map(\.kind) == [.groupChanged, .groupChanged])
        #expect(update.map(\.subject) == ["Renamed", nil])
    }

    @Test func messagesAreNotFollowed() throws {
        #expect(try decode(.evolution, #"{"event":"messages.upsert","instance":"i","data":{"key":{"id":"x"}}}"#).isEmpty)
    }
}

/// WUTS (event names from its catalog; the body is our choice, see `WUTSEvents`).
@Suite struct WUTSDecoderTests {
    @Test func oneGroupInfoNoticeWithSeveralChanges() throws {
        let events = try decode(.wuts, """
        {"event":"group.info","id":"evt_9","device_id":"dev-1","timestamp":"2026-06-15T12:00:00Z","data":{"jid":"1@g.us",
         "sender":"5511777@s.whatsapp.net","join":["5511888@s.whatsapp.net"],"leave":["5511666@s.whatsapp.net"],
         "promote":["5511555@s.whatsapp.net"],"name":"Renamed"}}
        """)
        #expect(events.map(\.kind) == [.joined, .left, .promoted, .groupChanged])
        #expect(events.allSatisfy { $0.session == "dev-1" })
        #expect(events[0].by == jid("5511777@s.whatsapp.net"))
        #expect(events[0].via == .added)
        #expect(events[3].subject == "Renamed")
        // Each keeps its own id.
        #expect(Set(events.compactMap(\.eventID)).count == 4)
    }

    @Test func joinedByLinkAndTheDefaultSession() throws {
        let e = try #require(try decode(.wuts, """
        {"event":"group.info","data":{"jid":"1@g.us","join":["5511888@s.whatsapp.net"],"join_reason":"invite"}}
        """, session: "token-device").first)
        #expect(e.session == "token-device")
        #expect(e.via == .invite)
        // No device named anywhere and none given: the event has no session to go to.
        #expect(try decode(.wuts, #"{"event":"group.info","data":{"jid":"1@g.us","join":["5511888@s.whatsapp.net"]}}"#).isEmpty)
    }

    @Test func groupJoinedIsAddedUs() throws {
        let e = try #require(try decode(.wuts, """
        {"event":"group.joined","device_id":"d","data":{"jid":"1@g.us","name":"WUTS Team","participants":[
         {"jid":"5511999999999@s.whatsapp.net","phone_number":"5511999999999","is_admin":true,"is_super_admin":true}]}}
        """).first)
        #expect(e.kind == .addedUs)
        #expect(e.subject == "WUTS Team")
        #expect(e.participants.first?.role == .superadmin)
    }
}

/// What a hostile or broken gateway (or anyone who reaches `wamod listen`) may send.
@Suite struct HostileEventTests {
    @Test func tooLargeIsRefusedBeforeParsing() {
        let big = Data(repeating: 0x20, count: EventDecoding.maxBody + 1)
        #expect(throws: EventDecodeError.tooLarge(bytes: big.count, limit: EventDecoding.maxBody)) {
            try EventDecoding.decode(.waha, body: big)
        }
    }

    @Test func truncatedAndNotObjectsAreClearErrors() throws {
        let cut = #"{"event":"group.v2.participants","session":"s","payload":{"type":"jo"#
        do { _ = try decode(.waha, cut); Issue.record("a cut body decoded") } catch {
            guard case EventDecodeError.notJSON = error else { Issue.record("\(error)"); return }
        }
        #expect(throws: EventDecodeError.notAnObject) { try decode(.waha, "[1,2,3]") }
        #expect(throws: EventDecodeError.notAnObject) { try decode(.evolution, #""just a string""#) }
        do { _ = try decode(.wuts, ""); Issue.record("an empty body decoded") } catch {}
    }

    @Test func deeplyNestedJSONDoesNotCrash() {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let body = #"{"event":"group.v2.update","session":"s","payload":"# + deep + "}"
        // Refused or ignored, but never a crash.
        let events = try? decode(.waha, body)
        #expect(events?.isEmpty ?? true)
    }

    @Test func escapeSequencesPassThroughAsDataAndLengthsAreClamped() throws {
        let subject = "\\u001b]0;owned\\u0007\\u001b[2J" + String(repeating: "x", count: 10_000)
        let e = try #require(try decode(.waha, """
        {"event":"group.v2.update","session":"s","payload":{"group":{"id":"1@g.us","subject":"\(subject)"}}}
        """).first)
        let got = try #require(e.subject)
        #expect(got.hasPrefix("\u{1B}]0;owned\u{07}\u{1B}[2J"))
        #expect(got.count <= Limits.subject)
    }

    @Test func participantsAreBoundedAndJunkIdsSkipped() throws {
        let many = (0..<5000).map { "\"551100\(String(format: "%06d", $0))@c.us\"" }.joined(separator: ",")
        let e = try #require(try decode(.wawp, """
        {"event":"group.v2.join","session":"s","payload":{"chatId":"1@g.us","participants":[\(many)]}}
        """).first)
        #expect(e.participants.count == EventDecoding.maxParticipants)
        let junk = try #require(try decode(.waha, """
        {"event":"group.v2.participants","session":"s","payload":{"type":"join","group":{"id":"1@g.us"},
         "participants":[{"id":"not a jid"},{"id":"1@g.us"},42,null,{"id":"5511222@c.us"}]}}
        """).first)
        #expect(junk.participants.map(\.phone) == [jid("5511222@c.us")])
    }

    @Test func wrongTypesAndMissingFieldsAreLeftOut() throws {
        #expect(try decode(.waha, #"{"event":"group.v2.participants","session":"s","payload":{"type":"join","group":{"id":7}}}"#).isEmpty)
        #expect(try decode(.waha, #"{"event":42,"session":"s","payload":{}}"#).isEmpty)
        #expect(try decode(.waha, #"{"event":"group.v2.participants","payload":{"type":"join","group":{"id":"1@g.us"},"participants":["5511@c.us"]}}"#).isEmpty)
        let e = try #require(try decode(.waha, """
        {"event":"group.v2.participants","session":"s","payload":{"type":"join","timestamp":"soon","group":{"id":"1@g.us"},"participants":["5511222@c.us"]}}
        """).first)
        #expect(e.at == nil)
        #expect(try decode(.evolution, #"{"event":"groups.upsert","instance":"i","data":"nope"}"#).isEmpty)
    }

    @Test func dialectsWithoutEventsDecodeNone() throws {
        #expect(try decode(.v1, #"{"event":"group.v2.participants"}"#).isEmpty)
        #expect(try decode(.wasend, #"{"event":"group.v2.participants"}"#).isEmpty)
    }
}
