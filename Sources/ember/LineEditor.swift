import Foundation

/// A small line editor for the interactive SQL shell: left/right, home/end,
/// backspace/delete, up/down history, Ctrl-A/E/U/K/D. Falls back to `readLine()` when
/// stdin is not a terminal.
final class LineEditor {
    var history: [String] = []
    let interactive = isatty(0) != 0

    func read(prompt: String) -> String? {
        guard interactive else {
            print(prompt, terminator: "")
            fflush(stdout)
            return readLine()
        }
        var old = termios()
        tcgetattr(0, &old)
        var raw = old
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON)
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSANOW, &old) }

        var line: [Character] = []
        var cursor = 0
        var historyIndex = history.count
        func redraw() {
            let text = String(line)
            let back = line.count - cursor
            print("\r\u{1B}[2K" + prompt + text + (back > 0 ? "\u{1B}[\(back)D" : ""), terminator: "")
            fflush(stdout)
        }
        redraw()
        while true {
            var byte: UInt8 = 0
            guard Foundation.read(0, &byte, 1) == 1 else { return nil }
            switch byte {
            case 10, 13:
                print("")
                let s = String(line)
                if !s.trimmingCharacters(in: .whitespaces).isEmpty { history.append(s) }
                return s
            case 4:  // Ctrl-D: end of input on an empty line
                if line.isEmpty { print(""); return nil }
                if cursor < line.count { line.remove(at: cursor) }
            case 127, 8:
                if cursor > 0 { line.remove(at: cursor - 1); cursor -= 1 }
            case 1: cursor = 0
            case 5: cursor = line.count
            case 21: line.removeFirst(cursor); cursor = 0
            case 11: line.removeLast(line.count - cursor)
            case 27:
                // ESC [ X, ESC O X, or ESC [ n ~ (terminals differ for Home/End/Delete).
                var b1: UInt8 = 0, b2: UInt8 = 0
                guard Foundation.read(0, &b1, 1) == 1, b1 == 91 || b1 == 79, Foundation.read(0, &b2, 1) == 1 else { break }
                var code = b2
                if b2 >= 48 && b2 <= 57 {
                    var t: UInt8 = 0
                    while Foundation.read(0, &t, 1) == 1 && t != 126 {}
                    switch b2 {
                    case 49, 55: code = 72  // Home
                    case 52, 56: code = 70  // End
                    case 51: code = 0x7F    // Delete
                    default: code = 0
                    }
                }
                switch code {
                case 65:  // up
                    if historyIndex > 0 { historyIndex -= 1; line = Array(history[historyIndex]); cursor = line.count }
                case 66:  // down
                    if historyIndex < history.count - 1 {
                        historyIndex += 1; line = Array(history[historyIndex])
                    } else {
                        historyIndex = history.count; line = []
                    }
                    cursor = line.count
                case 67: if cursor < line.count { cursor += 1 }
                case 68: if cursor > 0 { cursor -= 1 }
                case 72: cursor = 0
                case 70: cursor = line.count
                case 0x7F: if cursor < line.count { line.remove(at: cursor) }
                default: break
                }
            default:
                if byte >= 32 {
                    // Gather a UTF-8 sequence.
                    var bytes = [byte]
                    let extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0
                    for _ in 0..<extra {
                        var b: UInt8 = 0
                        if Foundation.read(0, &b, 1) == 1 { bytes.append(b) }
                    }
                    if let ch = String(bytes: bytes, encoding: .utf8)?.first {
                        line.insert(ch, at: cursor)
                        cursor += 1
                    }
                }
            }
            redraw()
        }
    }
}
