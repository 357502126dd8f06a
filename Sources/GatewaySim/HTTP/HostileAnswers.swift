import Foundation
import WamodModel
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Answers a hostile or broken gateway sends, for rehearsing them and for the tests that show
/// none of it reaches the operator's terminal, the token or memory. Queued on the world
/// (`World.queueHostile`) and served to the next requests, in order, before any other fault.
public enum HostileAnswer: Sendable, Equatable {
    /// 200 with a body that, for any client, does not end: 64 KB chunks until the client hangs
    /// up, or 64 MB (twice the client's default limit; writes to a closed connection are
    /// not always refused, and the emulator must not spin on them).
    case endlessBody
    /// 200 with a valid JSON body of `bytes` bytes, sent one byte every `intervalMs`.
    case trickle(bytes: Int, intervalMs: Int)
    /// `status` with a body that repeats the credential the request carried (its
    /// `Authorization`, `X-Api-Key`, `apikey` or query secrets), as JSON and as plain text.
    case echoCredential(status: Int)
}

extension World {
    /// Serves `answers` to the next requests, in order, before any other fault.
    public func queueHostile(_ answers: HostileAnswer...) { state.withLock { $0.hostile += answers } }

    /// The next hostile answer to serve, if any.
    func takeHostile() -> HostileAnswer? {
        state.withLock { $0.hostile.isEmpty ? nil : $0.hostile.removeFirst() }
    }

    /// A session's label, as strangers may set it (escape sequences, megabytes, …).
    public func setLabel(_ label: String, session: String) {
        state.withLock { $0.sessions[session]?.label = label }
    }

    /// A group's subject, as its members may set it.
    public func setSubject(_ subject: String, session: String, group: JID) {
        state.withLock { $0.sessions[session]?.groups[group.user]?.subject = subject }
    }

    /// A member's name (push name), as they may set it.
    public func setName(_ name: String, of member: JID, session: String, group: JID) {
        state.withLock { s in
            s.materialize(session: session, group: group.user)
            guard var members = s.sessions[session]?.groups[group.user]?.members,
                  let i = members.firstIndex(where: { $0.person.matches(member) }) else { return }
            members[i].person.name = name
            s.sessions[session]?.groups[group.user]?.members = members
        }
    }
}

enum HostileRendering {
    static func respond(_ answer: HostileAnswer, to request: Request) -> Response {
        switch answer {
        case .endlessBody:
            let chunk = ByteBuffer(bytes: Array(repeating: UInt8(ascii: "A"), count: 65_536))
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: Array(#"{"data":[{"label":""#.utf8)))
                for _ in 0..<1024 {
                    if Task.isCancelled { break }
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            })
        case .trickle(let bytes, let intervalMs):
            let body = Array((#"{"data":[],"nextCursor":null,"pad":""# + String(repeating: " ", count: max(0, bytes - 40)) + #""}"#).utf8)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: body.count) { writer in
                for b in body {
                    try await writer.write(ByteBuffer(bytes: [b]))
                    try await Task.sleep(for: .milliseconds(max(1, intervalMs)))
                }
                try await writer.finish(nil)
            })
        case .echoCredential(let status):
            var presented: [String] = []
            for name in ["Authorization", "X-Api-Key", "apikey"] {
                if let f = HTTPField.Name(name), let v = request.headers[f] { presented.append(v) }
            }
            for item in URLComponents(string: request.uri.description)?.queryItems ?? [] {
                if let v = item.value { presented.append(v) }
            }
            let words = presented.joined(separator: " ")
            let json = #"{"error":{"code":"unauthorized","message":"credential \#(words) is not valid"},"message":"credential \#(words)","status":\#(status)}"#
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Array(json.utf8))))
        }
    }
}
