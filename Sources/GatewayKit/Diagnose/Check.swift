import Foundation

/// One finding of `wamod config check` or `wamod doctor`: what was checked, for which
/// profile (or the machine), how it stands, and what to do about it.
public struct Check: Sendable, Hashable, Encodable {
    public enum Status: String, Sendable, Hashable, Encodable, Comparable {
        case ok, warn, fail

        /// As the text output writes it: `ok`, `warn`, `FAIL`.
        public var label: String { self == .fail ? "FAIL" : rawValue }

        public static func < (a: Status, b: Status) -> Bool {
            let order: [Status] = [.ok, .warn, .fail]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public var status: Status
    /// What was checked: `config`, `token`, `gateway`, `dialect`, `session`, `state`,
    /// `audit`, `journal`, `terminal`, `term`, `colours`, `locale`, `size`.
    public var name: String
    /// The profile it is about; nil for the machine (the config file, the state directory,
    /// the terminal).
    public var profile: String?
    /// One line: what was found. Text from a gateway in it has been through the sanitiser.
    public var detail: String
    /// One line: what to do (set for every warning and failure).
    public var hint: String?

    public init(_ status: Status, _ name: String, profile: String? = nil, _ detail: String, hint: String? = nil) {
        self.status = status; self.name = name; self.profile = profile
        self.detail = Check.line(detail); self.hint = hint.map(Check.line)
    }

    /// Text made one safe line: secrets masked, controls replaced, newlines joined.
    static func line(_ s: String) -> String {
        TerminalText.clean(s.split(whereSeparator: \.isNewline).joined(separator: " "))
    }

    public static func ok(_ name: String, profile: String? = nil, _ detail: String) -> Check { Check(.ok, name, profile: profile, detail) }
    public static func warn(_ name: String, profile: String? = nil, _ detail: String, hint: String) -> Check {
        Check(.warn, name, profile: profile, detail, hint: hint)
    }
    public static func fail(_ name: String, profile: String? = nil, _ detail: String, hint: String) -> Check {
        Check(.fail, name, profile: profile, detail, hint: hint)
    }
}

extension Array where Element == Check {
    /// The worst status among the checks (ok for none).
    public var worst: Check.Status { map(\.status).max() ?? .ok }

    public func count(_ s: Check.Status) -> Int { filter { $0.status == s }.count }
}
