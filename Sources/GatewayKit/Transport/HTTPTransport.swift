import Foundation
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

    public init(method: String, path: String, query: [URLQueryItem] = [], headers: [String: String] = [:], body: Data? = nil) {
        self.method = method; self.path = path; self.query = query; self.headers = headers; self.body = body
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
    /// Seconds to wait for an answer to one request.
    public var timeout: TimeInterval = 20
    /// Allow `http://` to a host that is not loopback (the profile's `allow_http`).
    public var allowInsecureHTTP = false
    /// How many times a 429 is retried after waiting `Retry-After` (0 = never).
    public var rateLimitRetries = 2
    /// The longest `Retry-After` honoured by waiting; longer ones fail as rate limited.
    public var maxRetryAfter: TimeInterval = 30

    public init(timeout: TimeInterval = 20, allowInsecureHTTP: Bool = false, rateLimitRetries: Int = 2, maxRetryAfter: TimeInterval = 30) {
        self.timeout = timeout; self.allowInsecureHTTP = allowInsecureHTTP
        self.rateLimitRetries = rateLimitRetries; self.maxRetryAfter = maxRetryAfter
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

    public init(baseURL: URL, credential: Credential, options: TransportOptions = .init(), observer: RequestObserver? = nil) throws(GatewayError) {
        try HTTPTransport.checkScheme(baseURL, allowInsecure: options.allowInsecureHTTP)
        self.baseURL = baseURL
        self.credential = credential
        self.options = options
        self.observer = observer
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = options.timeout
        config.timeoutIntervalForResource = options.timeout * 3
        config.httpCookieStorage = nil
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.httpMaximumConnectionsPerHost = 4
        self.session = URLSession(configuration: config, delegate: NoRedirects(), delegateQueue: nil)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Never follows a redirect: the credential would travel to wherever it points (another
    /// host, or plain http). The 3xx answer is returned as it is, and read as "not this
    /// dialect's answer", with its status.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

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

    /// Sends a request, waiting out bounded 429s that carry a short `Retry-After` for reads.
    /// A mutation's 429 is returned at once: the executor's retry policy waits it out and
    /// sends again through the session's pacer, so the pacer keeps counting every request
    /// (a retry here, unseen by the pacer, would let the next paced request follow it too
    /// closely and be refused in turn).
    public func send(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        var attempt = 0
        let isRead = spec.method == "GET" || spec.method == "HEAD"
        while true {
            let response = try await sendOnce(spec)
            guard response.status == 429, isRead, attempt < options.rateLimitRetries,
                  let wait = response.retryAfter, wait <= options.maxRetryAfter
            else { return response }
            attempt += 1
            do { try await Task.sleep(nanoseconds: UInt64(max(wait, 0.05) * 1_000_000_000)) } catch {
                return response
            }
        }
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

    private func sendOnce(_ spec: HTTPRequestSpec) async throws(GatewayError) -> HTTPResponseData {
        let url = try makeURL(spec)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: options.timeout)
        request.httpMethod = spec.method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("wamod/\(GatewayKitVersion.string)", forHTTPHeaderField: "User-Agent")
        for (k, v) in spec.headers { request.setValue(v, forHTTPHeaderField: k) }
        for (k, v) in credential.headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = spec.body
        let shownPath = spec.redactedTarget
        let started = Date()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            let ms = Int(Date().timeIntervalSince(started) * 1000)
            let reason = HTTPTransport.describe(error, timeout: options.timeout)
            observer?(RequestEvent(method: spec.method, path: shownPath, status: nil, latencyMs: ms, bytes: 0, error: reason, at: started))
            throw .transport(reason)
        }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        guard let http = response as? HTTPURLResponse else {
            throw .transport("the answer was not HTTP")
        }
        observer?(RequestEvent(method: spec.method, path: shownPath, status: http.statusCode, latencyMs: ms, bytes: data.count, error: nil, at: started))
        let retry = (http.value(forHTTPHeaderField: "Retry-After")).flatMap(HTTPTransport.parseRetryAfter)
        return HTTPResponseData(status: http.statusCode, body: data, retryAfter: retry,
                                contentType: http.value(forHTTPHeaderField: "Content-Type"), latencyMs: ms)
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
