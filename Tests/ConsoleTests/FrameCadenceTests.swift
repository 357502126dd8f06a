import Foundation
import Testing
@testable import Console
import GatewayKit

/// What the inbox says about what it changed: background work (the index's requests, roles
/// learned) waits for the next frame; answers to the operator are drawn at once.
@Suite("frame cadence: background changes wait for the next frame")
struct FrameCadenceTests {
    static func app() throws -> (ConsoleApp, Inbox) {
        let inbox = Inbox()
        // Nothing is sent: the app is not started, actions are posted by hand.
        let gw = try GatewayFactory.make(dialect: .v1, baseURL: URL(string: "http://127.0.0.1:9")!, token: "frame-cadence-token")
        return (ConsoleApp(gateway: gw, inbox: inbox), inbox)
    }

    static func request(_ path: String) -> RequestEvent {
        RequestEvent(method: "GET", path: path, status: 200, latencyMs: 3, bytes: 120, error: nil, at: Date())
    }

    @Test("the index's requests and roles learned are background; an operation's requests, a list and a notice are drawn now")
    func classifies() throws {
        let (app, inbox) = try Self.app()
        #expect(app.drainInbox() == .nothing)

        inbox.post(.requestLogged(Self.request("/api/v1/sessions/s1/groups"), operation: nil))
        inbox.post(.rolesLearned(GroupKey(session: "s1", group: JID(kind: .group, user: "1")), []))
        #expect(app.drainInbox() == .background)
        #expect(app.state.log.contains { $0.text.contains("/api/v1/sessions/s1/groups") }, "taken in, only not drawn yet")

        inbox.post(.requestLogged(Self.request("/api/v1/sessions/s1/groups/1/participants"), operation: 3))
        #expect(app.drainInbox() == .now)

        // One answer among background work makes the whole batch urgent.
        inbox.post(.requestLogged(Self.request("/api/v1/sessions"), operation: nil))
        inbox.post(.sessionsLoaded(.success([Session(id: "s1", label: "line-01", account: nil, connected: true, status: "working")])))
        #expect(app.drainInbox() == .now)

        inbox.post(.notice("the index could not be written", error: true))
        #expect(app.drainInbox() == .now)
    }
}
