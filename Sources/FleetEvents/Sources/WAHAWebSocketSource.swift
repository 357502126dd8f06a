import Foundation
import FleetIndex
import GatewayKit

/// Why WAHA's event WebSocket stopped.
public enum WebSocketSourceError: Error, Sendable, CustomStringConvertible {
    case badURL
    case closed(String)
    case silent(TimeInterval)

    public var description: String {
        switch self {
        case .badURL: "the gateway's URL cannot be made a WebSocket URL"
        case .closed(let why): why
        case .silent(let s): "nothing heard from the WebSocket for \(Age.text(s))"
        }
    }
}

/// WAHA's event WebSocket (https://waha.devlike.pro/docs/how-to/events/ "Websockets"):
/// `ws(s)://<gateway>/ws?session=*&events=group.v2.participants&events=…`, every group event
/// of every session (filtered here to `sessions`), decoded by `WAHAEvents`.
///
/// The key goes in the `X-Api-Key` header, never in the URL: WAHA's page shows it as an
/// `x-api-key` query parameter (and WAHA's `WebSocketAuth` reads only that), but a URL ends up
/// in proxies' and gateways' logs. A WAHA that refuses the header (401 on the handshake) is
/// then followed by polling, and the reason says so.
public struct WAHAWebSocketSource: EventSource, ReportingEventSource {
    /// The events asked for (WAHA's names).
    public static let eventNames = ["group.v2.participants", "group.v2.join", "group.v2.leave", "group.v2.update",
                                    "group.v2.participants.join-request"]

    public let baseURL: URL
    let token: String?
    public let sessions: Set<String>
    /// With nothing heard (not even a ping) for this long, the connection is taken as dead.
    public let silentAfter: TimeInterval

    public init(baseURL: URL, token: String?, sessions: [String] = [], silentAfter: TimeInterval = 90) {
        self.baseURL = baseURL; self.token = token; self.sessions = Set(sessions); self.silentAfter = silentAfter
    }

    public var kind: EventSourceKind { .websocket }
    public var description: String { "WAHA WebSocket" }

    /// The WebSocket's URL (no key in it).
    public var url: URL? {
        guard var c = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else { return nil }
        switch c.scheme?.lowercased() {
        case "http", "ws": c.scheme = "ws"
        case "https", "wss": c.scheme = "wss"
        default: return nil
        }
        var path = c.path
        while path.hasSuffix("/") { path.removeLast() }
        c.path = path + "/ws"
        c.queryItems = [URLQueryItem(name: "session", value: "*")] + Self.eventNames.map { URLQueryItem(name: "events", value: $0) }
        return c.url
    }

    public func events() -> AsyncThrowingStream<FleetEvent, any Error> { events(onOpen: {}) }

    public func events(onOpen: @escaping @Sendable () -> Void) -> AsyncThrowingStream<FleetEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: FleetEvent.self, throwing: (any Error).self,
                                                                     bufferingPolicy: .bufferingNewest(4096))
        guard let url else {
            continuation.finish(throwing: WebSocketSourceError.badURL)
            return stream
        }
        let sessions = self.sessions
        let (token, silentAfter) = (self.token, self.silentAfter)
        let task = Task {
            do {
                let connection = try await WebSocketClient.connect(to: url, headers: token.map { [("X-Api-Key", $0)] } ?? [])
                onOpen()
                try await WebSocketClient.run(connection, pingEvery: min(30, silentAfter / 3), silentAfter: silentAfter) { text in
                    // A message that is not an event (or not JSON) is passed over.
                    guard let events = try? EventDecoding.decode(.waha, body: Data(text.utf8)) else { return }
                    for e in events where sessions.isEmpty || sessions.contains(e.session) { continuation.yield(e) }
                }
                continuation.finish()
            } catch {
                if Task.isCancelled { continuation.finish() } else { continuation.finish(throwing: error) }
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
