import Foundation

/// One request of an operation: an action on one target in one group of one session.
/// For leave, the target is the group itself.
public struct OperationStep: Sendable, Hashable, Codable {
    public var session: String
    public var group: JID
    public var target: JID
    /// For a settings change: the settings this step sets (each group's own, for an undo).
    public var settings: GroupSettings?

    public init(session: String, group: JID, target: JID, settings: GroupSettings? = nil) {
        self.session = session; self.group = group; self.target = target; self.settings = settings
    }
}

/// What an operation will do, written down before its first request: the journal keeps it
/// until every step has a result, so a crash or a kill leaves something to resume.
public struct OperationPlan: Sendable, Hashable, Codable {
    /// The audit log's operation id.
    public var id: String
    /// What it does (stored as the audit log's string: "remove", "leave", …).
    public var action: OperationKind
    public var steps: [OperationStep]
    public var reason: String?
    /// The operation this one undoes.
    public var undoes: String?
    /// When the plan was made (ISO 8601, UTC).
    public var created: String
    /// Who made it and through what: the profile and the gateway without credentials.
    public var user: String
    public var profile: String
    public var gateway: String
    public var dialect: String
    /// The process that made it, so that another operator sees who is acting (absent in
    /// journals written before it was recorded).
    public var pid: Int32?
    /// The names the operator saw when the plan was made (absent in journals written before
    /// they were recorded): written to the audit log with the operation and each result.
    public var labels: OperationLabels?
    /// For a removal: the exit notice sent to each person (or their group) before removing them.
    public var notice: Notice?

    public init(id: String = AuditLog.newOperationID(), action: OperationKind, steps: [OperationStep], reason: String?,
                undoes: String? = nil, context: AuditContext, created: String = AuditLog.timestamp()) {
        self.id = id; self.action = action; self.steps = steps
        self.reason = reason.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        self.undoes = undoes; self.created = created
        self.user = context.user; self.profile = context.profile; self.gateway = context.gateway; self.dialect = context.dialect
        self.pid = ProcessInfo.processInfo.processIdentifier
    }

    /// Whether this operation was planned before `other` (the earlier one goes first when
    /// two act on the same people).
    public func precedes(_ other: OperationPlan) -> Bool {
        created == other.created ? id < other.id : created < other.created
    }

    public var memberAction: MemberAction? { action.memberAction }

    /// The distinct groups the plan touches, in order of first appearance.
    public var groupKeys: [OperationGroupKey] {
        var seen = Set<OperationGroupKey>()
        var keys: [OperationGroupKey] = []
        for s in steps {
            let k = OperationGroupKey(session: s.session, group: s.group)
            if seen.insert(k).inserted { keys.append(k) }
        }
        return keys
    }

    /// Whether the plan spans more than one group.
    public var spansGroups: Bool { groupKeys.count > 1 }

    /// One person across several groups: each step is shown as its group's row.
    public var rowsAreGroups: Bool { spansGroups && !action.targetsGroups }

    /// The audit record of its start.
    public func startRecord(context: AuditContext, dryRun: Bool = false) -> AuditRecord {
        let keys = groupKeys
        var r = AuditRecord.operation(id: id, context: context, session: keys.first?.session ?? "",
                                      group: action.targetsGroups || keys.count != 1 ? nil : keys.first?.group.string,
                                      action: action.rawValue, targets: steps.map(\.target.string), reason: reason, dryRun: dryRun)
        if keys.count > 1 && !action.targetsGroups { r.steps = steps.map { AuditStep(session: $0.session, group: $0.group.string, target: $0.target.string) } }
        if Set(steps.map(\.session)).count > 1 { r.session = nil }
        r.undoes = undoes
        r.notice = notice?.text
        if action.changesSettings, let first = steps.first?.settings, steps.allSatisfy({ $0.settings == first }) { r.settings = first }
        if let labels {
            if keys.count == 1, let g = keys.first?.group.string { r.subject = labels.groups[g] }
            if keys.count > 1 {
                let subjects = labels.groups.filter { g, _ in keys.contains { $0.group.string == g } }
                r.subjects = subjects.isEmpty ? nil : subjects
            }
            if let s = r.session { r.sessionLabel = labels.sessions[s] }
            let targets = Set(steps.map(\.target.string))
            let names = labels.targets.filter { targets.contains($0.key) }
            r.names = names.isEmpty ? nil : names
        }
        return r
    }

    /// A step's result as the audit log records it: with the target's name and the group's
    /// subject as the plan knew them.
    public func resultRecord(step: Int, _ t: TargetResult) -> AuditRecord {
        let s = steps[step]
        var r = AuditRecord.result(id: id, t, session: s.session, group: s.group)
        r.name = labels?.targets[s.target.string]
        r.subject = labels?.groups[s.group.string]
        return r
    }
}

/// What the operator saw when an operation was planned: the targets' display names, the
/// groups' subjects and the sessions' labels, each as the gateway gave it (hostile text:
/// printed only through `TerminalText`).
public struct OperationLabels: Sendable, Hashable, Codable {
    /// Target JID → display name (for a leave, the group JID → its subject).
    public var targets: [String: String]
    /// Group JID → subject.
    public var groups: [String: String]
    /// Session id → label.
    public var sessions: [String: String]

    public init(targets: [String: String] = [:], groups: [String: String] = [:], sessions: [String: String] = [:]) {
        self.targets = targets; self.groups = groups; self.sessions = sessions
    }

    /// The names of `participants` (those that have one), under each id they go by (the
    /// canonical one, the phone JID, the `@lid`), since a target is named by any of them.
    public mutating func add(_ participants: [Participant]) {
        for p in participants {
            guard let name = p.name, !name.isEmpty else { continue }
            for j in [p.id, p.phone, p.lid].compactMap({ $0 }) { targets[j.string] = name }
        }
    }

    /// One target's name, when it has one.
    public mutating func name(_ target: JID, _ name: String?) {
        if let name, !name.isEmpty { targets[target.string] = name }
    }

    public mutating func add(_ group: Group) { groups[group.jid.string] = group.subject }
    public mutating func add(_ session: Session) { sessions[session.id] = session.label }
}

/// A group of a session, as an operation names it.
public struct OperationGroupKey: Sendable, Hashable, Codable {
    public var session: String
    public var group: JID
    public init(session: String, group: JID) { self.session = session; self.group = group }
}

/// One step of an operation spanning several groups, as the audit file records it.
public struct AuditStep: Sendable, Hashable, Codable {
    public var session: String
    public var group: String
    public var target: String
    public init(session: String, group: String, target: String) { self.session = session; self.group = group; self.target = target }
}

/// An exit notice (seed 001's advice: warn the person before removing them): sent before each
/// removal, paced with it, its result recorded with the removal's.
public struct Notice: Sendable, Hashable, Codable {
    public var text: String
    /// To the group rather than to the person one to one.
    public var toGroup: Bool
    /// A notice that cannot be sent stops that person's removal (not sent, recorded why).
    public var required: Bool

    public init(text: String, toGroup: Bool = false, required: Bool = false) {
        self.text = text; self.toGroup = toGroup; self.required = required
    }

    /// The longest notice sent (WhatsApp allows far more; a notice is a sentence or two).
    public static let maxLength = 4096

    /// The text with `{name}` and `{group}` filled in (a person without a name: the space
    /// before it goes, so "Hi {name}, …" reads "Hi, …").
    public func text(name: String?, group: String?) -> String {
        var t = text
        if let name, !name.isEmpty { t = t.replacingOccurrences(of: "{name}", with: name) }
        else { t = t.replacingOccurrences(of: " {name}", with: "").replacingOccurrences(of: "{name}", with: "") }
        return t.replacingOccurrences(of: "{group}", with: group ?? "")
    }
}

/// Settings as the command line and the console write them.
public enum SettingsText {
    /// "only admins send: on, only admins edit info: off".
    public static func change(_ s: GroupSettings) -> String {
        s.known.map { "\($0.setting.title): \($0.on ? "on" : "off")" }.joined(separator: ", ")
    }

    /// The short form a narrow line takes: "msg: admins, info: all, approval: on".
    public static func brief(_ s: GroupSettings) -> String {
        s.known.map { setting, on in
            switch setting {
            case .announce: "msg: \(on ? "admins" : "all")"
            case .locked: "info: \(on ? "admins" : "all")"
            case .adminsAdd: "add: \(on ? "admins" : "all")"
            case .approval: "approval: \(on ? "on" : "off")"
            }
        }.joined(separator: ", ")
    }

}
