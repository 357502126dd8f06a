import Foundation
import GatewaySim

/// Steps the console's journeys share, on the tiny world.
extension TmuxSession {
    /// The groups pane focused, filtered to Team Alpha, the cursor on it.
    public func onTeamAlpha() async throws {
        try await wait(for: "Team Alpha")
        try keys("Tab")
        try await wait(for: "the groups pane focused") { $0.contains("Groups (") }
        try keys("/")
        try literal("Team Alpha")
        try keys("Enter")
        try await wait(for: "only Team Alpha in the groups pane") { !$0.contains("Readers") && $0.contains("Team Alpha") }
    }

    /// Team Alpha open in the participants pane (the rows show numbers: WAHA, v1).
    public func openTeamAlpha() async throws {
        try await onTeamAlpha()
        try keys("Enter")
        try await wait(for: "Participants · Team Alpha")
        try await wait(for: "+" + TinyFixture.plainMembers[0].user)
    }
}
