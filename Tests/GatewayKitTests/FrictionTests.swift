import Testing
@testable import GatewayKit

@Suite("friction grows with the blast radius")
struct FrictionTests {
    @Test("y/N for a few in one group; the count for five or more or several groups; the name for one group's leave")
    func policy() {
        #expect(Friction.required(.remove, targets: 4, subjects: ["Team"]) == .yesNo)
        #expect(Friction.required(.remove, targets: 5, subjects: ["Team"]) == .count(5))
        #expect(Friction.required(.demote, targets: 2, subjects: ["A", "B"]) == .count(2))
        #expect(Friction.required(.leave, targets: 1, subjects: ["Readers 📚"]) == .name("Readers 📚", count: 1))
        #expect(Friction.required(.leave, targets: 1, subjects: ["   "]) == .count(1), "a blank subject cannot be typed")
        #expect(Friction.required(.leave, targets: 3, subjects: ["A", "B", "C"]) == .count(3))
        #expect(Friction.required(.remove, targets: 1, subjects: ["Ours"], sweep: true) == .name("Ours", count: 1))
        #expect(Friction.required(.remove, targets: 2, subjects: ["A", "B"], sweep: true) == .count(2))
    }

    @Test("what confirms each")
    func confirms() {
        #expect(Friction.yesNo.confirms("y") && Friction.yesNo.confirms(" YES "))
        #expect(!Friction.yesNo.confirms("") && !Friction.yesNo.confirms("n"))
        #expect(Friction.count(7).confirms("7") && !Friction.count(7).confirms("6"))
        let leave = Friction.name("Comunidade Dev 👩‍💻", count: 1)
        #expect(leave.confirms("Comunidade Dev 👩") && leave.confirms("1") && !leave.confirms("Comunidade"))
        #expect(leave.expected == "Comunidade Dev 👩‍💻" && leave.count == 1)
        #expect(Friction.yesNo.expected == nil)
    }
}
