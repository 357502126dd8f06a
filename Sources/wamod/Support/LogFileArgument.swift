import Foundation
import GatewayKit

/// `--log-file PATH` (anywhere before `--`, for every command) or `WAMOD_LOG=PATH`: the
/// client's request log and errors written there through swift-log, at `WAMOD_LOG_LEVEL`
/// (default info). Taken out of the arguments before they are parsed, so every command has it.
enum LogFileArgument {
    static func extract(_ arguments: [String]) -> (arguments: [String], path: String?) {
        var out: [String] = []
        var path: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" {
                out.append(contentsOf: arguments[i...])
                break
            }
            if a == "--log-file", i + 1 < arguments.count {
                path = arguments[i + 1]
                i += 2
                continue
            }
            if a.hasPrefix("--log-file=") {
                path = String(a.dropFirst("--log-file=".count))
                i += 1
                continue
            }
            out.append(a)
            i += 1
        }
        return (out, path)
    }

    /// The first word that is not an option: the command, for the log's lines.
    static var commandName: String {
        CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "console"
    }

    static func start(_ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let path = argument ?? environment["WAMOD_LOG"].flatMap({ $0.isEmpty ? nil : $0 }) else { return }
        let levelText = environment["WAMOD_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "info"
        guard let level = RequestLogging.level(levelText) else {
            throw CommandFailure.usage("WAMOD_LOG_LEVEL is one of trace, debug, info, notice, warning, error, critical (not '\(TerminalText.clip(levelText, 20))')")
        }
        do { try RequestLogging.start(path: path, level: level) } catch {
            throw CommandFailure(message: error.message, code: Exit.storage)
        }
        RequestLogging.note("wamod \(LogFileArgument.commandName) started (pid \(getpid()))", level: .info)
    }
}
