/// Text from remote systems made safe and measurable for a terminal.
///
/// Topic names, group ids, client ids and error messages come from brokers and may hold escape
/// sequences, control characters, bidi overrides or thousands of characters. Nothing from a
/// broker reaches the terminal without passing through ``sanitize(_:)``, and every column is cut
/// by display width, not by character count.
public enum DisplayText {
    /// Replaces control characters (C0, DEL, C1) and bidi controls with `?`, and drops characters
    /// that occupy no cell on their own (zero-width spaces, stray combining marks).
    public static func sanitize(_ text: String) -> String {
        // Most names are printable ASCII: one pass over the bytes, no Unicode property lookups.
        if isPrintableASCII(text) { return text }
        var needsWork = false
        for s in text.unicodeScalars where isUnsafe(s) || scalarWidth(s) == 0 { needsWork = true; break }
        if !needsWork { return text }
        var out = String.UnicodeScalarView()
        for ch in text {
            let scalars = ch.unicodeScalars
            if scalars.contains(where: isUnsafe) {
                // A grapheme holding a control (e.g. "\r\n" or ESC + combining mark) becomes one '?'.
                out.append("?")
            } else if width(of: ch) == 0 {
                continue
            } else {
                out.append(contentsOf: scalars)
            }
        }
        return String(out)
    }

    /// True when every byte is printable ASCII (a scan of the string's own bytes where it has them).
    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
            ?? text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            || v == 0x061C || v == 0x200E || v == 0x200F
    }

    /// Cells a scalar occupies: 0 (combining, format), 1, or 2 (East Asian wide, emoji).
    public static func scalarWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x300 { return v < 0x20 || (0x7F..<0xA0).contains(v) ? 0 : 1 }
        // Dashes, quotes, ellipsis, arrows, box drawing and block elements (the console's own
        // sparklines and separators): one cell, no property lookup.
        if (0x2010...0x2027).contains(v) || (0x2190...0x21FF).contains(v) || (0x2500...0x259F).contains(v) { return 1 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v) { return 0 }
        if (0x1160...0x11FF).contains(v) { return 0 }  // Hangul medial vowels and final consonants
        if isWide(v) || s.properties.isEmojiPresentation { return 2 }
        return 1
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B2FF,
        0x1F200...0x1F2FF, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        var lo = 0, hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < wideRanges[mid].lowerBound { hi = mid - 1 } else if v > wideRanges[mid].upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// Cells a grapheme occupies: its widest scalar, capped at 2 (emoji sequences count as one glyph).
    public static func width(of ch: Character) -> Int {
        if let a = ch.asciiValue { return a >= 0x20 && a != 0x7F ? 1 : 0 }
        var w = 0
        for s in ch.unicodeScalars { w = max(w, scalarWidth(s)) }
        if w == 1, ch.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { w = 2 }  // emoji presentation selector
        return min(w, 2)
    }

    public static func width(_ text: String) -> Int {
        if isPrintableASCII(text) { return text.utf8.count }
        var w = 0
        for ch in text { w += width(of: ch) }
        return w
    }

    /// Cuts `text` to at most `maxWidth` cells, ending with `…` when something was cut.
    /// Never splits a wide character.
    public static func truncate(_ text: String, toWidth maxWidth: Int) -> String {
        guard maxWidth > 0 else { return "" }
        var w = 0
        var end = text.startIndex
        for i in text.indices {
            let cw = width(of: text[i])
            if w + cw > maxWidth {
                // Make room for the ellipsis.
                var out = String(text[text.startIndex..<end])
                while width(out) > maxWidth - 1, !out.isEmpty { out.removeLast() }
                return out + "…"
            }
            w += cw
            end = text.index(after: i)
        }
        return text
    }

    /// Sanitised and cut: the one call views use for any remote string.
    public static func cell(_ text: String, width: Int) -> String {
        truncate(sanitize(text), toWidth: width)
    }

    /// Pads with spaces to exactly `width` cells (after cutting).
    public static func padded(_ text: String, width: Int, alignRight: Bool = false) -> String {
        let t = truncate(text, toWidth: width)
        let pad = String(repeating: " ", count: max(0, width - DisplayText.width(t)))
        return alignRight ? pad + t : t + pad
    }
}
