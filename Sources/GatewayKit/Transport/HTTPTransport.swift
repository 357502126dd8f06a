import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request as a dialect describes it: method, path (already percent-encoded),
/// query items, headers and a JSON body. Pure data, so encoders can be tested without a network.
public struct HTTPRequestSpec: Sendable, Equatable {
    public var method: String
    /// The path below the base URL, percent-encoded, starting with `/`.
    public var path: String
    public var query: [URLQueryItem]
    public var headers: [String: String]
    public var body: Data?
    /// A read sent with another method than GET (Wawp's `POST /v2/session/info`): safe to
    /// repeat, so the transport treats it as a read (retried, pooled), not as a mutation.
    public var isReadOnly: Bool

    public init(method: String, path: String, query: [URLQueryItem] = [], headers: [String: String] = [:], body: Data? = nil,
                isReadOnly: Bool = false) {
        self.method = method; self.path = path; self.query = query; self.headers = headers; self.body = body
        self.isReadOnly = isReadOnly
    }

    /// A JSON body from an `Encodable` value, with its content type.
    public static func json<T: Encodable>(_ method: String, _ path: String, query: [URLQueryItem] = [], body: T) -> HTTPRequestSpec {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return HTTPRequestSpec(method: method, path: path, query: query, headers: ["Content-Type": "application/json"], body: data)
    }

    /// The path and query as a log line shows them: secrets in the query masked.
    public var redactedTarget: String {
        guard !query.isEmpty else { return path }
        let q = query.map { item in
            "\(item.name)=\(Redaction.isSecretName(item.name) ? Redaction.mask : (item.value ?? ""))"
        }
        return path + "?" + q.joined(separator: "&")
    }
}

/// An answer: status, headers we care about, body.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var body: Data
    public var retryAfter: Double?
    public var contentType: String?
    public var latencyMs: Int
    /// The body as JSON, where the transport already parsed it (to tell a body cut short from
    /// a whole one), so the dialect does not parse it a second time.
    public var json: JSONValue? = nil
}

/// An event for every request, for the console's log pane and `--verbose`: never a secret.
public struct RequestEvent: Sendable, Hashable {
    public var method: String
    /// Path and query, secrets masked.
    public var path: String
    /// HTTP status, or nil when no answer came.
    public var status: Int?
    public var latencyMs: Int
    public var bytes: Int
    /// Why no answer came, when none did.
    public var error: String?
    public var at: Date

    public init(method: String, path: String, status: Int?, latencyMs: Int, bytes: Int, error: String?, at: Date) {
        self.method = method; self.path = path; self.status = status; self.latencyMs = latencyMs
        self.bytes = bytes; self.error = error; self.at = at
    }
}

public typealias RequestObserver = @Sendable (RequestEvent) -> Void

/// Settings for talking to one gateway.
public struct TransportOptions: Sendable {
    /// Seconds one request may take, first byte to last: an answer still arriving then (a
    /// gateway trickling one byte a second) is cut off as timed out.
    public var timeout: TimeInterval = 20
    /// Allow `http://` to a host that is not loopback (the profile's `allow_http`).
    public var allowInsecureHTTP = false
    /// How many times a 429 is retried after waiting `Retry-After` (0 = never).
    public var rateLimitRetries = 2
    /// The longest `Retry-After` honoured by waiting; longer ones fail as rate limited.
    public var maxRetryAfter: TimeInterval = 30
    /// How many times a read that failed on the way (5xx, dropped, timed out, cut short) is
    /// read again; mutations never are (the executor decides, after reading the group).
    public var readRetries = 2
    /// The pause before the first read again, doubling after each.
    public var readRetryDelay: TimeInterval = 0.2
    /// The largest answer read, in bytes (32 MB; the profile's `max_answer_mb`). A larger one is
    /// cut off as it arrives and fails as too large: a gateway cannot take memory without end.
    public var maxAnswerBytes = 32 << 20

    public init(timeout: TimeInterval = 20, allowInsecureHTTP: Bool = false, rateLimitRetries: Int = 2, maxRetryAfter: TimeInterval = 30,
                readRetries: Int = 2, readRetryDelay: TimeInterval = 0.2, maxAnswerBytes: Int = 32 << 20) {
        self.timeout = timeout; self.allowInsecureHTTP = allowInsecureHTTP
        self.rateLimitRetries = rateLimitRetries; self.maxRetryAfter = maxRetryAfter
        self.readRetries = max(0, readRetries); self.readRetryDelay = max(0, readRetryDelay)
        self.maxAnswerBytes = max(1024, maxAnswerBytes)
    }
}

/// HTTP over URLSession, with explicit timeouts, TLS verification left on, a request log and
/// secret redaction. Auth headers are added here, from the credential, and never logged.
public final class HTTPTransport: Sendable {
    public let baseURL: URL
    let credential: Credential
    let options: TransportOptions
    let observer: RequestObserver?
    private let session: URLSession
    private let router: LoadRouter

    public init(baseURL: URL, credential: Credential, options: TransportOptions = .init(), observer: RequestObserver? = nil) throws(GatewayError) {
        try HTTPTransport.checkScheme(baseURL, allowInsecure: options.allowInsecureHTTP)
        self.baseURL = baseURL
        self.credential = credential
        self.options = options
        self.observer = observer
        let router = LoadRouter()
        self.router = router
        self.session = URLSession(configuration: Self.configuration(options, maxConnections: 4), delegate: router, delegateQueue: nil)
    }

    static func configuration(_ options: TransportOptions, maxConnections: Int) -> URLSessionConfiguration {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = options.timeout
        config.timeoutIntervalForResource = options.timeout * 3
        config.httpCookieStorage = nil
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.httpMaximumConnectionsPerHost = maxConnections
        return config
    }

    deinit { session.finishTasksAndInvalidate() }


    /// Refuses `http://` unless the host is loopback or the profile allows it.
    public static func checkScheme(_ url: URL, allowInsecure: Bool) throws(GatewayError) {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .configuration("gateway URL '\(url.absoluteString)' needs a scheme and a host, like https://gateway.example.com")
        }
        switch scheme {
        case "https": return
        case "http":
            if allowInsecure || isLoopback(host) { return }
            throw .configuration("refusing plain http:// to \(host): the token would cross the network unencrypted. Use https://, or set allow_http = true in the profile if this link is private")
        default:
            throw .configuration("gateway URL scheme '\(scheme)' is not supported: use https:// (or http:// on loopback)")
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return h == "localhost" || h == "::1" || h.hasPrefix("127.") || h.hasSuffix(".localhost")
    }

    /// Sends a request.
    ///
    /// A mutation (anything but GET, HEAD and a spec marked `isReadOnly`) is sent exactly once, on a connection of its own
    /// that is closed after the answer: a pooled connection that the server had dropped would
    /// otherwise be retried by the HTTP stack itself, re-sending the request (sometimes as
    /// headers without their body) beneath the executor, which alone decides whether a
    /// mutation is sent again, and only after reading the group. Its 429 is returned at once:
    /// the executor waits it out and sends again through the session's pacer, so the pacer
    /// keeps counting every request.
    ///
    /// A read is safe to repeat, so it is: a 429 with a short `Retry-After` is waited out
    /// (`rateLimitRetries` times), and a 5xx (whatever its body), a dropped connection, a
    /// timeout or a JSON body cut short is read again after a short pause (`readRetries` times).
    public func send(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let isRead = spec.method == "GET" || spec.method == "HEAD" || spec.isReadOnly
        guard isRead else { return try await sendOnce(spec, ownConnection: true) }
        var rateAttempts = 0
        var faultAttempts = 0
        while true {
            let response: HTTPResponseData
            do {
                response = try await sendOnce(spec, ownConnection: false)
            } catch {
                guard faultAttempts < options.readRetries, case .transport(let why) = error, why != "cancelled",
                      await pause(faultAttempts) else { throw error }
                faultAttempts += 1
                continue
            }
            if response.status == 429 {
                guard rateAttempts < options.rateLimitRetries, let wait = response.retryAfter, wait <= options.maxRetryAfter
                else { return response }
                rateAttempts += 1
                do { try await Task.sleep(nanoseconds: UInt64(max(wait, 0.05) * 1_000_000_000)) } catch { return response }
                continue
            }
            var parsed = response
            if faultAttempts < options.readRetries, Self.isFaultyRead(&parsed), await pause(faultAttempts) {
                faultAttempts += 1
                continue
            }
            return parsed
        }
    }

    /// A read's answer that another try may mend: a 5xx, or a successful JSON answer whose
    /// body does not parse (cut short on the way).
    static func isFaultyRead(_ r: HTTPResponseData) -> Bool {
        var copy = r
        return isFaultyRead(&copy)
    }

    /// The same, keeping the parsed body in `r.json` when it is whole.
    static func isFaultyRead(_ r: inout HTTPResponseData) -> Bool {
        if (500...599).contains(r.status) { return true }
        guard (200..<300).contains(r.status), !r.body.isEmpty else { return false }
        let type = (r.contentType ?? "application/json").lowercased()
        guard type.contains("json") else { return false }
        r.json = JSONValue.parse(r.body)
        return r.json == nil
    }

    /// Waits before reading again (0.2 s, then 0.4 s, …); false when cancelled.
    private func pause(_ attempt: Int) async -> Bool {
        let seconds = options.readRetryDelay * pow(2, Double(attempt))
        do { try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000)) } catch { return false }
        return true
    }

    func makeURL(_ spec: HTTPRequestSpec) throws(GatewayError) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + spec.path
        let query = spec.query + credential.queryItems
        if !query.isEmpty {
            var comps = URLComponents()
            comps.queryItems = query
            if let q = comps.percentEncodedQuery {
                // `+` is legal in a query but read as a space by many servers.
                text += "?" + q.replacingOccurrences(of: "+", with: "%2B")
            }
        }
        guard let url = URL(string: text) else {
            throw .configuration("cannot build a URL from the gateway base and path \(spec.path)")
        }
        return url
    }

    private func sendOnce(_ spec: HTTPRequestSpec, ownConnection: Bool) async throws(GatewayError) -> HTTPResponseData {
        let url = try makeURL(spec)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: options.timeout)
        request.httpMethod = spec.method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("wamod/\(GatewayKitVersion.string)", forHTTPHeaderField: "User-Agent")
        for (k, v) in spec.headers { request.setValue(v, forHTTPHeaderField: k) }
        for (k, v) in credential.headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = spec.body
        // A connection of its own, closed after the answer, so that nothing below the
        // executor can send this request a second time.
        var oneShot: (URLSession, LoadRouter)?
        if ownConnection {
            request.setValue("close", forHTTPHeaderField: "Connection")
            let r = LoadRouter()
            oneShot = (URLSession(configuration: Self.configuration(options, maxConnections: 1), delegate: r, delegateQueue: nil), r)
        }
        defer { oneShot?.0.finishTasksAndInvalidate() }
        let shownPath = spec.redactedTarget
        let started = Date()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await Self.load(request, session: oneShot?.0 ?? session, router: oneShot?.1 ?? router,
                                                   limit: options.maxAnswerBytes, deadline: options.timeout)
        } catch {
            let ms = Int(Date().timeIntervalSince(started) * 1000)
            let failure: GatewayError
            switch error as? LoadCut {
            case .tooLarge?: failure = .tooLarge(limit: options.maxAnswerBytes)
            case .deadline?: failure = .transport("no complete answer within \(GatewayError.seconds(options.timeout)) (timed out)")
            case nil: failure = .transport(HTTPTransport.describe(error, timeout: options.timeout))
            }
            let event = RequestEvent(method: spec.method, path: shownPath, status: nil, latencyMs: ms, bytes: 0,
                                     error: failure.message, at: started)
            observer?(event)
            RequestLogging.record(event)
            throw failure
        }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        guard let http = response as? HTTPURLResponse else {
            throw .transport("the answer was not HTTP")
        }
        let event = RequestEvent(method: spec.method, path: shownPath, status: http.statusCode, latencyMs: ms, bytes: data.count, error: nil, at: started)
        observer?(event)
        RequestLogging.record(event)
        let retry = (http.value(forHTTPHeaderField: "Retry-After")).flatMap(HTTPTransport.parseRetryAfter)
        return HTTPResponseData(status: http.statusCode, body: data, retryAfter: retry,
                                contentType: http.value(forHTTPHeaderField: "Content-Type"), latencyMs: ms)
    }

    /// Receives one answer through `router`: at most `limit` bytes (more, and it is cut off as
    /// too large), and all of it within `deadline` seconds of the start (else it is cut off as
    /// timed out, however steadily it trickles). Cancelling the calling task cancels it.
    static func load(_ request: URLRequest, session: URLSession, router: LoadRouter, limit: Int,
                     deadline: TimeInterval) async throws -> (Data, URLResponse) {
        let pending = PendingLoad(limit: limit)
        let task = session.dataTask(with: request)
        router.add(task.taskIdentifier, pending)
        let timer = DispatchWorkItem {
            if pending.cut(.deadline) { task.cancel() }
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<(Data, URLResponse), any Error>) in
                pending.wait(c)
                task.resume()
                DispatchQueue.global().asyncAfter(deadline: .now() + max(0.001, deadline), execute: timer)
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// `Retry-After` as seconds: a number of seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        // A day at most: an absurd or infinite value is read as "a long time", never trusted as is.
        if let s = Double(v), s.isFinite, s >= 0 { return min(s, 86_400) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let d = f.date(from: v) { return max(0, d.timeIntervalSinceNow) }
        return nil
    }

    static func describe(_ error: Error, timeout: TimeInterval) -> String {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain {
            switch ns.code {
            case NSURLErrorTimedOut: return "no answer within \(Int(timeout)) s (timed out)"
            case NSURLErrorCannotConnectToHost: return "connection refused"
            case NSURLErrorNetworkConnectionLost: return "the connection dropped before the answer"
            case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed: return "host not found"
            case NSURLErrorNotConnectedToInternet: return "no network"
            case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
                 NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateNotYetValid,
                 NSURLErrorServerCertificateHasUnknownRoot:
                return "TLS failed: the gateway's certificate was not accepted"
            case NSURLErrorBadServerResponse: return "the gateway sent a broken answer"
            case NSURLErrorCancelled: return "cancelled"
            default: break
            }
        }
        return Redaction.scrub(ns.localizedDescription)
    }
}

/// Why an answer was cut off before it ended.
enum LoadCut: Error, Sendable {
    case tooLarge
    case deadline
}

/// One answer being received: its bytes so far, bounded, and who waits for it.
final class PendingLoad: Sendable {
    private struct State {
        var data = Data()
        var response: URLResponse?
        var cut: LoadCut?
        var waiter: CheckedContinuation<(Data, URLResponse), any Error>?
        var outcome: Result<(Data, URLResponse), any Error>?
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func wait(_ c: CheckedContinuation<(Data, URLResponse), any Error>) {
        let ready = state.withLock { s -> Result<(Data, URLResponse), any Error>? in
            if let o = s.outcome { return o }
            s.waiter = c
            return nil
        }
        if let ready { c.resume(with: ready) }
    }

    /// Marks the answer cut off; false when it already ended or was cut.
    func cut(_ why: LoadCut) -> Bool {
        state.withLock { s in
            guard s.cut == nil, s.outcome == nil else { return false }
            s.cut = why
            return true
        }
    }

    func received(_ response: URLResponse) -> Bool {
        state.withLock { s in
            s.response = response
            return response.expectedContentLength <= Int64(limit)
        }
    }

    /// Adds bytes; false when the answer is now over the limit (it is cut off).
    func received(_ data: Data) -> Bool {
        state.withLock { s in
            guard s.cut == nil else { return false }
            if s.data.count + data.count > limit {
                s.cut = .tooLarge
                s.data = Data()
                return false
            }
            s.data.append(data)
            return true
        }
    }

    func finish(_ error: (any Error)?) {
        let (waiter, outcome) = state.withLock { s -> (CheckedContinuation<(Data, URLResponse), any Error>?, Result<(Data, URLResponse), any Error>) in
            let o: Result<(Data, URLResponse), any Error>
            if let cut = s.cut { o = .failure(cut) }
            else if let error { o = .failure(error) }
            else if let r = s.response { o = .success((s.data, r)) }
            else { o = .failure(URLError(.badServerResponse)) }
            s.outcome = o
            defer { s.waiter = nil; s.data = Data() }
            return (s.waiter, o)
        }
        waiter?.resume(with: outcome)
    }
}

/// The delegate of a transport's sessions: hands each task's bytes to its `PendingLoad`,
/// cuts off an answer over its limit, and never follows a redirect (the credential would
/// travel to wherever it points: another host, or plain http). A 3xx answer is returned as it
/// is, and read as "not this dialect's answer", with its status.
final class LoadRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked only because NSObject is not Sendable: its one stored property is a Mutex,
    // shared with the session's delegate queue.
    private let loads = Mutex<[Int: PendingLoad]>([:])

    func add(_ id: Int, _ load: PendingLoad) { loads.withLock { $0[id] = load } }
    private func load(_ id: Int) -> PendingLoad? { loads.withLock { $0[id] } }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let l = load(dataTask.taskIdentifier) else { return completionHandler(.allow) }
        if l.received(response) { completionHandler(.allow) } else {
            _ = l.cut(.tooLarge)
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let l = load(dataTask.taskIdentifier) else { return }
        if !l.received(data) { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let l = loads.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        l?.finish(error)
    }
}
