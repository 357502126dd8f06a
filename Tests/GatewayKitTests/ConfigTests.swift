import Foundation
import Testing
import TestSupport
@testable import GatewayKit

@Suite("config and tokens", .spawnsProcesses)
struct ConfigTests {
    @Test("profiles parse with every key")
    func parse() throws {
        let text = """
        # wamod profiles
        default = support

        [profile support]
        dialect = v1
        url = https://gw.example.com
        token_env = SUPPORT_TOKEN
        session = 01J9ZX8K2QHV0M3T6R7P4N5W8C
        pace_per_minute = 10
        timeout = 5

        [profile "sales"]
        dialect = wasend
        url = http://10.0.0.5:3000
        token_file = /etc/wamod/sales.token
        allow_http = true
        """
        let c = try ConfigFile.parse(text)
        #expect(c.defaultProfile == "support")
        let s = try #require(c.profiles["support"])
        #expect(s.dialect == .v1)
        #expect(s.baseURL.absoluteString == "https://gw.example.com")
        #expect(s.token == .environment("SUPPORT_TOKEN"))
        #expect(s.defaultSession == "01J9ZX8K2QHV0M3T6R7P4N5W8C")
        #expect(s.pacePerMinute == 10)
        #expect(s.timeout == 5)
        #expect(!s.allowHTTP)
        let w = try #require(c.profiles["sales"])
        #expect(w.dialect == .wasend)
        #expect(w.token == .file("/etc/wamod/sales.token"))
        #expect(w.allowHTTP)
    }

    @Test("bad config says where and what", arguments: [
        ("[profile a]\ndialect = v9\nurl = https://x\ntoken_env = T", "unknown dialect"),
        ("[profile a]\ndialect = v1\ntoken_env = T", "needs url"),
        ("[profile a]\ndialect = v1\nurl = https://x", "exactly one of token_env"),
        ("[profile a]\ndialect = v1\nurl = https://x\ntoken_env = T\ntoken = abc", "unknown key 'token'"),
        ("dialect = v1", "must be inside"),
        ("default = b\n[profile a]\ndialect = v1\nurl = https://x\ntoken_env = T", "default profile 'b'"),
        ("[profile a]\ndialect = v1\nurl = https://x\ntoken_env = T\npace_per_minute = fast", "pace_per_minute"),
        ("[oops]", "[profile NAME]"),
    ])
    func errors(_ text: String, _ expected: String) {
        do {
            _ = try ConfigFile.parse(text, source: "cfg")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.hasPrefix("cfg"))
        }
    }

    @Test("a missing config file is an empty config")
    func missing() throws {
        let c = try ConfigFile.load(path: "/nonexistent/wamod/config")
        #expect(c.profiles.isEmpty)
    }

    @Test("XDG paths")
    func paths() {
        let p = Paths(environment: ["HOME": "/home/op", "XDG_CONFIG_HOME": "/cfg", "XDG_STATE_HOME": "relative"])
        #expect(p.configFile == "/cfg/wamod/config")
        #expect(p.stateDirectory == "/home/op/.local/state/wamod")
        #expect(Paths(environment: ["HOME": "/h", "WAMOD_CONFIG": "/x/y"]).configFile == "/x/y")
    }

    @Test("tokens from the environment, a private file, or a command")
    func tokens() async throws {
        #expect(try await TokenResolver.resolve(.environment("T"), environment: ["T": " abc \n"]) == "abc")
        do {
            _ = try await TokenResolver.resolve(.environment("MISSING"), environment: [:])
            Issue.record("expected an error")
        } catch { #expect(error.message.contains("MISSING is not set")) }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wamod-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t").path
        try "s3cret-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        do {
            _ = try await TokenResolver.resolve(.file(file))
            Issue.record("a group-readable token file must be refused")
        } catch {
            #expect(error.message.contains("chmod 600"))
            #expect(!error.message.contains("s3cret"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        #expect(try await TokenResolver.resolve(.file(file)) == "s3cret-file")

        #expect(try await TokenResolver.resolve(.command("printf 'from-cmd\\n'"), commandTimeout: 60, terminal: .never) == "from-cmd")
        do {
            _ = try await TokenResolver.resolve(.command("echo leaked-secret; exit 3"), commandTimeout: 60, terminal: .never)
            Issue.record("a failing command must be refused")
        } catch {
            #expect(error.message.contains("status 3"))
            #expect(!error.message.contains("leaked-secret"))
        }
    }

    @Test("credentials never show their secret")
    func credential() {
        let c = GatewayFactory.credential(for: .v1, token: "tok-123")
        #expect(c.headers["Authorization"] == "Bearer tok-123")
        #expect(!"\(c)".contains("tok-123"))
        #expect(!String(reflecting: c).contains("tok-123"))
        #expect(GatewayFactory.credential(for: .waha, token: "k").headers["X-Api-Key"] == "k")
        #expect(GatewayFactory.credential(for: .evolution, token: "k").headers["apikey"] == "k")
    }

    @Test("redaction masks secrets in queries and free text")
    func redaction() {
        let spec = HTTPRequestSpec(method: "GET", path: "/v2/groups", query: [
            URLQueryItem(name: "instance_id", value: "inst-1"), URLQueryItem(name: "access_token", value: "tok"), URLQueryItem(name: "limit", value: "5"),
        ])
        #expect(spec.redactedTarget == "/v2/groups?instance_id=***&access_token=***&limit=5")
        let s = Redaction.scrub("GET https://x/y?access_token=abc&z=1 with Authorization: Bearer eyJhbGci.x")
        #expect(!s.contains("abc"))
        #expect(!s.contains("eyJhbGci"))
        #expect(s.contains("z=1"))
    }

    @Test("plain http is refused off loopback")
    func scheme() throws {
        #expect(throws: GatewayError.self) { try HTTPTransport.checkScheme(URL(string: "http://gw.example.com")!, allowInsecure: false) }
        try HTTPTransport.checkScheme(URL(string: "http://127.0.0.1:8080")!, allowInsecure: false)
        try HTTPTransport.checkScheme(URL(string: "http://localhost:8080")!, allowInsecure: false)
        try HTTPTransport.checkScheme(URL(string: "http://[::1]:8080")!, allowInsecure: false)
        try HTTPTransport.checkScheme(URL(string: "http://gw.example.com")!, allowInsecure: true)
        try HTTPTransport.checkScheme(URL(string: "https://gw.example.com")!, allowInsecure: false)
        #expect(throws: GatewayError.self) { try HTTPTransport.checkScheme(URL(string: "ftp://gw.example.com")!, allowInsecure: true) }
    }

    @Test("Retry-After as seconds or a date")
    func retryAfter() {
        #expect(HTTPTransport.parseRetryAfter("3") == 3)
        #expect(HTTPTransport.parseRetryAfter("1.5") == 1.5)
        #expect(HTTPTransport.parseRetryAfter("soon") == nil)
        #expect(HTTPTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
    }
}
