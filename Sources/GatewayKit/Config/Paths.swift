import Foundation

/// Where wamod keeps its files, after the XDG base directory rules.
public struct Paths: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    var home: String { environment["HOME"] ?? NSHomeDirectory() }

    func base(_ variable: String, _ fallback: String) -> String {
        if let v = environment[variable], v.hasPrefix("/") { return v }
        return home + "/" + fallback
    }

    /// `$XDG_CONFIG_HOME/wamod`, by default `~/.config/wamod`.
    public var configDirectory: String { base("XDG_CONFIG_HOME", ".config") + "/wamod" }
    /// The profiles file: `$WAMOD_CONFIG`, else `$XDG_CONFIG_HOME/wamod/config`.
    public var configFile: String { environment["WAMOD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? configDirectory + "/config" }
    /// `$XDG_STATE_HOME/wamod`, by default `~/.local/state/wamod` (audit log, journal).
    public var stateDirectory: String { base("XDG_STATE_HOME", ".local/state") + "/wamod" }
}
