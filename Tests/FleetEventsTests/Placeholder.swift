import Testing
@testable import FleetEvents

@Suite struct EventSourceKindTests {
    @Test func namesAreWhatTheStatusLineShows() { #expect(EventSourceKind.polling.rawValue == "polling") }
}
