import Foundation
import Synchronization
@testable import GatewayKit

/// A stand-in for the transport: answers requests from a script, in order, and keeps what
/// was sent, so the gateway's flows are tested without a network.
final class ScriptedSender: RequestSending {
    private let state: Mutex<(answers: [Result<HTTPResponseData, GatewayError>], sent: [HTTPRequestSpec])>

    init(_ answers: [Result<HTTPResponseData, GatewayError>]) { state = Mutex((answers, [])) }
    convenience init(_ answers: HTTPResponseData...) { self.init(answers.map { .success($0) }) }

    var sent: [HTTPRequestSpec] { state.withLock { $0.sent } }

    func send(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let next = state.withLock { s -> Result<HTTPResponseData, GatewayError> in
            s.sent.append(spec)
            return s.answers.isEmpty ? .failure(.transport("the script has no answer left")) : s.answers.removeFirst()
        }
        return try next.get()
    }
}

/// An answer with a content type of its own (WAHA's raw invite code is `text/html`).
func answer(_ status: Int, _ body: String, type: String = "application/json", latency: Int = 3) -> HTTPResponseData {
    HTTPResponseData(status: status, body: Data(body.utf8), retryAfter: nil, contentType: type, latencyMs: latency)
}

/// A gateway of `codec` over `sender`.
func gateway<C: DialectCodec>(_ codec: C, _ sender: ScriptedSender) -> HTTPGateway<C> {
    HTTPGateway(codec: codec, sender: sender)
}

/// The JSON body of a request, as text.
func bodyText(_ spec: HTTPRequestSpec) -> String { spec.body.map { String(decoding: $0, as: UTF8.self) } ?? "" }

/// The case of an outcome's error, for comparisons that ignore the words.
func failureKind(_ o: Outcome) -> String? {
    guard case .failed(let e) = o else { return nil }
    return V1DialectTests.kindName(e)
}
