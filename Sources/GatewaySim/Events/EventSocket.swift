import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import WamodModel

/// WAHA's event WebSocket, `GET /ws?session=…&events=…` (https://waha.devlike.pro/docs/how-to/events/
/// "Websockets"): every event of the sessions and kinds asked for, one JSON text message each,
/// in the same envelope as a webhook. `session` is a session's name or `*` (the default);
/// `events` is repeated (`events=a&events=b`, as the page shows) or comma-separated (as WAHA's
/// own gateway splits it), `*` for every event. The key is WAHA's: the page passes it as the
/// `x-api-key` query parameter; the `X-Api-Key` header (how wamod sends it, to keep it out of
/// URLs and logs) is taken too.
enum EventSocket {
    static let path = "/ws"

    typealias Handler = WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>

    struct Subscription: Sendable {
        var session: String
        var events: Set<String>

        func wants(_ e: SimEvent, name: String) -> Bool {
            // A session is asked for by its name (the label), as WAHA names it; its id is taken too.
            (session == "*" || session == e.label || session == e.event.session) && (events.contains("*") || events.contains(name))
        }
    }

    /// What a request to `/ws` asks for, and whether its key is right.
    static func parse(target: String, headers: [String: String], token: String) -> (Subscription, authorized: Bool)? {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.first.map(String.init) == path || parts.first.map(String.init) == path + "/" else { return nil }
        var session = "*"
        var events: Set<String> = []
        var queryKey: String?
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
                let key = decode(kv[0]).lowercased()
                let value = kv.count > 1 ? decode(kv[1]) : ""
                switch key {
                case "session": session = value.isEmpty ? "*" : value
                case "events": for e in value.split(separator: ",") { events.insert(e.trimmingCharacters(in: .whitespaces)) }
                case "x-api-key": queryKey = value
                default: break
                }
            }
        }
        if events.isEmpty { events = ["*"] }
        let given = headers.first { $0.key.lowercased() == "x-api-key" }?.value ?? queryKey
        let authorized = given.map { Digest.constantTimeEqual($0, token) } ?? false
        return (Subscription(session: session, events: events), authorized && !token.isEmpty)
    }

    /// The upgrade decision for a request (the server's `shouldUpgrade`).
    static func shouldUpgrade(_ request: HTTPRequest, events: ServerEvents, token: String) -> ShouldUpgradeResult<Handler> {
        guard events.dialect == .waha, let target = request.path else { return .dontUpgrade }
        var headers: [String: String] = [:]
        for field in request.headerFields { headers[field.name.canonicalName] = field.value }
        guard let (subscription, authorized) = parse(target: target, headers: headers, token: token), authorized,
              events.socketsOpen
        else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            try await serve(subscription, events: events, inbound: inbound, outbound: outbound)
        }
    }

    private static func serve(_ subscription: Subscription, events: ServerEvents, inbound: WebSocketInboundStream,
                              outbound: WebSocketOutboundWriter) async throws {
        guard let (id, stream) = events.listenForSocket() else {
            try await outbound.close(.goingAway, reason: "the event stream is closed")
            return
        }
        defer { events.socketClosed(id) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Reading ends when the client closes; what it sends is not used.
            group.addTask { for try await _ in inbound {} }
            group.addTask {
                for await event in stream {
                    guard let (name, body) = SimEventRendering.render(event, dialect: .waha), subscription.wants(event, name: name) else { continue }
                    try await outbound.write(.text(body.text))
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}

/// Answers plain (not upgrading) requests to `/ws`: a wrong or missing key (WAHA's 401), the
/// WebSocket closed (503), else 426. A refused upgrade itself (a wrong key, the WebSocket
/// closed) is answered 400 by the server's upgrade handler, before any route. Other paths go
/// on to the dialect.
struct EventSocketMiddleware: RouterMiddleware {
    typealias Context = SimContext
    let events: ServerEvents
    let token: String

    func handle(_ request: Request, context: SimContext,
                next: (Request, SimContext) async throws -> Response) async throws -> Response {
        guard events.dialect == .waha, request.uri.path == EventSocket.path || request.uri.path == EventSocket.path + "/" else {
            return try await next(request, context)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let parsed = EventSocket.parse(target: request.uri.description, headers: headers, token: token)
        if parsed?.authorized != true {
            return SimResponse.json(401, ["message": "Unauthorized", "statusCode": 401]).hummingbird
        }
        if !events.socketsOpen {
            return SimResponse.json(503, ["message": "the event WebSocket is closed (POST /_sim/websocket to open it)", "statusCode": 503]).hummingbird
        }
        return SimResponse.json(426, ["message": "Upgrade Required: /ws is a WebSocket", "statusCode": 426],
                                headers: [("Upgrade", "websocket")]).hummingbird
    }
}
