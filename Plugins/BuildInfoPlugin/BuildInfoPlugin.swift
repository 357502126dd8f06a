import Foundation
import PackagePlugin

/// Tells the `BuildInfo` target which commit it is built from, so that `wamod --version`
/// names it whatever builds the binary: `swift build`, `swift run`, `swift test`, `make
/// install` or the Debian package.
///
/// A build command (not a prebuild one: SwiftPM runs those only when it plans the build
/// again, so a new commit would go unseen). Its inputs are HEAD's reflog, which moves with
/// every commit, checkout and reset, and the sources that go into the binary, so that an edit
/// is seen as one; when none changed, it does not run. It runs one `git log` and one `git
/// status` (milliseconds), and replaces its file only when the text changes, so what depends
/// on it is compiled again only then. Without git, outside a checkout, or in a checkout of
/// something else that holds this package in a subfolder, it says so rather than naming
/// another repository's commit.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated.swift")
        let compiled = context.package.sourceModules
            .filter { $0.kind != .test }
            .flatMap { $0.sourceFiles.map(\.url) }
        return [
            .buildCommand(
                displayName: "Naming the commit wamod is built from",
                executable: URL(filePath: "/bin/sh"),
                arguments: [
                    "-c", Self.script, "build-info",
                    package.path(percentEncoded: false),
                    output.path(percentEncoded: false),
                ],
                inputFiles: Self.gitFiles(package) + compiled + [package.appending(path: "Package.swift")],
                outputFiles: [output]
            )
        ]
    }

    /// HEAD and its reflog in the package's git folder (`.git`, or the folder a worktree's
    /// `.git` file names), where they exist.
    static func gitFiles(_ package: URL) -> [URL] {
        let dotGit = package.appending(path: ".git")
        var gitDir = dotGit
        if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") {
            let named = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDir = named.hasPrefix("/") ? URL(filePath: named) : package.appending(path: named)
        }
        return ["HEAD", "logs/HEAD"]
            .map { gitDir.appending(path: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.path(percentEncoded: false)) }
    }

    /// `$1` the package's folder, `$2` the Swift file to write. Each value is checked against
    /// what it may look like before it goes into a Swift string literal. "Local changes" are
    /// those to what is compiled into the binary (Sources, Plugins, Package.swift).
    static let script = #"""
    set -u
    dir=$1 out=$2
    commit= date= modified=false
    if command -v git >/dev/null 2>&1 \
       && top=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null) \
       && [ "$(cd "$top" && pwd -P)" = "$(cd "$dir" && pwd -P)" ]; then
      line=$(git -C "$dir" log -1 --format='%h %cs' 2>/dev/null) || line=
      commit=${line%% *} date=${line#* }
      case $commit in *[!0-9a-f]*|'') commit= date= ;; esac
      case $date in [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;; *) date= ;; esac
      if [ -n "$commit" ] && [ -n "$(git -C "$dir" status --porcelain --untracked-files=no -- Sources Plugins Package.swift 2>/dev/null)" ]; then
        modified=true
      fi
    fi
    lit() { if [ -n "$1" ]; then printf '"%s"' "$1"; else printf nil; fi; }
    mkdir -p "$(dirname "$out")"
    tmp="$out.tmp.$$"
    {
      echo '// Written at build time by the BuildInfo plugin (Plugins/BuildInfoPlugin); not in the repository.'
      echo 'enum Generated {'
      echo "    static let commit: String? = $(lit "$commit")"
      echo "    static let commitDate: String? = $(lit "$date")"
      echo "    static let modified = $modified"
      echo '}'
    } > "$tmp"
    if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv -f "$tmp" "$out"; fi
    """#
}
