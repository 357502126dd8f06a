import Foundation
@testable import GatewayKit
import Testing

/// A gateway's failure is classified by its status first: a proxy's HTML 502 is a 5xx (and is
/// retried like one), whatever the body; a 2xx whose body is cut short is a broken answer,
/// whose effect the executor settles by reading the group again.
@Suite("faults: status first, broken bodies are broken answers")
struct FaultClassificationTests {
    static let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

    static let decoders: [(String, @Sendable (HTTPResponseData) -> GatewayError)] = [
        ("v1", { V1Decode.error($0, V1API.remove(session: "S", group: JID(kind: .group, user: "1"), member: JID(kind: .user, user: "2"))) }),
        ("wasend", { WasendDecode.error($0) }),
        ("waha", { WAHADecode.error($0, HTTPRequestSpec(method: "POST", path: "/api/S/groups/1@g.us/participants/remove")) }),
        ("wuts", { WUTSDecode.error($0, HTTPRequestSpec(method: "DELETE", path: "/groups/1@g.us/participants")) }),
        ("wawp", { WawpDecode.error($0, HTTPRequestSpec(method: "POST", path: "/v2/group/participants/remove")) }),
        ("evolution", { EvolutionDecode.error($0, HTTPRequestSpec(method: "POST", path: "/group/updateParticipant/S")) }),
    ]

    @Test("an HTML 502 page is a server error with its status, in every dialect", arguments: 0..<6)
    func htmlIsServer(_ i: Int) {
        let (name, decode) = Self.decoders[i]
        for status in [500, 502, 503, 504] {
            let e = decode(HTTPResponseData(status: status, body: Data(Self.html.utf8), retryAfter: nil, contentType: "text/html", latencyMs: 1))
            guard case .server(let s, let m) = e else { Issue.record("\(name) \(status): \(e)"); continue }
            #expect(s == status, "\(name)")
            #expect(m?.contains("502 Bad Gateway") == true, "\(name): the excerpt says what came back")
            #expect(RetryPolicy.isRetryable(e), "\(name): a 5xx is retried")
            #expect(!e.stopsOperation, "\(name): one 5xx does not stop the operation")
        }
    }

    @Test("a cut-short JSON error body is classified by its status too", arguments: 0..<6)
    func truncatedErrorBody(_ i: Int) {
        let (name, decode) = Self.decoders[i]
        let cut = HTTPResponseData(status: 503, body: Data(#"{"error":{"code":"unava"#.utf8), retryAfter: nil, contentType: "application/json", latencyMs: 1)
        guard case .server(503, _) = decode(cut) else { Issue.record("\(name): \(decode(cut))"); return }
        let unauthorized = HTTPResponseData(status: 401, body: Data("<html>401</html>".utf8), retryAfter: nil, contentType: "text/html", latencyMs: 1)
        guard case .unauthorized = decode(unauthorized) else { Issue.record("\(name): \(decode(unauthorized))"); return }
    }

    @Test("what stops an operation, and what stays resumable")
    func stopsAndTransient() {
        #expect(GatewayError.notConnected(nil).stopsOperation && GatewayError.notConnected(nil).isTransient)
        #expect(GatewayError.forbidden(nil).stopsOperation && GatewayError.forbidden(nil).isTransient)
        #expect(GatewayError.transport("connection refused").stopsOperation)
        #expect(!GatewayError.transport("no answer within 5 s (timed out)").stopsOperation)
        #expect(!GatewayError.undecodable(status: 200, excerpt: "{").stopsOperation)
        #expect(!GatewayError.server(status: 502, message: nil).stopsOperation)
        #expect(!GatewayError.validation("bad").isTransient && !GatewayError.notFound("x").isTransient)
    }

    @Test("failures of unknown effect: no answer, a broken answer, a 5xx; never a 429 or a 4xx")
    func unknownEffect() {
        #expect(Executor.effectUnknown(.transport("the connection dropped before the answer")))
        #expect(!Executor.effectUnknown(.transport("connection refused")))
        #expect(Executor.effectUnknown(.undecodable(status: 200, excerpt: "{\"ok\":tr")))
        #expect(Executor.effectUnknown(.server(status: 502, message: nil)))
        #expect(!Executor.effectUnknown(.rateLimited(retryAfter: 1)))
        #expect(!Executor.effectUnknown(.validation("x")))
        #expect(!Executor.effectUnknown(.server(status: 0, message: nil)))
    }

    @Test("a successful mutation's body: absent or JSON is readable, anything else is not")
    func readable() {
        func r(_ s: String) -> HTTPResponseData { HTTPResponseData(status: 200, body: Data(s.utf8), retryAfter: nil, contentType: "application/json", latencyMs: 1) }
        #expect(DialectSupport.isReadable(r("")))
        #expect(DialectSupport.isReadable(r(" \n")))
        #expect(DialectSupport.isReadable(r(#"{"ok":true}"#)))
        #expect(!DialectSupport.isReadable(r(#"{"ok":tr"#)))
        #expect(!DialectSupport.isReadable(r("<html>")))
    }

    @Test("a read's 5xx or cut-short JSON is worth reading again; an HTML 200 or a 4xx is not")
    func faultyReads() {
        func r(_ status: Int, _ s: String, _ type: String? = "application/json") -> HTTPResponseData {
            HTTPResponseData(status: status, body: Data(s.utf8), retryAfter: nil, contentType: type, latencyMs: 1)
        }
        #expect(HTTPTransport.isFaultyRead(r(502, Self.html, "text/html")))
        #expect(HTTPTransport.isFaultyRead(r(200, #"{"data":[{"id":"#)))
        #expect(!HTTPTransport.isFaultyRead(r(200, #"{"data":[]}"#)))
        #expect(!HTTPTransport.isFaultyRead(r(200, "<html></html>", "text/html")))
        #expect(!HTTPTransport.isFaultyRead(r(404, "{")))
    }
}
