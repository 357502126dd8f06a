import Foundation
import GatewayKit
#if canImport(Glibc)
import Glibc
#endif

/// Terminal output for the command line. Everything written here goes through the one
/// sanitiser (`TerminalText`): whatever a gateway put in a name, a label or an error message,
/// no escape sequence, control or bidirectional character, and no secret, reaches the
/// terminal (or the file or pipe standard output is).
enum Stdio {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data((TerminalText.clean(s, keepingNewlines: true) + "\n").utf8))
    }

    static func err(_ s: String) {
        FileHandle.standardError.write(Data((TerminalText.clean(s, keepingNewlines: true) + "\n").utf8))
    }

    /// A progress line redrawn in place on standard error (a terminal): the text is cleaned;
    /// only the carriage return and the erase-line sequence around it are the program's own.
    static func progress(_ s: String?) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + (s.map { TerminalText.clean($0) } ?? "")).utf8))
    }

    /// JSON text, with the characters JSON encoders leave raw (C1, DEL, bidirectional and
    /// invisible controls) escaped as `\uXXXX`, and secrets masked.
    static func json(_ s: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escapeJSON(s) + "\n").utf8))
    }

    /// The width tables fit: `COLUMNS` when set, else the terminal's (standard output's),
    /// else 80 (a pipe, a file).
    static func width(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let c = environment["COLUMNS"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), c > 0 { return max(20, c) }
        var ws = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return max(20, Int(ws.ws_col)) }
        return 80
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Asks a question on the terminal; nil when there is no answer (end of input).
    static func ask(_ prompt: String) -> String? {
        FileHandle.standardError.write(Data(TerminalText.clean(prompt).utf8))
        return readLine(strippingNewline: true)
    }
}
