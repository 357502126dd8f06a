import Foundation
import Testing
@testable import GatewayKit

@Suite("Subject matching: one normalised form")
struct SubjectMatchTests {
    @Test("variation selectors and joiners are ignored for matching, accents and letters are not")
    func keyIgnoresPresentation() {
        #expect(SubjectMatch.same("Família Souza ❤️", "Família Souza ❤"))
        #expect(SubjectMatch.same("Família Souza ❤️", "família souza ❤️"))
        // Decomposed (a + combining acute) matches composed.
        #expect(SubjectMatch.same("Fami\u{0301}lia", "Fámilia") == false)
        #expect(SubjectMatch.same("Fa\u{0301}milia", "Fámilia"))
        #expect(!SubjectMatch.same("Familia Souza", "Família Souza"))
        #expect(!SubjectMatch.same("Comunidade Dev 👩‍💻", "Comunidade Dev 👩"))
    }

    @Test("a typed confirmation takes the name, what the screen showed, or the count")
    func confirmation() {
        let name = "Comunidade Dev 👩‍💻"
        #expect(SubjectMatch.confirms("Comunidade Dev 👩‍💻", name: name))
        #expect(SubjectMatch.confirms("Comunidade Dev 👩", name: name))
        #expect(SubjectMatch.confirms("  comunidade dev 👩 ", name: name))
        #expect(SubjectMatch.confirms("1", name: name, count: 1))
        #expect(!SubjectMatch.confirms("1", name: name))
        #expect(!SubjectMatch.confirms("2", name: name, count: 1))
        #expect(!SubjectMatch.confirms("Comunidade", name: name))
        #expect(!SubjectMatch.confirms("", name: name, count: 0))
        #expect(SubjectMatch.confirms("Família Souza ❤", name: "Família Souza ❤️"))
        #expect(SubjectMatch.confirms("Torcida 🇧", name: "Torcida 🇧🇷"))
        #expect(SubjectMatch.confirms("A very long n…", name: "A very long name indeed", shown: ["A very long n…"]))
        #expect(!SubjectMatch.confirms("A very long n…", name: "A very long name indeed"))
    }

    @Test("matching prefers the exact key, then the simplified form; several are all returned")
    func matchingLists() {
        let names = ["Eventos São Paulo", "Eventos São Paulo", "Comunidade Dev 👩‍💻", "Comunidade Dev 👩‍🚀"]
        #expect(SubjectMatch.matching("eventos são paulo", in: names, by: { $0 }).count == 2)
        #expect(SubjectMatch.matching("Comunidade Dev 👩‍💻", in: names, by: { $0 }) == ["Comunidade Dev 👩‍💻"])
        // What a terminal that does not join showed matches both: the caller lists them.
        #expect(SubjectMatch.matching("Comunidade Dev 👩", in: names, by: { $0 }).count == 2)
        #expect(SubjectMatch.matching("Nothing", in: names, by: { $0 }).isEmpty)
        #expect(SubjectMatch.matching("  ", in: names, by: { $0 }).isEmpty)
    }
}
