import Foundation
import GatewayKit

/// The rows each pane shows: its data, filtered and in display order.
extension ConsoleState {
    static func folded(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    static func matches(_ filter: String, _ fields: [String?]) -> Bool {
        let f = folded(filter.trimmingCharacters(in: .whitespaces))
        if f.isEmpty { return true }
        let digits = f.filter(\.isNumber)
        return fields.contains { field in
            guard let field else { return false }
            if folded(field).contains(f) { return true }
            // "+55 11 9999" matches a number written without spaces.
            return digits.count >= 3 && digits.count == f.filter({ !" +-()".contains($0) }).count && field.filter(\.isNumber).contains(digits)
        }
    }

    public var visibleSessions: [Session] {
        let f = list(.sessions).filter
        return (sessions.value ?? []).filter { Self.matches(f, [$0.label, $0.id, $0.account?.string, $0.status]) }
    }

    public var allGroups: [Group] {
        guard let s = openSession else { return [] }
        return groups[s]?.value ?? []
    }

    public var visibleGroups: [Group] {
        let f = list(.groups).filter
        return allGroups.filter { Self.matches(f, [$0.subject, $0.jid.string]) }
    }

    /// Owner first, then admins, then members; by name within each.
    static func displayOrder(_ list: [Participant]) -> [Participant] {
        let keyed = list.map { p in (p, p.name.map(folded) ?? "\u{10FFFF}") }
        return keyed.sorted { a, b in
            if a.0.role != b.0.role { return a.0.role > b.0.role }
            if a.1 != b.1 { return a.1 < b.1 }
            return a.0.id < b.0.id
        }.map(\.0)
    }

    /// The open group's participants, in display order (sorted once, when stored).
    public var allParticipants: [Participant] {
        guard let key = openGroup else { return [] }
        return participants[key]?.value ?? []
    }

    public var visibleParticipants: [Participant] {
        let all = allParticipants
        let f = list(.participants).filter.trimmingCharacters(in: .whitespaces)
        guard !f.isEmpty, let key = openGroup else { return all }
        let search = participantSearch[key] ?? []
        let needle = Self.folded(f)
        let digits = needle.filter(\.isNumber)
        let numeric = digits.count >= 3 && digits.count == needle.filter({ !" +-()".contains($0) }).count
        return all.indices.compactMap { i in
            guard i < search.count else { return nil }
            let hay = search[i]
            if hay.contains(needle) { return all[i] }
            // "+55 11 9999" matches a number written without spaces.
            if numeric, hay.filter(\.isNumber).contains(digits) { return all[i] }
            return nil
        }
    }

    /// Rows in a list pane now.
    public func rowCount(_ pane: Pane) -> Int {
        switch pane {
        case .sessions: visibleSessions.count
        case .groups: visibleGroups.count
        case .participants: visibleParticipants.count
        case .log: log.count
        }
    }

    public var tagsHere: Set<JID> {
        switch focus {
        case .groups, .sessions: openSession.flatMap { groupTags[$0] } ?? []
        case .participants, .log: openGroup.flatMap { participantTags[$0] } ?? []
        }
    }

    /// Tagged participants of the open group that the filter hides.
    public var hiddenParticipantTags: Int {
        guard let key = openGroup, let tags = participantTags[key], !tags.isEmpty else { return 0 }
        let shown = Set(visibleParticipants.map(\.id))
        return tags.subtracting(shown).count
    }

    public var hiddenGroupTags: Int {
        guard let s = openSession, let tags = groupTags[s], !tags.isEmpty else { return 0 }
        let shown = Set(visibleGroups.map(\.jid))
        return tags.subtracting(shown).count
    }
}
