import Testing
@testable import Display

@Suite struct DisplayTextTests {
    @Test func escapeSequencesNeverSurvive() {
        let hostile = "orders\u{1B}[2J\u{1B}]0;pwned\u{07}\u{1B}[31mred\u{9B}31m"
        let s = DisplayText.sanitize(hostile)
        #expect(!s.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(s.hasPrefix("orders?[2J?]0;pwned?"))
    }

    @Test func controlCharactersAndNewlinesBecomeVisible() {
        #expect(DisplayText.sanitize("a\tb\nc\r\nd\u{0}e\u{7F}") == "a?b?c?d?e?")
    }

    /// The console's own glyphs (sparklines, dashes, arrows) are one cell each and pass unchanged;
    /// zero-width and wide characters right next to those ranges are still measured properly.
    @Test func consoleGlyphsAreOneCellAndNeighboursStillMeasured() {
        let glyphs = "▁▂▃▄▅▆▇█—→…│"
        #expect(DisplayText.width(glyphs) == glyphs.count)
        #expect(DisplayText.sanitize(glyphs) == glyphs)
        #expect(DisplayText.width("a\u{200B}b") == 2)          // zero-width space, just below the dash range
        #expect(DisplayText.sanitize("a\u{202E}b") == "a?b")   // bidi override, just above it
        #expect(DisplayText.width("\u{231A}") == 2)            // watch emoji, between arrows and box drawing
    }

    @Test func bidiOverridesAreNeutralised() {
        #expect(DisplayText.sanitize("abc\u{202E}fed\u{2066}x") == "abc?fed?x")
    }

    @Test func zeroWidthCharactersAreDroppedButCombiningMarksStay() {
        #expect(DisplayText.sanitize("a\u{200B}b") == "ab")
        let composed = DisplayText.sanitize("e\u{301}")
        #expect(composed == "e\u{301}")
        #expect(DisplayText.width(composed) == 1)
    }

    @Test func wideCharactersCountTwoCells() {
        #expect(DisplayText.width("日本") == 4)
        #expect(DisplayText.width("🚀") == 2)
        #expect(DisplayText.width("abc") == 3)
        #expect(DisplayText.width("👩‍👩‍👧") == 2)
    }

    @Test func truncateCutsByWidthAndNeverSplitsAWideCharacter() {
        #expect(DisplayText.truncate("abcdef", toWidth: 4) == "abc…")
        #expect(DisplayText.truncate("abc", toWidth: 3) == "abc")
        let cut = DisplayText.truncate("日本語テキスト", toWidth: 6)
        #expect(DisplayText.width(cut) <= 6)
        #expect(cut.hasSuffix("…"))
        #expect(DisplayText.truncate("日本", toWidth: 3) == "日…")
    }

    @Test func tenKilobyteNameIsCutToTheColumn() {
        let long = String(repeating: "x", count: 10_240)
        let cell = DisplayText.cell(long, width: 20)
        #expect(DisplayText.width(cell) == 20)
        #expect(cell.hasSuffix("…"))
    }

    @Test func paddingAlignsByDisplayWidth() {
        #expect(DisplayText.padded("日", width: 4) == "日  ")
        #expect(DisplayText.padded("42", width: 5, alignRight: true) == "   42")
    }
}

@Suite struct CellGridTests {
    @Test func putClipsAtTheEdgeAndMarksWideContinuations() {
        var g = CellGrid(width: 6, height: 2)
        let used = g.put("a日本語", x: 0, y: 0, role: .text)
        #expect(used == 5)  // a + 日 + 本; 語 would overflow
        #expect(g[1, 0].character == "日" && g[2, 0].isContinuation)
        #expect(g.line(0) == "a日本 ")
    }

    @Test func putOutsideTheGridIsIgnored() {
        var g = CellGrid(width: 4, height: 1)
        #expect(g.put("x", x: 0, y: 5, role: .text) == 0)
        #expect(g.put("x", x: 10, y: 0, role: .text) == 0)
        #expect(g.text == "")
    }

    @Test func paintChangesRolesOnly() {
        var g = CellGrid(width: 4, height: 1)
        g.put("ab", x: 0, y: 0, role: .text)
        g.paint(x: 0, y: 0, width: 4, role: .rowSelected)
        #expect(g[0, 0].role == .rowSelected && g[0, 0].character == "a")
    }
}

@Suite struct ThemeTests {
    @Test func colourNames() {
        #expect(TerminalColor(name: "red") == .palette(1))
        #expect(TerminalColor(name: "bright-red") == .palette(9))
        #expect(TerminalColor(name: "colour245") == .palette(245))
        #expect(TerminalColor(name: "default") == .default)
        #expect(TerminalColor(name: "#ff0000") == .palette(196))
        #expect(TerminalColor(name: "#808080") == .palette(244))
        #expect(TerminalColor(name: "colour999") == nil)
        #expect(TerminalColor(name: "mauve") == nil)
    }

    @Test func withoutColorKeepsAttributes() {
        let t = Theme(name: "x", styles: [.statusErr: Style(foreground: .palette(1), attributes: [.bold])])
        let mono = t.withoutColor()
        #expect(mono[.statusErr].foreground == .default)
        #expect(mono[.statusErr].attributes.contains(.bold))
        #expect(mono[.rowSelected].attributes.contains(.reverse))
    }
}
