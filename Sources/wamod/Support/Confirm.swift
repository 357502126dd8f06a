import Foundation
import GatewayKit

/// Asking before acting on people: No is the default; many targets or a leave need typing.
enum Confirm {
    static func label(_ target: JID, _ p: Participant?) -> String {
        let number = p?.numberText ?? target.phoneNumber ?? target.string
        if let name = p?.name { return "\(TerminalText.clip(name)) (\(number))" }
        return number
    }

    static func requireTerminal(_ verb: String) throws {
        guard Stdio.stdinIsTerminal else {
            throw CommandFailure(message: "refusing to \(verb) without confirmation: there is no terminal to ask on. Check with --dry-run, then pass --yes", code: Exit.usage)
        }
    }

    static func ask(verb: String, count: Int, what: String, group: Group, session: Session, listing: [String]) throws {
        try requireTerminal(verb)
        Stdio.err("About to \(verb) \(count) \(what) in \"\(TerminalText.clip(group.subject))\" (\(group.jid)) on session \(session.label):")
        for line in listing.prefix(20) { Stdio.err("  - \(line)") }
        if listing.count > 20 { Stdio.err("  … and \(listing.count - 20) more") }
        if count >= 5 {
            let answer = Stdio.ask("Type \(count) to confirm: ")
            guard answer?.trimmingCharacters(in: .whitespaces) == String(count) else { throw cancelled }
        } else {
            let answer = Stdio.ask("Proceed? [y/N] ")?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else { throw cancelled }
        }
    }

    static func askLeave(groups: [Group], session: Session) throws {
        try requireTerminal("leave")
        Stdio.err("About to leave \(groups.count) group\(groups.count == 1 ? "" : "s") with session \(session.label):")
        for g in groups.prefix(20) { Stdio.err("  - \(TerminalText.clip(g.subject)) (\(g.jid))") }
        let subject = groups.first?.subject.trimmingCharacters(in: .whitespaces) ?? ""
        let expected = groups.count == 1 && !subject.isEmpty ? subject : String(groups.count)
        let shown = TerminalText.clip(expected)
        let answer = Stdio.ask(expected == subject ? "Type the group's name (\(shown)) or \(groups.count) to confirm: " : "Type \(expected) to confirm: ")
        let typed = answer?.trimmingCharacters(in: .whitespaces) ?? ""
        // The name as it is, as it was shown (cleaned, perhaps cut), or the count.
        guard !typed.isEmpty, typed == expected.trimmingCharacters(in: .whitespaces) || typed == shown || typed == String(groups.count) else { throw cancelled }
    }

    static var cancelled: CommandFailure { CommandFailure(message: "not confirmed: nothing was sent", code: Exit.someFailed) }
}
