import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import Synchronization

/// One WebSocket client connection, on Foundation's `URLSessionWebSocketTask`: the key in a
/// header, messages bounded to `EventDecoding.maxBody`.
final class WebSocketConnection: NSObject, URLSessionWebSocketDelegate, @unchecked Sendable {
    let url: URL
    let token: String?
    private struct State {
        var session: URLSession?
        var task: URLSessionWebSocketTask?
        var opened: CheckedContinuation<Void, any Error>?
        var isOpen = false
        var closed = false
        var closeReason: String?
    }
    private let state = Mutex(State())

    init(url: URL, token: String?) {
        self.url = url
        self.token = token
    }

    /// Connects; returns once the handshake is done, throws when it is refused.
    func open() async throws {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 30
        let session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
        var request = URLRequest(url: url, timeoutInterval: 30)
        if let token { request.setValue(token, forHTTPHeaderField: "X-Api-Key") }
        let task = session.webSocketTask(with: request)
        task.maximumMessageSize = EventDecoding.maxBody
        let proceed = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.session = session
            s.task = task
            return true
        }
        guard proceed else {
            session.invalidateAndCancel()
            throw CancellationError()
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let ready = state.withLock { s -> Bool in
                    if s.isOpen { return true }
                    s.opened = c
                    return false
                }
                if ready { c.resume() } else { task.resume() }
            }
        } onCancel: { self.close() }
    }

    /// The next text message; nil for a binary one.
    func receive() async throws -> String? {
        guard let task = state.withLock({ $0.task }) else { throw CancellationError() }
        do {
            switch try await task.receive() {
            case .string(let text): return text
            case .data: return nil
            @unknown default: return nil
            }
        } catch {
            let reason = state.withLock { $0.closeReason }
            throw WebSocketSourceError.closed(reason ?? Self.describe(error))
        }
    }

    func close() {
        let (task, session, waiter) = state.withLock { s -> (URLSessionWebSocketTask?, URLSession?, CheckedContinuation<Void, any Error>?) in
            s.closed = true
            defer { s.opened = nil; s.task = nil; s.session = nil }
            return (s.task, s.session, s.opened)
        }
        task?.cancel(with: .goingAway, reason: nil)
        session?.invalidateAndCancel()
        waiter?.resume(throwing: CancellationError())
    }

    static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        switch ns.code {
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost: return "cannot connect to the gateway"
        case NSURLErrorTimedOut: return "timed out"
        case NSURLErrorNetworkConnectionLost: return "the connection was lost"
        case NSURLErrorBadServerResponse: return "the gateway refused the WebSocket (a wrong key, or no /ws)"
        default: return "the connection failed (\(ns.code))"
        }
    }

    // MARK: URLSessionWebSocketDelegate

    func urlSession(_ session: URLSession, webSocketTask: URLSessionWebSocketTask, didOpenWithProtocol protocol: String?) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.isOpen = true
            defer { s.opened = nil }
            return s.opened
        }
        waiter?.resume()
    }

    func urlSession(_ session: URLSession, webSocketTask: URLSessionWebSocketTask,
                    didCloseWith closeCode: URLSessionWebSocketTask.CloseCode, reason: Data?) {
        state.withLock { $0.closeReason = "the gateway closed the WebSocket (\(closeCode.rawValue))" }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let status = (task.response as? HTTPURLResponse)?.statusCode
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if let status, status != 101 { s.closeReason = "the gateway answered the WebSocket handshake \(status)" }
            defer { s.opened = nil }
            return s.opened
        }
        let reason = status.map { "the gateway answered the WebSocket handshake \($0)" } ?? error.map(Self.describe) ?? "the connection closed"
        waiter?.resume(throwing: WebSocketSourceError.closed(reason))
    }
}
