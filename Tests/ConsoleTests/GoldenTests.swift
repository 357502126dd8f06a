import Foundation
import GatewayKit
import Testing
@testable import Console

/// Views rendered into a Screen and compared with text files in Golden/.
/// Regenerate after an intended change: `WAMOD_UPDATE_GOLDEN=1 swift test --filter GoldenTests`,
/// then read the diff before committing.
@Suite("golden screens")
struct GoldenTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ name: String, _ state: ConsoleState, ascii: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let screen = RootView().render(state, ascii: ascii)
        // Every row is exactly as wide as the terminal: nothing shifts.
        for y in 0..<screen.height {
            let cells = (0..<screen.width).reduce(0) { $0 + (screen[$1, y].isContinuation ? 0 : max(1, CellWidth.of(screen[$1, y].text))) }
            #expect(cells == screen.width, "row \(y) of \(name) is \(cells) cells wide", sourceLocation: sourceLocation)
        }
        let text = screen.text + "\n"
        let file = Self.dir.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["WAMOD_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if expected != text {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("""
                \(name) differs from Golden/\(name).txt at line \((first?.offset ?? min(a.count, b.count)) + 1):
                expected: \(first.map { String($0.element.0) } ?? "")
                actual:   \(first.map { String($0.element.1) } ?? "")
                (WAMOD_UPDATE_GOLDEN=1 swift test --filter GoldenTests regenerates)
                """, sourceLocation: sourceLocation)
        }
    }

    static func withTagsAndLog(_ s: inout ConsoleState) {
        s.participantTags[Fixtures.alphaKey] = [Fixtures.people[1].id, Fixtures.people[3].id]
        s.lists[.participants]?.cursor = 1
        let t = s.now
        s.log = [
            LogEntry(at: t, kind: .request(RequestEvent(method: "GET", path: "/api/v1/sessions", status: 200, latencyMs: 4, bytes: 900, error: nil, at: t)), text: "GET /api/v1/sessions 200 4 ms"),
            LogEntry(at: t, kind: .operation, text: "remove 2 from Team Alpha · reason: spam wave", operation: 1),
            LogEntry(at: t, kind: .result(ok: true), text: "  ✓ Bruno Lima", operation: 1),
            LogEntry(at: t, kind: .result(ok: false), text: "  ✗ Ana Souza: the owner cannot be removed", operation: 1),
        ]
    }

    @Test("main screen at 80x24 with emoji, CJK and RTL names")
    func main80() throws {
        var s = Fixtures.loaded()
        Self.withTagsAndLog(&s)
        try check("main-80x24", s)
    }

    @Test("main screen at 120x40")
    func main120() throws {
        var s = Fixtures.loaded(width: 120, height: 40)
        Self.withTagsAndLog(&s)
        s.readOnly = true
        try check("main-120x40", s)
    }

    @Test("filtered with hidden tags, ASCII borders")
    func filteredASCII() throws {
        var s = Fixtures.loaded()
        Self.withTagsAndLog(&s)
        s.lists[.participants]?.filter = "bruno"
        s.lists[.participants]?.cursor = 0
        try check("filtered-ascii-80x24", s, ascii: true)
    }

    @Test("confirmation dialog at 80x24")
    func dialog() throws {
        var s = Fixtures.loaded()
        s.participantTags[Fixtures.alphaKey] = [Fixtures.people[0].id, Fixtures.people[3].id, Fixtures.people[5].id]
        _ = Reducer().reduce(&s, .key(.char("x")))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        try check("dialog-80x24", s)
    }

    @Test("operation in progress with a failure, 120x40")
    func progress() throws {
        var s = Fixtures.loaded(width: 120, height: 40)
        s.participantTags[Fixtures.alphaKey] = [Fixtures.people[1].id, Fixtures.people[3].id, Fixtures.people[4].id]
        _ = Reducer().reduce(&s, .key(.char("x")))
        _ = Reducer().reduce(&s, .preflightLoaded(Fixtures.alphaKey, .success(Fixtures.people)))
        _ = Reducer().reduce(&s, .key(.char("y")))
        let id = s.operation!.id
        StepEvents.finished(&s, id: id, Fixtures.people[1].id, .done, httpStatus: 204)
        StepEvents.finished(&s, id: id, Fixtures.people[3].id, .failed(.forbidden("not a group admin")), httpStatus: 403)
        StepEvents.sending(&s, id: id, Fixtures.people[4].id)
        try check("progress-120x40", s)
    }

    @Test("help at 80x24")
    func help() throws {
        var s = Fixtures.loaded()
        _ = Reducer().reduce(&s, .key(.char("?")))
        try check("help-80x24", s)
    }

    @Test("terminal too small")
    func tooSmall() throws {
        var s = Fixtures.loaded(width: 40, height: 10)
        s.width = 40
        try check("too-small-40x10", s)
    }

    @Test("every size from the minimum up draws without overflow", arguments: [(60, 16), (80, 24), (81, 25), (100, 30), (132, 43), (200, 60)])
    func sizes(_ w: Int, _ h: Int) {
        var s = Fixtures.loaded(width: w, height: h)
        Self.withTagsAndLog(&s)
        let screen = RootView().render(s)
        #expect(screen.width == w && screen.height == h)
        #expect(screen.line(h - 1).contains("support-br"))
        #expect(screen.text.contains("Team Alpha"))
    }
}
