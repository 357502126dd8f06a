import Foundation
import GatewayKit
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A minimal WebSocket client (RFC 6455) on SwiftNIO, for WAHA's event stream: the handshake
/// with the key in a header, text messages reassembled up to `EventDecoding.maxBody`, pings
/// answered, a ping of its own every `pingEvery` seconds, and the connection taken as dead when
/// nothing at all is heard for `silentAfter`.
///
/// Foundation's `URLSessionWebSocketTask` was tried first: on this Linux toolchain it rides on
/// the system's libcurl, which is built without WebSocket support (Debian 12's 7.88 lists no
/// `ws`), so every connection fails at once (`NSURLErrorUnsupportedURL`). This client has no
/// TLS: `ws://` only; a `wss://` gateway is followed by polling (the reason says so) unless a
/// local TLS-terminating proxy stands in front of it.
enum WebSocketClient {
    /// An open connection, after the handshake.
    struct Connection: Sendable {
        let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
    }

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused(EventLoopFuture<Int>)
    }

    /// Connects and completes the handshake; throws `WebSocketSourceError.closed` with the
    /// handshake's status when the gateway refuses it.
    static func connect(to url: URL, headers extra: [(String, String)]) async throws -> Connection {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { throw WebSocketSourceError.badURL }
        guard scheme == "ws" else {
            throw WebSocketSourceError.closed("wss:// needs TLS, which wamod's WebSocket client does not have (ws:// only)")
        }
        let port = url.port ?? 80
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.port == nil ? host : "\(host):\(port)")
        headers.add(name: "Content-Length", value: "0")
        for (name, value) in extra { headers.add(name: name, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers)

        let upgradeResult: EventLoopFuture<Upgrade>
        do {
            upgradeResult = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(15))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                            maxFrameSize: EventDecoding.maxBody,
                            upgradePipelineHandler: { channel, _ in
                                channel.eventLoop.makeCompletedFuture {
                                    .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                                }
                            })
                        let config = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                            upgradeRequestHead: head, upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in
                                // The refusal's response head follows: its status is the reason.
                                let status = channel.eventLoop.makePromise(of: Int.self)
                                return channel.pipeline.addHandler(StatusCatcher(status: status)).map { .refused(status.futureResult) }
                            })
                        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: config)
                        // Frames the server sends right after its 101 are not lost.
                        pipeline.leftOverBytesStrategy = .forwardBytes
                        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                    }
                }
        } catch {
            throw WebSocketSourceError.closed("cannot connect to the gateway (\(Self.describe(error)))")
        }
        let result: Upgrade
        do { result = try await upgradeResult.get() } catch {
            throw WebSocketSourceError.closed("the WebSocket handshake failed (\(Self.describe(error)))")
        }
        switch result {
        case .websocket(let channel):
            return Connection(channel: channel)
        case .refused(let status):
            let code = try? await status.get()
            throw WebSocketSourceError.closed(code.map { "the gateway answered the WebSocket handshake \($0)" + ([400, 401, 403].contains($0) ? " (a wrong key, or a gateway that takes it only in the URL)" : "") }
                ?? "the gateway refused the WebSocket")
        }
    }

    /// Reads text messages until the connection ends (throws why) or the task is cancelled.
    static func run(_ connection: Connection, pingEvery: TimeInterval, silentAfter: TimeInterval,
                    onMessage: @escaping @Sendable (String) -> Void) async throws {
        let heard = Heard()
        let channel = connection.channel.channel
        try await withTaskCancellationHandler {
            try await connection.channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var message = ByteBuffer()
                        var assembling = false
                        for try await frame in inbound {
                            heard.now()
                            switch frame.opcode {
                            case .text, .continuation:
                                if frame.opcode == .text { message.clear(); assembling = true }
                                guard assembling else { continue }
                                var data = frame.unmaskedData
                                guard message.readableBytes + data.readableBytes <= EventDecoding.maxBody else {
                                    throw WebSocketSourceError.closed("a message was larger than \(EventDecoding.maxBody) bytes")
                                }
                                message.writeBuffer(&data)
                                if frame.fin {
                                    assembling = false
                                    if let text = message.readString(length: message.readableBytes) { onMessage(text) }
                                    message.clear()
                                }
                            case .binary:
                                assembling = false
                            case .ping:
                                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                            case .connectionClose:
                                var data = frame.unmaskedData
                                let code = data.readInteger(as: UInt16.self)
                                try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer()))
                                throw WebSocketSourceError.closed("the gateway closed the WebSocket" + (code.map { " (\($0))" } ?? ""))
                            default:
                                continue
                            }
                        }
                        throw WebSocketSourceError.closed("the connection was closed")
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(min(pingEvery, silentAfter / 2)))
                            let quiet = heard.since()
                            if quiet > silentAfter { throw WebSocketSourceError.silent(quiet) }
                            try await outbound.write(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer()))
                        }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? WebSocketSourceError { return e.description }
        if let e = error as? IOError { return "error \(e.errnoCode)" }
        if error is ChannelError { return "the channel failed" }
        return Limits.clamp(String(describing: type(of: error)), 60)
    }
}

/// When the last frame arrived.
final class Heard: Sendable {
    private let at = Mutex(Date())
    func now() { at.withLock { $0 = Date() } }
    func since() -> TimeInterval { at.withLock { Date().timeIntervalSince($0) } }
}

/// Takes the status of a refused handshake's response.
final class StatusCatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private let status: EventLoopPromise<Int>
    private let done = Mutex(false)
    init(status: EventLoopPromise<Int>) { self.status = status }

    private func finish(_ result: Result<Int, any Error>) {
        guard done.withLock({ d in defer { d = true }; return !d }) else { return }
        status.completeWith(result)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) {
            finish(.success(Int(head.status.code)))
            context.close(promise: nil)
        }
    }
    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }
}
