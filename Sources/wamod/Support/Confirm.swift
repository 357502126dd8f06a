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

    static func ask(_ kind: OperationKind, count: Int, what: String, group: Group, session: Session, listing: [String],
                    notice: Notice? = nil) throws {
        let verb = kind.verb
        try requireTerminal(verb)
        Stdio.err("About to \(verb) \(count) \(what) in \"\(TerminalText.clip(group.subject))\" (\(group.jid)) on session \(session.label):")
        for line in listing.prefix(20) { Stdio.err("  - \(line)") }
        if listing.count > 20 { Stdio.err("  … and \(listing.count - 20) more") }
        if let notice {
            Stdio.err("Each first gets this notice \(notice.toGroup ? "in the group" : "one to one")\(notice.required ? " (required: no notice, no removal)" : ""):")
            Stdio.err("  \"\(TerminalText.clip(notice.text, 200))\"")
        }
        try demand(Friction.required(kind, targets: count, subjects: [group.subject]), alsoName: group.subject)
    }

    /// Asks as the one friction policy (`Friction`) says: y/N, the count, or the group's name.
    /// `alsoName`: a name a typed count may be replaced by (the group's, as it is or as shown).
    static func demand(_ friction: Friction, alsoName: String? = nil) throws {
        switch friction {
        case .yesNo:
            let answer = Stdio.ask("Proceed? [y/N] ") ?? ""
            guard friction.confirms(answer) else { throw cancelled }
        case .count(let n):
            if let name = alsoName, !name.trimmingCharacters(in: .whitespaces).isEmpty {
                // The count, or the group's name as it is or as it was shown above.
                try typed("Type \(n) (or the group's name) to confirm: ", name: name, shown: [TerminalText.clip(name)], count: n)
            } else {
                try typed("Type \(n) to confirm: ", name: "", shown: [], count: n)
            }
        case .name(let name, let n):
            let shown = TerminalText.clip(name)
            try typed("Type the group's name (\(shown)) or \(n) to confirm: ", name: name, shown: [shown], count: n)
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
        try demand(Friction.required(.leave, targets: groups.count, subjects: groups.map(\.subject)))
    }

    static var cancelled: CommandFailure { CommandFailure(message: "not confirmed: nothing was sent", code: Exit.someFailed) }
}
