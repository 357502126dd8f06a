/// The commit this binary was built from, as the BuildInfo plugin found it at build time.
public enum BuildInfo {
    /// The abbreviated commit id, or nil when it was not built from a git checkout of wamod.
    public static let commit: String? = Generated.commit
    /// The commit's date (`2026-12-02`, the committer's), not the build's: the same commit
    /// always says the same thing.
    public static let commitDate: String? = Generated.commitDate
    /// Tracked files differed from the commit when it was built.
    public static let modified: Bool = Generated.modified

    /// `wamod 0.1.0 (commit abc1234, 2026-12-02)`; `(commit abc1234 with local changes, …)`
    /// when the tree differed from it; `(commit unknown: not built from a git checkout)`.
    public static func versionLine(program: String, version: String) -> String {
        guard let commit else { return "\(program) \(version) (commit unknown: not built from a git checkout)" }
        var said = "commit \(commit)"
        if modified { said += " with local changes" }
        if let commitDate { said += ", \(commitDate)" }
        return "\(program) \(version) (\(said))"
    }
}
