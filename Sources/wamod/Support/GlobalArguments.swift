import ArgumentParser
import GatewayKit

/// Options every command shares, written before the subcommand's name as operators write
/// them with kubectl or aws (`wamod --profile sales sessions`), moved to after it where the
/// argument parser looks for them; and an unknown subcommand named as such, with the nearest
/// command, rather than falling into the console's usage (the console is the default command).
enum GlobalArguments {
    /// Shared options that take a value (`GatewayOptions`).
    static let valued: Set<String> = ["--profile", "--gateway", "--dialect", "--timeout", "--pace"]
    /// Shared flags: `GatewayOptions`' and `--json`, which every reading and acting command takes.
    static let flags: Set<String> = ["--verbose", "--json"]
    /// What the argument parser answers itself wherever it appears.
    static let parserOwn: Set<String> = ["-h", "--help", "--version", "--generate-completion-script", "--experimental-dump-help"]

    /// The names of `wamod`'s commands, and the parser's own `help`.
    static var commandNames: [String] {
        Wamod.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    enum Outcome: Equatable {
        /// The arguments to parse (perhaps reordered).
        case parse([String])
        /// A first word that is no command: the message to print (exit 2).
        case unknownCommand(String)
    }

    /// `arguments` (without the program's name) with the shared options that come before the
    /// subcommand moved to just after it. Left as they are when nothing comes before a
    /// subcommand, when only options come (they go to the console, the default command), and
    /// when an option we do not know comes first (the parser says what is wrong with it).
    static func arrange(_ arguments: [String], commands: [String] = commandNames) -> Outcome {
        var moved: [String] = []
        var i = 0
        var unknownOption = false
        while i < arguments.count {
            let a = arguments[i]
            guard a.hasPrefix("-"), a != "-", a != "--" else { break }
            if parserOwn.contains(a) { return .parse(arguments) }
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if valued.contains(name) {
                moved.append(a)
                if !a.contains("="), i + 1 < arguments.count {
                    moved.append(arguments[i + 1])
                    i += 1
                }
            } else if flags.contains(a) {
                moved.append(a)
            } else {
                // A flag of the console (`--read-only`), or a mistake: its value, if it takes
                // one, cannot be told from a command's name.
                unknownOption = true
                moved.append(a)
            }
            i += 1
        }
        guard i < arguments.count else { return .parse(arguments) }
        let word = arguments[i]
        if word == "--" || word == "-" { return .parse(arguments) }
        if commands.contains(word) {
            guard i > 0 else { return .parse(arguments) }
            return .parse([word] + moved + arguments[(i + 1)...])
        }
        if unknownOption { return .parse(arguments) }
        return .unknownCommand(unknownMessage(word, commands: commands))
    }

    static func unknownMessage(_ word: String, commands: [String]) -> String {
        let shown = TerminalText.clip(word, 40)
        if let near = nearest(word, in: commands) {
            return "unknown command '\(shown)'; did you mean '\(near)'? (`wamod --help` lists the commands)"
        }
        return "unknown command '\(shown)' (the commands: \(commands.filter { $0 != "help" }.joined(separator: ", ")); `wamod --help` says what each does)"
    }

    /// The command nearest to `word` by edit distance, when it is near enough to be what was meant.
    static func nearest(_ word: String, in commands: [String]) -> String? {
        let w = word.lowercased()
        var best: (String, Int)?
        for c in commands {
            let d = editDistance(w, c)
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (c, d) = best else { return nil }
        // A typo or two, or a prefix (`aud` for `audit`).
        let allowed = max(1, min(3, c.count / 3))
        return d <= allowed || (w.count >= 3 && c.hasPrefix(w)) ? c : nil
    }

    /// Levenshtein distance over characters, counting a swap of neighbours as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}
