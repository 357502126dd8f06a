import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import GatewaySim

/// A raw HTTP answer, read with plain URLSession (no GatewayKit client).
public struct Answer: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }
    public func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
    /// The body as a JSON object (empty when it is not one).
    public var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    /// The body as a JSON array (empty when it is not one).
    public var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
}

public struct SimHTTPError: Error { public var message: String }

public let testToken = "s3cr3t-token-for-tests"

public func makeSession() -> URLSession {
    let config = URLSessionConfiguration.ephemeral
    // Generous: these tests assert what the emulator answers, not how fast, and a machine
    // running the whole suite in parallel is slow (10 s timed out under a load of 14).
    config.timeoutIntervalForRequest = 60
    config.timeoutIntervalForResource = 90
    return URLSession(configuration: config)
}

/// Sends one request. `path` is appended to the base URL as given (already percent-encoded).
/// The token goes as `Bearer` in `Authorization`, or, with `header`, as the whole value of
/// that header (WAHA's `X-Api-Key`, Evolution's `apikey`).
public func send(_ method: String, _ base: URL, _ path: String, token: String? = testToken, header: String? = nil,
                 json: Any? = nil, session: URLSession = makeSession()) async throws -> Answer {
    guard let url = URL(string: base.absoluteString + path) else { throw SimHTTPError(message: "bad url \(path)") }
    var request = URLRequest(url: url)
    request.httpMethod = method
    if let token {
        if let header { request.setValue(token, forHTTPHeaderField: header) }
        else { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    }
    if let json {
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await session.data(for: request)
    guard let http = response as? HTTPURLResponse else { throw SimHTTPError(message: "not HTTP") }
    var headers: [String: String] = [:]
    for (k, v) in http.allHeaderFields { headers["\(k)"] = "\(v)" }
    return Answer(status: http.statusCode, headers: headers, body: data)
}

/// Runs `body` against a server over `world`, stopping it afterwards.
public func withSim(_ dialect: Dialect, world: World, _ body: (RunningSim) async throws -> Void) async throws {
    let sim = try await SimServer.start(world: world, dialect: dialect, token: testToken)
    do {
        try await body(sim)
        await sim.stop()
    } catch {
        await sim.stop()
        throw error
    }
}

/// `@` as `%40`, as v1's paths take JIDs.
public func enc(_ jid: JID) -> String { jid.string.replacingOccurrences(of: "@", with: "%40") }

public func tinyWorld(_ options: WorldOptions = .unlimited) -> World { World.fixture(.tiny, options: options) }
