import GatewayKit

/// When each command is available: the key table's rules, read by the reducer (a key that
/// cannot run says why), the status line's hints and the help screen alike. Pure.
extension KeyMap {
    /// Read-only mode disables every command that acts on people.
    func readOnlyReason(_ command: Command, _ s: ConsoleState) -> String? {
        (binding(command)?.dangerous ?? false) && s.readOnly ? "read-only mode [RO]: \(command.rawValue) is disabled" : nil
    }

    /// One operation at a time.
    static func runningReason(_ s: ConsoleState) -> String? {
        if let op = s.operation, !op.finished { return "an operation is running: wait for it, or Ctrl-C to cancel it" }
        return nil
    }

    /// Why a command that acts cannot start now, whatever it acts on (the history's undo asks
    /// this: its target is the row chosen, not the console's last operation).
    public func actingReason(_ command: Command, _ s: ConsoleState) -> String? {
        readOnlyReason(command, s) ?? Self.runningReason(s)
    }

    /// Why a command cannot run now, or nil when it can.
    public func disabledReason(_ command: Command, _ s: ConsoleState) -> String? {
        if let why = readOnlyReason(command, s) { return why }
        if let kind = Self.kind(of: command), let caps = s.capabilities, let why = caps.missing(kind, dialect: s.dialect ?? .v1) { return why }
        switch command {
        case .remove, .demote, .promote:
            guard s.openGroup != nil else { return "select participants first: open a group with Enter" }
            if s.openGroup?.requests == true { return "these are join requests: approve or reject them (J shows the members again)" }
            guard s.focus == .participants else { return "focus the participants pane first (Tab, or l)" }
            if let why = Self.runningReason(s) { return why }
            if let sess = s.currentSession, !sess.connected { return "session \(sess.label) is not connected (\(sess.status)): reconnect it in the gateway" }
            if let role = s.currentGroup?.ourRole, role == .member { return "this session is not an admin of the group: \(command.rawValue) needs admin" }
            if s.visibleParticipants.isEmpty && (s.openGroup.flatMap { s.participantTags[$0] } ?? []).isEmpty { return "no participant selected" }
            return nil
        case .leave, .resetInvite, .lock, .unlock:
            guard s.focus == .groups || s.focus == .participants, s.openSession != nil else { return "select a group first" }
            if let why = Self.runningReason(s) { return why }
            if let sess = s.currentSession, !sess.connected { return "session \(sess.label) is not connected (\(sess.status)): reconnect it in the gateway" }
            if s.focus == .groups && s.visibleGroups.isEmpty && (s.openSession.flatMap { s.groupTags[$0] } ?? []).isEmpty { return "no group selected" }
            return nil
        case .undo:
            if let why = Self.runningReason(s) { return why }
            guard s.lastUndo != nil else {
                return "nothing to undo in this console: u walks back through its removes, demotes and promotes (H lists earlier ones from the audit log)"
            }
            return nil
        case .requests:
            guard s.openGroup != nil else { return "open a group first (Enter on it)" }
            return nil
        case .approve, .reject:
            guard s.openGroup?.requests == true else { return "J shows the open group's join requests first" }
            guard s.focus == .participants else { return "focus the requests pane first (Tab, or l)" }
            if let why = Self.runningReason(s) { return why }
            if let sess = s.currentSession, !sess.connected { return "session \(sess.label) is not connected (\(sess.status)): reconnect it in the gateway" }
            if s.visibleParticipants.isEmpty && (s.openGroup.flatMap { s.participantTags[$0] } ?? []).isEmpty { return "no request selected" }
            return nil
        case .groupInfo:
            guard s.focus == .groups || s.focus == .participants, s.openSession != nil else { return "select a group first" }
            if s.focus == .groups && s.visibleGroups.isEmpty { return "no group selected" }
            return nil
        case .find:
            if s.sessions.value == nil { return "no sessions read yet: r retries" }
            return nil
        case .newMembers:
            guard s.fleet.available else { return "new members are known from the fleet index, which this console has not opened (it needs a profile)" }
            guard s.openGroup != nil else { return "open a group first (Enter on it)" }
            if s.openGroup?.requests == true { return "these are join requests (J shows the members)" }
            guard s.focus == .participants else { return "focus the participants pane first (Tab, or l)" }
            return nil
        case .removeWatched:
            guard !s.fleet.alerts.isEmpty else { return "no watchlist alert stands" }
            if let why = Self.runningReason(s) { return why }
            return nil
        case .dismissAlert:
            return s.fleet.alerts.isEmpty ? "no watchlist alert stands" : nil
        case .tag, .tagAll, .untagAll:
            return s.focus == .groups || s.focus == .participants ? nil : "tags apply to groups and participants"
        default: return nil
        }
    }

    /// The operation a command starts, for the dialect's capabilities.
    public static func kind(of command: Command) -> OperationKind? {
        switch command {
        case .remove: .remove
        case .demote: .demote
        case .promote: .promote
        case .leave: .leave
        case .resetInvite: .inviteReset
        case .lock: .lock
        case .unlock: .unlock
        case .requests, .approve: .approve
        case .reject: .reject
        default: nil
        }
    }

}
