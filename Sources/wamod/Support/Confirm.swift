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
            // The count, or the group's name as it is or as it was shown above.
            try typed("Type \(count) (or the group's name) to confirm: ", name: group.subject, shown: [TerminalText.clip(group.subject)], count: count)
        } else {
            let answer = Stdio.ask("Proceed? [y/N] ")?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else { throw cancelled }
        }
    }

    /// A typed confirmation: accepted when `SubjectMatch.confirms` says the answer is the
    /// name (in the one normalised form), what the screen showed of it, or the count.
    static func typed(_ prompt: String, name: String, shown: [String], count: Int?) throws {
        let answer = Stdio.ask(prompt) ?? ""
        guard SubjectMatch.confirms(answer, name: name, shown: shown, count: count) else { throw cancelled }
    }

    static func askLeave(groups: [Group], session: Session) throws {
        try requireTerminal("leave")
        Stdio.err("About to leave \(groups.count) group\(groups.count == 1 ? "" : "s") with session \(session.label):")
        for g in groups.prefix(20) { Stdio.err("  - \(TerminalText.clip(g.subject)) (\(g.jid))") }
        let subject = groups.count == 1 ? (groups.first?.subject.trimmingCharacters(in: .whitespaces) ?? "") : ""
        let shown = TerminalText.clip(subject)
        // The name as it is, as it was shown (cleaned, perhaps cut), or the count.
        try typed(subject.isEmpty ? "Type \(groups.count) to confirm: " : "Type the group's name (\(shown)) or \(groups.count) to confirm: ",
                  name: subject, shown: subject.isEmpty ? [] : [shown], count: groups.count)
    }

    static var cancelled: CommandFailure { CommandFailure(message: "not confirmed: nothing was sent", code: Exit.someFailed) }
}
