import Foundation

/// How much an operator must do to confirm an operation: friction grows with the blast
/// radius. One policy, used by the console, the command line, resume, undo and find.
public enum Friction: Sendable, Hashable {
    /// y/N (No is the default).
    case yesNo
    /// Type the count.
    case count(Int)
    /// Type the group's name (the count is accepted too).
    case name(String, count: Int)

    /// Five targets or more, several groups (for member changes), one person removed
    /// everywhere (`sweep`), or any leave (the session's own place in a group) is typed; the
    /// rest is y/N. A typed
    /// confirmation of one group names it, unless its subject is blank.
    ///
    /// - Parameters:
    ///   - targets: how many requests would be sent.
    ///   - subjects: the subjects of the distinct groups they go to.
    public static func required(_ kind: OperationKind, targets: Int, subjects: [String], sweep: Bool = false) -> Friction {
        // Group administration (a link reset, a lock) across several groups is y/N below five:
        // each is one group's own setting, and a lock is undone with `u`.
        let admin = kind == .inviteReset || kind.changesSettings
        let typed = kind == .leave || sweep || (subjects.count > 1 && !admin) || targets >= 5
        guard typed else { return .yesNo }
        if subjects.count == 1, targets == 1, let s = subjects.first?.trimmingCharacters(in: .whitespaces), !s.isEmpty {
            return .name(s, count: 1)
        }
        return .count(targets)
    }

    /// What must be typed (the name, or the count as text); nil for y/N.
    public var expected: String? {
        switch self {
        case .yesNo: nil
        case .count(let n): String(n)
        case .name(let s, _): s
        }
    }

    /// The count a typed confirmation also accepts.
    public var count: Int? {
        switch self {
        case .yesNo: nil
        case .count(let n), .name(_, let n): n
        }
    }

    /// Whether `typed` confirms (`SubjectMatch`: the name as it is or as shown, or the count).
    public func confirms(_ typed: String, shown: [String] = []) -> Bool {
        switch self {
        case .yesNo:
            let a = typed.trimmingCharacters(in: .whitespaces).lowercased()
            return a == "y" || a == "yes"
        case .count(let n): return SubjectMatch.confirms(typed, name: String(n), count: n)
        case .name(let s, let n): return SubjectMatch.confirms(typed, name: s, shown: shown, count: n)
        }
    }
}
