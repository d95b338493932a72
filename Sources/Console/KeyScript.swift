import Display

/// Keys written as text, for `sluice replay --export --keys "3 / pay ⏎ j ⏎"`: words separated by
/// spaces; a named key (`enter` or `⏎`, `esc`, `tab`, `space`, `up`/`↑`, `down`/`↓`, `left`/`←`,
/// `right`/`→`, `pgup`, `pgdn`, `home`, `end`, `bs`, `ctrl-x` or `^x`) is that key, any other
/// word is typed one character at a time.
public enum KeyScript {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    static let named: [String: Key] = [
        "enter": .enter, "return": .enter, "⏎": .enter, "↵": .enter,
        "esc": .escape, "escape": .escape, "tab": .tab, "space": .character(" "),
        "up": .up, "↑": .up, "down": .down, "↓": .down, "left": .left, "←": .left, "right": .right, "→": .right,
        "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown, "home": .home, "end": .end,
        "bs": .backspace, "backspace": .backspace, "del": .delete, "delete": .delete,
    ]

    public static func parse(_ text: String) throws(ParseError) -> [Key] {
        var keys: [Key] = []
        for (i, word) in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).enumerated() {
            let w = String(word)
            if let k = named[w.lowercased()] { keys.append(k); continue }
            if let prefix = ["ctrl-", "^"].first(where: { w.lowercased().hasPrefix($0) && w.count == $0.count + 1 }) {
                guard let c = w.lowercased().last, c.isASCII, c.isLetter else {
                    throw ParseError(description: "--keys word \(i + 1) '\(w)': \(prefix) goes with a letter, as in ctrl-f")
                }
                keys.append(.ctrl(c))
                continue
            }
            for ch in w {
                guard !ch.isNewline, ch.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                    throw ParseError(description: "--keys word \(i + 1) has a control character: name the key instead (enter, esc, tab, ctrl-f)")
                }
                keys.append(.character(ch))
            }
        }
        return keys
    }
}
