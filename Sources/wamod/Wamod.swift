import ArgumentParser
import Foundation
import GatewayKit
import Console
import BuildInfo

/// The command line's exit codes (documented in the README).
enum Exit {
    static let allDone: Int32 = 0
    static let someFailed: Int32 = 1
    static let usage: Int32 = 2
    static let unreachable: Int32 = 3
    /// The gateway answered, but not usably (cut short, not its dialect's shape, too late, a
    /// 5xx that stayed after reading again): reading again later may work.
    static let badAnswer: Int32 = 4
    /// The audit log or the journal could not be kept (a full disk, permissions): nothing
    /// was sent without its record.
    static let storage: Int32 = 5
}

struct Wamod: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wamod",
        abstract: "Moderate WhatsApp groups through the HTTP gateway you already run.",
        discussion: """
        Exit codes: 0 all done, 1 some targets failed (or the gateway refused), 2 usage or \
        configuration error, 3 gateway unreachable or unauthorized, 4 the gateway's answer was \
        broken or late (cut short, not its dialect's shape, timed out, a 5xx that stayed), 5 the \
        audit log or the journal could not be written (nothing was sent without its record).
        The token is never a command-line value: it comes from the profile's token source, or \
        from the environment variable WAMOD_TOKEN with --gateway.

        Examples:
          wamod
          wamod --profile sales sessions
          wamod remove Support "Buyers Club" +5511999990000 --reason "spam wave"
          wamod doctor
        """,
        version: BuildInfo.versionLine(program: "wamod", version: GatewayKitVersion.string),
        subcommands: [
            SessionsCommand.self, GroupsCommand.self, MembersCommand.self,
            RemoveCommand.self, DemoteCommand.self, PromoteCommand.self, AddCommand.self, LeaveCommand.self,
            InviteCommand.self, LockCommand.self, UnlockCommand.self, SettingsCommand.self, RequestsCommand.self,
            FindCommand.self, SyncCommand.self, WatchCommand.self, GuardCommand.self, ListenCommand.self, ResumeCommand.self, UndoCommand.self, AuditCommand.self, ProbeCommand.self, ConfigCommand.self, DoctorCommand.self, SimCommand.self, DemoCommand.self, ConsoleCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self
    )

}

@main
enum Main {
    static func main() async {
        do {
            let arguments: [String]
            let (given, logFile) = LogFileArgument.extract(Array(CommandLine.arguments.dropFirst()))
            try LogFileArgument.start(logFile)
            switch GlobalArguments.arrange(given) {
            case .parse(let a): arguments = a
            case .unknownCommand(let message):
                Stdio.err("wamod: \(message)")
                exit(Exit.usage)
            }
            var command = try Wamod.parseAsRoot(LongTargetList.extract(arguments))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            RequestLogging.failure(failure.message, command: LogFileArgument.commandName)
            Stdio.err("wamod: \(failure.message)")
            exit(failure.code)
        } catch let error as GatewayError {
            RequestLogging.failure(error.message, command: LogFileArgument.commandName)
            Stdio.err("wamod: \(error.message)")
            exit(error.exitCode)
        } catch {
            let code = Wamod.exitCode(for: error)
            if code == .success {
                Wamod.exit(withError: error)
            }
            Stdio.err(Wamod.fullMessage(for: error))
            // ArgumentParser reports usage errors as 64; wamod documents 2.
            exit(code.rawValue == ExitCode.validationFailure.rawValue ? Exit.usage : code.rawValue)
        }
    }
}

/// An error with the exit code it stands for.
struct CommandFailure: Error {
    var message: String
    var code: Int32

    static func usage(_ m: String) -> CommandFailure { CommandFailure(message: m, code: Exit.usage) }
}

extension GatewayError {
    var exitCode: Int32 {
        if isUnreachableOrUnauthorized { return Exit.unreachable }
        if isBrokenAnswer { return Exit.badAnswer }
        switch self {
        case .configuration, .notPossible: return Exit.usage
        case .storage: return Exit.storage
        default: break
        }
        return Exit.someFailed
    }
}

extension JIDError {
    var failure: CommandFailure { .usage(description) }
}
