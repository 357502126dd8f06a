import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal as the console will find it: is there one, does curses know its type, how
/// many colours it has (and whether NO_COLOR turns them off), whether the locale is UTF-8,
/// and whether it is large enough. A terminal problem is a warning: the command line works
/// without one.
public enum TerminalChecks {
    public static func run(environment: [String: String] = ProcessInfo.processInfo.environment,
                           ttyPath: String = "/dev/tty", minWidth: Int, minHeight: Int) -> [Check] {
        var checks: [Check] = []
        let tty = open(ttyPath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        defer { if tty >= 0 { close(tty) } }
        if tty < 0 {
            checks.append(.warn("terminal", "no terminal (\(String(cString: strerror(errno)))): the console cannot open",
                                hint: "run it in a terminal (over ssh, ssh -t); the command line works without one"))
        }
        let term = environment["TERM"] ?? ""
        var colours: Int?
        if term.isEmpty {
            checks.append(.warn("term", "TERM is not set: curses cannot draw the console", hint: "export TERM=xterm-256color (or what your terminal emulates)"))
        } else if term == "dumb" {
            checks.append(.warn("term", "TERM=dumb cannot move the cursor: the console refuses it", hint: "run wamod in a full terminal (TERM=xterm-256color)"))
        } else if let entry = terminfo(term, environment: environment) {
            colours = Terminfo.colours(entry)
            checks.append(.ok("term", "TERM=\(term) (\(entry))"))
        } else {
            checks.append(.warn("term", "curses has no entry for TERM=\(term): the console cannot start",
                                hint: "set TERM=xterm-256color, or install the entry (Debian's ncurses-term)"))
        }
        if let v = environment["NO_COLOR"], !v.isEmpty {
            checks.append(.ok("colours", "NO_COLOR is set: the console draws without colours" + (colours.map { " (the terminal has \($0))" } ?? "")))
        } else if let colours {
            checks.append(colours >= 8 ? .ok("colours", "\(colours) colours")
                                      : .warn("colours", "TERM=\(term) has no colours: the console draws in one colour",
                                              hint: "a TERM with colours (xterm-256color), if the terminal has them"))
        }
        checks.append(locale(environment))
        if tty >= 0 {
            var ws = winsize()
            if ioctl(tty, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 {
                let (w, h) = (Int(ws.ws_col), Int(ws.ws_row))
                checks.append(w >= minWidth && h >= minHeight ? .ok("size", "\(w)x\(h)")
                              : .warn("size", "\(w)x\(h): the console needs at least \(minWidth)x\(minHeight)", hint: "make the window larger"))
            } else {
                checks.append(.warn("size", "the terminal does not tell its size", hint: "set COLUMNS and LINES, or use another terminal"))
            }
        }
        return checks
    }

    /// Whether the locale the environment names exists and is UTF-8 (the console draws
    /// ASCII borders otherwise). The process's own locale is put back afterwards.
    static func locale(_ environment: [String: String]) -> Check {
        let named = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { k in environment[k].flatMap { $0.isEmpty ? nil : "\(k)=\($0)" } }.first
        let before = setlocale(LC_CTYPE, nil).map { String(cString: $0) } ?? "C"
        defer { setlocale(LC_CTYPE, before) }
        // setlocale reads the process's environment: give it the one being checked.
        let value = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0].flatMap { $0.isEmpty ? nil : $0 } }.first ?? ""
        guard setlocale(LC_CTYPE, value) != nil else {
            return .warn("locale", "the locale \(named ?? "C") is not installed: the console draws ASCII borders",
                         hint: "export LANG=C.UTF-8, or install it (locale-gen)")
        }
        let codeset = nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? "?"
        if codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8" {
            return .ok("locale", "UTF-8 (\(named ?? "C"))")
        }
        return .warn("locale", "\(named ?? "no LANG, LC_ALL or LC_CTYPE"): codeset \(codeset), not UTF-8: the console draws ASCII borders and names may show as ?",
                     hint: "export LANG=C.UTF-8")
    }

    /// The compiled terminfo entry for `term`, where curses looks for it.
    static func terminfo(_ term: String, environment: [String: String]) -> String? {
        guard let first = term.first, !term.contains("/") else { return nil }
        var dirs: [String] = []
        if let d = environment["TERMINFO"], !d.isEmpty { dirs.append(d) }
        if let home = environment["HOME"] { dirs.append(home + "/.terminfo") }
        if let list = environment["TERMINFO_DIRS"] { dirs += list.split(separator: ":").map(String.init) }
        dirs += ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        for d in dirs {
            for sub in [String(first), hex] {
                let p = "\(d)/\(sub)/\(term)"
                if FileManager.default.isReadableFile(atPath: p) { return p }
            }
        }
        return nil
    }
}

/// Reads a compiled terminfo entry's `colors` number: the header (six little-endian 16-bit
/// counts), the names, the booleans (padded to an even offset), then the numbers, 16-bit in
/// the legacy format (magic 0432) and 32-bit in the extended one (01036); `colors` is the
/// 14th number.
enum Terminfo {
    static func colours(_ path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return colours(Array(data))
    }

    static func colours(_ b: [UInt8]) -> Int? {
        func short(_ i: Int) -> Int? { i + 1 < b.count ? Int(b[i]) | Int(b[i + 1]) << 8 : nil }
        guard let magic = short(0), let names = short(2), let bools = short(4), let numbers = short(6) else { return nil }
        let width: Int
        switch magic {
        case 0o432: width = 2
        case 0o1036: width = 4
        default: return nil
        }
        let index = 13
        guard numbers > index else { return nil }
        var at = 12 + names + bools
        if at % 2 == 1 { at += 1 }
        at += index * width
        guard at + width <= b.count else { return nil }
        var v = 0
        for k in 0..<width { v |= Int(b[at + k]) << (8 * k) }
        // Negative (absent, cancelled) in the entry's width.
        if width == 2, v >= 0x8000 { return nil }
        if width == 4, v >= 0x8000_0000 { return nil }
        return v
    }
}
