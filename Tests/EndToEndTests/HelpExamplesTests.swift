import ArgumentParser
import Foundation
import TestSupport
import Testing
@testable import wamod

/// Every command's help ends with examples, as kubectl's and gh's do: the command tree is
/// walked from the binary's own description of itself (not a list kept here), each command's
/// `--help` is read from the binary, and each example is parsed by wamod's own parser, so an
/// example with a misspelt option or a missing argument fails here.
@Suite("help: examples for every command", .serialized, .spawnsProcesses)
struct HelpExamplesTests {
    /// Every command's path under `wamod` (the root's is empty), from `--experimental-dump-help`.
    static func commandPaths() async throws -> [[String]] {
        let r = try await runWamod(["--experimental-dump-help"])
        #expect(r.status == 0, "\(r.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            paths.append(path)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path + [name])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return paths
    }

    /// The lines of the help's `Examples:` block.
    static func examples(_ help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "Examples:" }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// An example as the shell would hand it over: words split, quotes removed, leading
    /// `NAME=value` assignments dropped.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        while let first = words.first, first.contains("="), !first.hasPrefix("-") { words.removeFirst() }
        return words
    }

    @Test("each command's help has 2 to 4 examples, each of that command, each parsed by wamod's parser")
    func everyCommandHasExamples() async throws {
        let paths = try await Self.commandPaths()
        // The tree itself: the commands this test must at least see (new ones join by themselves).
        #expect(paths.count > 30, "\(paths)")
        for needed in [["doctor"], ["config", "check"], ["requests", "approve"], ["watch", "add"], ["invite", "reset"]] {
            #expect(paths.contains(needed), "\(needed) is not in the tree")
        }
        for path in paths {
            let r = try await runWamod(path + ["--help"])
            let name = (["wamod"] + path).joined(separator: " ")
            #expect(r.status == 0, "\(name) --help: \(r.stderr)")
            #expect(r.stdout.contains("Examples:"), "\(name) --help has no Examples:")
            let examples = Self.examples(r.stdout)
            #expect((2...4).contains(examples.count), "\(name): \(examples.count) examples")
            for example in examples {
                let w = Self.words(example)
                #expect(w.first == "wamod", "\(name): \(example)")
                let args = Array(w.dropFirst())
                guard case .parse(let arranged) = GlobalArguments.arrange(args) else {
                    Issue.record("\(name): \(example): not a command")
                    continue
                }
                // Each is an example of this command, or of one of its subcommands (shared
                // options may come before the command's name: arranged, they come after).
                #expect(arranged.starts(with: path), "\(name): \(example) is not an example of it")
                do {
                    let parsed = try Wamod.parseAsRoot(arranged)
                    if let want = path.last {
                        let got = type(of: parsed).configuration.commandName
                        #expect(got == want || arranged.dropFirst(path.count).first == got, "\(example) parses as \(type(of: parsed))")
                    }
                } catch {
                    Issue.record("\(name): \(example) does not parse: \(Wamod.message(for: error))")
                }
            }
        }
    }

    @Test("the parser's own `help` and a command without examples would be caught: the block is read from the help text")
    func examplesAreReadFromTheHelp() {
        #expect(Self.examples("USAGE: x\n\nOVERVIEW: y\n") == [])
        #expect(Self.examples("  Examples:\n    wamod a\n    wamod b 'c d'\n\nOPTIONS:") == ["wamod a", "wamod b 'c d'"])
        #expect(Self.words(#"WAMOD_TOKEN=… wamod remove Support "Buyers Club" +55 --reason 'spam wave'"#)
                == ["wamod", "remove", "Support", "Buyers Club", "+55", "--reason", "spam wave"])
    }
}
