import Foundation

/// One request of an operation: an action on one target in one group of one session.
/// For leave, the target is the group itself.
public struct OperationStep: Sendable, Hashable, Codable {
    public var session: String
    public var group: JID
    public var target: JID

    public init(session: String, group: JID, target: JID) {
        self.session = session; self.group = group; self.target = target
    }
}

/// What an operation will do, written down before its first request: the journal keeps it
/// until every step has a result, so a crash or a kill leaves something to resume.
public struct OperationPlan: Sendable, Hashable, Codable {
    /// The audit log's operation id.
    public var id: String
    /// A `MemberAction` raw value, or "leave".
    public var action: String
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

    public init(id: String = AuditLog.newOperationID(), action: String, steps: [OperationStep], reason: String?,
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

    public var memberAction: MemberAction? { MemberAction(rawValue: action) }
    public var isLeave: Bool { action == "leave" }

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

    /// The audit record of its start.
    public func startRecord(context: AuditContext, dryRun: Bool = false) -> AuditRecord {
        let keys = groupKeys
        var r = AuditRecord.operation(id: id, context: context, session: keys.first?.session ?? "",
                                      group: isLeave || keys.count != 1 ? nil : keys.first?.group.string,
                                      action: action, targets: steps.map(\.target.string), reason: reason, dryRun: dryRun)
        if keys.count > 1 && !isLeave { r.steps = steps.map { AuditStep(session: $0.session, group: $0.group.string, target: $0.target.string) } }
        if Set(steps.map(\.session)).count > 1 { r.session = nil }
        r.undoes = undoes
        return r
    }
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
