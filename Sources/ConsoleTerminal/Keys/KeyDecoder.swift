import CNCursesW
import Console

/// What `wget_wch` returned: a character (`OK`) or a key code (`KEY_CODE_YES`).
public enum RawInput: Sendable, Hashable {
    case character(UInt32)
    case keyCode(Int32)
}

/// A decoded input event.
public enum InputEvent: Sendable, Hashable {
    case key(Key)
    /// The terminal changed size (`KEY_RESIZE`); read the new size from curses.
    case resize
}

/// Turns raw curses input into `Key`s. Pure: the table is testable without a terminal.
/// The terminal runs in raw mode, so Ctrl-C, Ctrl-Z and Ctrl-\ arrive here as keys.
public enum KeyDecoder {
    public static func decode(_ raw: RawInput) -> InputEvent? {
        switch raw {
        case .character(let c): return decodeCharacter(c).map(InputEvent.key)
        case .keyCode(let code): return decodeKeyCode(code)
        }
    }

    static func decodeCharacter(_ c: UInt32) -> Key? {
        switch c {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        case 0: return .ctrl("@")
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(c) + 0x60)))
        case 28: return .ctrl("\\")
        case 29: return .ctrl("]")
        case 30: return .ctrl("^")
        case 31: return .ctrl("_")
        case 0x80..<0xA0: return nil // C1 controls: never printable
        default:
            guard let scalar = Unicode.Scalar(c) else { return nil }
            return .char(Character(scalar))
        }
    }

    static func decodeKeyCode(_ code: Int32) -> InputEvent? {
        let f0 = wamod_key_f(0)
        if code > f0 && code <= f0 + 12 { return .key(.function(Int(code - f0))) }
        switch code {
        case wamod_key_resize(): return .resize
        case wamod_key_up(): return .key(.up)
        case wamod_key_down(): return .key(.down)
        case wamod_key_left(): return .key(.left)
        case wamod_key_right(): return .key(.right)
        case wamod_key_ppage(): return .key(.pageUp)
        case wamod_key_npage(): return .key(.pageDown)
        case wamod_key_home(), wamod_key_find(): return .key(.home)
        case wamod_key_end(), wamod_key_select(): return .key(.end)
        case wamod_key_backspace(): return .key(.backspace)
        case wamod_key_dc(): return .key(.delete)
        case wamod_key_btab(): return .key(.backTab)
        case wamod_key_enter(): return .key(.enter)
        default: return nil // mouse (off anyway), shifted function keys, unknown sequences
        }
    }
}
