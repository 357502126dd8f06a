import Foundation

extension AuditRecord {
    /// A change to the watchlist: `action` is `watch-add` or `watch-remove`, `target` the
    /// person, `reason` why, `detail` the expiry (`expires 2026-12-31T00:00:00Z`) where one
    /// is set. Type `watch`: readers of operations pass over it.
    public static func watch(_ action: String, who: JID, reason: String?, expires: Date?, context: AuditContext,
                             time: Date = Date()) -> AuditRecord {
        var r = AuditRecord(type: "watch", op: AuditLog.newOperationID(), time: AuditLog.timestamp(time))
        r.user = context.user
        r.client = context.client
        r.profile = context.profile
        r.gateway = context.gateway
        r.dialect = context.dialect
        r.action = action
        r.target = who.string
        r.reason = reason
        r.detail = expires.map { "expires " + AuditLog.timestamp($0) }
        return r
    }
}
