import ArgumentParser
import Foundation
import FleetEvents
import FleetIndex
import GatewayKit

/// `wamod listen`: receives a gateway's webhooks on an address the operator chooses, checks
/// that they come from the gateway, and keeps their events in the profile's index, where the
/// console and `wamod guard` follow them.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive the gateway's webhooks (group joins, leaves, changes) into the fleet index.",
        discussion: """
        Point the gateway's webhook at http://ADDRESS:PORT/ (behind your TLS proxy when it \
        crosses a network). Each request must prove it comes from the gateway: WAHA's \
        X-Webhook-Hmac (the webhook's hmac key), Evolution's JWT (its jwt_key), Wawp's secret \
        path, or an X-Wamod-Secret header; anything else is refused with 401. The secret comes \
        from WAMOD_WEBHOOK_SECRET or --secret-file, never the command line. Runs until SIGINT \
        or SIGTERM.

        Examples:
          WAMOD_WEBHOOK_SECRET=… wamod listen --profile support --port 8787
          wamod listen --profile evo --port 8787 --secret-file /etc/wamod/webhook.key
          wamod listen --profile evo --address 0.0.0.0 --port 8787 --json
        """)

    @OptionGroup var gateway: GatewayOptions
    @Option(name: .long, help: "The address to listen on.") var address = "127.0.0.1"
    @Option(name: .long, help: "The port to listen on (0: one the system picks, printed).") var port: Int
    @Option(name: .long, help: "A file holding the webhook secret (else WAMOD_WEBHOOK_SECRET).") var secretFile: String?
    @Option(name: .long, help: "The session of events that name none (WUTS: the token's device).") var session: String?
    @Flag(name: .long, help: "Print one JSON object per webhook.") var json = false

    struct Line: Encodable {
        var time: String, events: [Event]
        struct Event: Encodable { var kind: String, session: String, group: String, who: [String], via: String?, by: String? }
    }

    func run() async throws {
        guard (0...65535).contains(port) else { throw CommandFailure.usage("--port is 0 to 65535") }
        let profile = try gateway.resolveProfile()
        let secret = try Self.secret(file: secretFile)
        let store = try FleetFiles.store(profile)
        let receiver: WebhookReceiver
        do {
            receiver = try WebhookReceiver(dialect: profile.dialect, store: store, secret: secret, host: address, port: port,
                                           defaultSession: session ?? profile.defaultSession)
        } catch { throw CommandFailure.usage(error.description) }
        let url: URL
        do { url = try await receiver.start() } catch {
            throw CommandFailure(message: "cannot listen on \(address):\(port): \(error)", code: Exit.unreachable)
        }
        Stdio.err("listening on \(url.absoluteString)/ for \(profile.dialect.rawValue) webhooks into \(store.path)")
        let stop = SignalStop()
        let printer = Task {
            for await w in receiver.received {
                let line = Line(time: AuditLog.timestamp(w.at), events: w.events.map { e in
                    Line.Event(kind: e.kind.rawValue, session: e.session, group: e.group.string,
                               who: e.participants.map { $0.phone?.string ?? $0.id.string }, via: e.via?.rawValue, by: e.by?.string)
                })
                if json { JSONOutput.print(line); continue }
                for e in line.events {
                    Stdio.out("\(line.time) \(e.kind) \(e.who.joined(separator: ",")) in \(e.group) (\(e.session))\(e.via.map { " via \($0)" } ?? "")\(e.by.map { " by \($0)" } ?? "")")
                }
            }
        }
        await stop.wait()
        await receiver.stop()
        printer.cancel()
        store.checkpoint()
        let c = receiver.counts
        Stdio.err("stopped: \(c.accepted) webhook\(c.accepted == 1 ? "" : "s") accepted, \(c.refused) refused")
    }

    static func secret(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let s = String(data: data.prefix(4096), encoding: .utf8) else {
                throw CommandFailure.usage("cannot read the secret file \(file)")
            }
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !t.isEmpty else { throw CommandFailure.usage("the secret file \(file) is empty") }
            return t
        }
        guard let s = environment["WAMOD_WEBHOOK_SECRET"], !s.isEmpty else {
            throw CommandFailure.usage("the webhook secret is not set: export WAMOD_WEBHOOK_SECRET or pass --secret-file (the gateway's webhook signing key or shared secret)")
        }
        return s
    }
}

/// Waits for SIGINT or SIGTERM.
final class SignalStop: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let stream: AsyncStream<Void>
    private let cont: AsyncStream<Void>.Continuation

    init() {
        (stream, cont) = AsyncStream.makeStream(of: Void.self)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [cont] in cont.yield() }
            s.resume()
            sources.append(s)
        }
    }

    func wait() async {
        for await _ in stream { return }
    }
}
