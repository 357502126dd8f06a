import Foundation
import GatewayKit
@testable import Console

/// An operation's events as the effect runner posts them: each names its step by its index
/// in the plan. The step is found from what its row is shown as.
enum StepEvents {
    static func step(_ s: ConsoleState, _ shownAs: JID) -> Int {
        s.operation?.rows.first { $0.shownAs == shownAs }?.step ?? -1
    }

    static func sending(_ s: inout ConsoleState, id: Int, _ target: JID) {
        let step = step(s, target)
        _ = Reducer().reduce(&s, .operationEvent(id: id, StepEvent(step: step, event: .sending(target))))
    }

    static func finished(_ s: inout ConsoleState, id: Int, _ target: JID, _ outcome: Outcome, httpStatus: Int? = nil) {
        let step = step(s, target)
        _ = Reducer().reduce(&s, .operationEvent(id: id, StepEvent(step: step, event: .finished(TargetResult(target: target, outcome: outcome, httpStatus: httpStatus)))))
    }
}
