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

    /// `wamod demo`'s own state for one demo world: `demo/<world>/` in the state directory
    /// (beside `$WAMOD_AUDIT` when that names the audit log), holding the rehearsals'
    /// `audit.jsonl` and `journal/`. Rehearsals never reach the real audit log or journal, and
    /// each world has its own, so what the demo offers to resume is of the world it runs.
    public func demoDirectory(world: String) -> String {
        let audit = environment["WAMOD_AUDIT"].flatMap { $0.isEmpty ? nil : $0 }
        let dir = audit.map { ($0 as NSString).deletingLastPathComponent } ?? stateDirectory
        return (dir.isEmpty ? "." : dir) + "/demo/" + world
    }

    /// A demo world's name: what makes it the same world on every run (the port does not).
    public static func demoWorld(dialect: String, fixture: String, seed: UInt64) -> String {
        "\(dialect)-\(fixture)-seed\(seed)"
    }

    /// The gateway a demo world's operations name in its journal and audit log: the world,
    /// not the loopback port it was served on this time.
    public static func demoGateway(world: String) -> String { "wamod-demo:" + world }
}
