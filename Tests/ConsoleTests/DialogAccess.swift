import Foundation
import GatewayKit
@testable import Console

/// Each dialog kind's payload, for tests that look into one (nil for another kind).
extension Dialog {
    var members: MembersDialog? { if case .members(let d) = self { d } else { nil } }
    var leave: GroupsDialog? { if case .leave(let d) = self { d } else { nil } }
    var found: FindDialog? { if case .found(let d) = self { d } else { nil } }
    var resume: ResumeDialog? { if case .resume(let d) = self { d } else { nil } }
    var history: HistoryDialog? { if case .history(let d) = self { d } else { nil } }
    var summary: TextDialog? { if case .summary(let d) = self { d } else { nil } }
}
