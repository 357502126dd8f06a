import Foundation
@testable import GatewayKit
import Testing

/// Hostile answers against every dialect's decoders and against the one sanitiser: text a
/// stranger typed (escape sequences, bidirectional and invisible controls, the token echoed
/// back, gigabytes, broken Unicode, wrong types) never reaches a terminal as it is, never
/// takes unbounded memory, and never makes a whole answer unreadable for one bad string.
@Suite("hostile gateway: decoders and the sanitiser", .serialized)
struct HostileGatewayTests {
    /// A groups answer of each dialect whose one group has the subject given as raw JSON text
    /// (already escaped), and the decoder that reads it.
    static let dialects: [(String, @Sendable (String) -> String, @Sendable (HTTPResponseData) throws(GatewayError) -> [Group])] = [
        ("v1", { #"{"data":[{"groupJid":"120363000000000001@g.us","subject":\#($0),"participantCount":3},{"groupJid":"120363000000000002@g.us","subject":"Plain","participantCount":2}],"nextCursor":null}"# },
         { r throws(GatewayError) in try V1Decode.groups(r).items }),
        ("waha", { #"[{"id":"120363000000000001@g.us","subject":\#($0)},{"id":"120363000000000002@g.us","subject":"Plain"}]"# },
         { r throws(GatewayError) in try WAHADecode.groups(r, me: nil).items }),
        ("wasend", { #"[{"id":"120363000000000001@g.us","subject":\#($0)},{"id":"120363000000000002@g.us","subject":"Plain"}]"# },
         { r throws(GatewayError) in try WasendDecode.groups(r, me: nil).items }),
        ("wuts", { #"{"success":true,"groups":[{"jid":"120363000000000001@g.us","name":\#($0),"members_count":3},{"jid":"120363000000000002@g.us","name":"Plain","members_count":2}]}"# },
         { r throws(GatewayError) in try WUTSDecode.groups(r, me: nil) }),
        ("evolution", { #"[{"id":"120363000000000001@g.us","subject":\#($0),"size":3},{"id":"120363000000000002@g.us","subject":"Plain","size":2}]"# },
         { r throws(GatewayError) in try EvolutionDecode.groups(r, me: nil) }),
    ]

    static func json(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed]), as: UTF8.self).dropFirst().dropLast().description
    }

    static func answer(_ body: String) -> HTTPResponseData {
        HTTPResponseData(status: 200, body: Data(body.utf8), retryAfter: nil, contentType: "application/json", latencyMs: 1)
    }

    /// What a hostile subject holds: OSC title and clipboard writes, a screen clear, a cursor
    /// report request, C1 CSI, DEL, and the bidi and invisible controls that spoof a number.
    static let hostile = "L1\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}]52;c;ZWNobyBoaQ==\u{07}\u{1B}[6n\u{9B}31m\u{7F}+55 11 \u{202E}4321\u{202C} \u{200E}\u{200F}\u{061C}\u{2066}x\u{2069}\u{2028}\u{FEFF}9\u{200B}9\u{200D}9"

    static func assertClean(_ s: String, _ context: String) {
        for u in s.unicodeScalars {
            #expect(!(u.value < 0x20 || (0x7F...0x9F).contains(u.value)), "\(context): control U+\(String(u.value, radix: 16)) reached the terminal")
            #expect(![0x200B, 0x200D, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029, 0xFEFF].contains(u.value), "\(context): U+\(String(u.value, radix: 16))")
            #expect(!(0x202A...0x202E).contains(u.value) && !(0x2066...0x2069).contains(u.value), "\(context): bidi U+\(String(u.value, radix: 16))")
        }
    }

    @Test("escape sequences, bidi and invisible controls in a subject: decoded as data, never through the sanitiser", arguments: 0..<5)
    func controls(_ i: Int) throws {
        let (name, body, decode) = Self.dialects[i]
        let groups = try decode(Self.answer(body(Self.json(Self.hostile))))
        #expect(groups.count == 2, "\(name)")
        let subject = try #require(groups.first { $0.jid.user == "120363000000000001" }).subject
        Self.assertClean(TerminalText.clean(subject), name)
        Self.assertClean(TerminalText.clean(subject, keepingNewlines: true).replacingOccurrences(of: "\n", with: ""), name)
        // The readable part stays readable.
        #expect(TerminalText.clean(subject).contains("L1") && TerminalText.clean(subject).contains("4321"), "\(name)")
        // JSON output escapes what encoders leave raw.
        let encoded = String(decoding: try JSONEncoder().encode(["s": subject]), as: UTF8.self)
        let escaped = TerminalText.escapeJSON(encoded)
        Self.assertClean(escaped, "\(name) json")
        let back = try JSONSerialization.jsonObject(with: Data(escaped.utf8)) as? [String: String]
        #expect(back?["s"] == subject, "\(name): escaping keeps the JSON's meaning")
    }

    @Test("a 1 MB subject is cut to a sane length when decoded, in every dialect", arguments: 0..<5)
    func oversize(_ i: Int) throws {
        let (name, body, decode) = Self.dialects[i]
        let huge = String(repeating: "Ж", count: 1 << 20)
        let groups = try decode(Self.answer(body(Self.json(huge))))
        let subject = try #require(groups.first { $0.jid.user == "120363000000000001" }).subject
        #expect(subject.count <= Limits.subject, "\(name): \(subject.count) characters kept")
        #expect(subject.hasSuffix("…"))
    }

    @Test("a lone surrogate or invalid UTF-8 spoils one string, not the list", arguments: 0..<5)
    func brokenUnicode(_ i: Int) throws {
        let (name, body, decode) = Self.dialects[i]
        let lone = try decode(Self.answer(body(#""Bad \ud800 name""#)))
        #expect(lone.count == 2, "\(name)")
        #expect(lone.first { $0.jid.user == "120363000000000001" }?.subject == "Bad \u{FFFD} name", "\(name)")
        #expect(lone.first { $0.jid.user == "120363000000000002" }?.subject == "Plain")
        var bytes = Array(body(#""Bad XX name""#).utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "X"))!
        bytes[at] = 0xFF; bytes[at + 1] = 0xC3
        let invalid = try decode(HTTPResponseData(status: 200, body: Data(bytes), retryAfter: nil, contentType: "application/json", latencyMs: 1))
        #expect(invalid.count == 2, "\(name)")
        #expect(invalid.first { $0.jid.user == "120363000000000001" }?.subject.contains("\u{FFFD}") == true, "\(name)")
    }

    @Test("rows of the wrong type are a broken answer, not an empty list")
    func wrongTypes() {
        #expect(throws: GatewayError.self) { try V1Decode.groups(Self.answer(#"{"data":[1,2,"x"],"nextCursor":null}"#)) }
        #expect(throws: GatewayError.self) { try V1Decode.sessions(Self.answer(#"{"data":[true],"nextCursor":null}"#)) }
        #expect(throws: GatewayError.self) { try WAHADecode.sessions(Self.answer(#"[{"nope":1}]"#)) }
        #expect(throws: GatewayError.self) { try WAHADecode.participants(Self.answer(#"[{"id":5}]"#)) }
        #expect(throws: GatewayError.self) { try V1Decode.groups(Self.answer(#"{"data":"everything","nextCursor":null}"#)) }
        // An empty list is still an empty list.
        #expect((try? V1Decode.groups(Self.answer(#"{"data":[],"nextCursor":null}"#)).items.count) == 0)
    }

    @Test("nesting ten thousand deep is refused, not recursed into")
    func deepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(JSONValue.parse(Data(deep.utf8)) == nil)
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONValue.parse(Data(ok.utf8)) != nil)
    }

    @Test("the parser reads what JSON is, and refuses what it is not")
    func parser() {
        #expect(JSONValue.parse(Data(#"{"a":[1,2.5,-3e2,true,false,null,"\u00e9\n\"x\""]}"#.utf8))
                == .object(["a": .array([.number(1), .number(2.5), .number(-300), .bool(true), .bool(false), .null, .string("é\n\"x\"")])]))
        #expect(JSONValue.parse(Data(#""\ud83d\ude00""#.utf8)) == .string("😀"))
        for bad in [#"{"a":1,}"#, #"[1 2]"#, #"{"a"}"#, "tru", "01x", #""open"#, "[] []", "-", "1.", "1e"] {
            #expect(JSONValue.parse(Data(bad.utf8)) == nil, "\(bad)")
        }
        // Whole numbers are read from their digits; longer ones and fractions through Double.
        for (text, value) in [("0", 0.0), ("-7", -7), ("999999999999999", 999_999_999_999_999), ("-999999999999999", -999_999_999_999_999),
                              ("1234567890123456", 1_234_567_890_123_456), ("1E3", 1000), ("2.50", 2.5)] {
            #expect(JSONValue.parse(Data(text.utf8)) == .number(value), "\(text)")
        }
        // A string without escapes is its bytes; invalid UTF-8 in it is U+FFFD, the rest kept.
        #expect(JSONValue.parse(Data([0x22, 0x61, 0xFF, 0x62, 0x22])) == .string("a\u{FFFD}b"))
        #expect(JSONValue.parse(Data(#"["", "x"]"#.utf8)) == .array([.string(""), .string("x")]))
    }

    @Test("a token echoed back is masked as it is, percent-encoded and base64-encoded, wherever text is shown")
    func echoedToken() throws {
        let token = "tok_9f8e7d6c5b4a/+=Z"
        _ = Credential.bearer(token)
        let pct = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let b64 = Data(token.utf8).base64EncodedString()
        for text in ["invalid token \(token)", "bad key: \(pct)", "auth \(b64) refused", "{\"echo\":\"\(token)\"}"] {
            #expect(!TerminalText.clean(text).contains(token) && !TerminalText.clean(text).contains(pct) && !TerminalText.clean(text).contains(b64), "\(text)")
            #expect(TerminalText.clean(text).contains(Redaction.mask))
            #expect(!TerminalText.escapeJSON(text).contains(token))
        }
        // The error a 401 makes of an echoing body, as every dialect words it, is masked once it is shown.
        let echo = HTTPResponseData(status: 401, body: Data(#"{"error":{"code":"unauthorized","message":"token \#(token) is not valid"},"message":"token \#(token)"}"#.utf8),
                                    retryAfter: nil, contentType: "application/json", latencyMs: 1)
        for e in [V1Decode.error(echo), WasendDecode.error(echo), WAHADecode.error(echo), WUTSDecode.error(echo), WawpDecode.error(echo), EvolutionDecode.error(echo)] {
            #expect(!TerminalText.clean(e.message).contains(token), "\(e)")
        }
        // Short secrets are not masked in free text (every "1234" would go).
        Secrets.register("1234")
        #expect(TerminalText.clean("room 1234") == "room 1234")
    }

    @Test("an emoji joined by ZWJ stays one picture; a ZWJ between digits does not")
    func joiners() {
        #expect(TerminalText.clean("Dev 👩‍💻") == "Dev 👩‍💻")
        #expect(TerminalText.clean("9\u{200D}9") == "9\u{FFFD}9")
        #expect(TerminalText.clean("Família ❤️") == "Família ❤️")
        #expect(TerminalText.clip(String(repeating: "x", count: 10_000), 40).count == 40)
    }
}
