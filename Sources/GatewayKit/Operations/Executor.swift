import Foundation

/// What an operation is doing now, for progress lines and inline row states.
public enum OperationEvent: Sendable {
    /// A request for this target is about to be sent.
    case sending(JID)
    /// This target ended.
    case finished(TargetResult)
}

/// Runs a planned operation one target per request, in order, so each row gets its own
/// result and a stop (cancellation, or a failure no later target can escape) leaves the
/// rest marked "not attempted" rather than sent blindly.
public struct Executor: Sendable {
    public let gateway: any Gateway

    public init(gateway: any Gateway) { self.gateway = gateway }

    /// Applies `action` to each target of a group.
    public func run(_ action: MemberAction, session: String, group: JID, targets: [JID],
                    onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        await each(targets, onEvent: onEvent) { t in
            do throws(GatewayError) {
                return try await gateway.apply(action, session: session, group: group, targets: [t]).first
                    ?? TargetResult(target: t, outcome: .failed(.server(status: 0, message: "the gateway answered for no target")))
            } catch {
                return TargetResult(target: t, outcome: .failed(error))
            }
        }
    }

    /// Leaves each group in turn.
    public func leave(session: String, groups: [JID], onEvent: @Sendable (OperationEvent) -> Void = { _ in }) async -> [TargetResult] {
        await each(groups, onEvent: onEvent) { g in
            do throws(GatewayError) { return try await gateway.leave(session: session, group: g) } catch {
                return TargetResult(target: g, outcome: .failed(error))
            }
        }
    }

    private func each(_ targets: [JID], onEvent: @Sendable (OperationEvent) -> Void,
                      _ one: (JID) async -> TargetResult) async -> [TargetResult] {
        var results: [TargetResult] = []
        var stop: String?
        for t in targets {
            if stop == nil, Task.isCancelled { stop = "cancelled" }
            if let stop {
                let r = TargetResult(target: t, outcome: .notAttempted("not sent: \(stop)"))
                results.append(r)
                onEvent(.finished(r))
                continue
            }
            onEvent(.sending(t))
            let r = await one(t)
            if case .failed(let e) = r.outcome, e.stopsOperation { stop = e.message }
            results.append(r)
            onEvent(.finished(r))
        }
        return results
    }
}
