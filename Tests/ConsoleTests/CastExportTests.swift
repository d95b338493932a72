import ConsoleModel
import Display
import Foundation
import Testing
@testable import Console

/// `sluice replay --export`: keys written as text, frames as ANSI, the asciicast file, and the
/// headless replay that makes the frames.
@Suite struct CastExportTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-cast-\(UUID().uuidString)").path
    init() throws { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }

    @Test func keyScriptsNameKeysAndTypeWords() throws {
        #expect(try KeyScript.parse("3 j j ⏎") == [.character("3"), .character("j"), .character("j"), .enter])
        #expect(try KeyScript.parse("/ pay enter esc ctrl-f ^b ↓ space") ==
                [.character("/"), .character("p"), .character("a"), .character("y"), .enter, .escape, .ctrl("f"), .ctrl("b"), .down, .character(" ")])
        #expect(try KeyScript.parse("  ") == [])
        #expect(throws: KeyScript.ParseError.self) { try KeyScript.parse("ctrl-1") }
        #expect(throws: KeyScript.ParseError.self) { try KeyScript.parse("a\u{1B}[31m") }
    }

    @Test func theEncoderSendsTheWholeFirstFrameThenOnlyChangedRows() {
        var grid = CellGrid(width: 10, height: 3)
        grid.put("top", x: 0, y: 0, role: .title)
        grid.put("middle", x: 0, y: 1, role: .text)
        var encoder = AnsiEncoder(theme: .builtinMono)
        let first = encoder.encode(grid)
        #expect(first.hasPrefix("\u{1B}[?25l\u{1B}[0m\u{1B}[2J"))
        #expect(first.contains("\u{1B}[1;1H") && first.contains("\u{1B}[2;1H") && first.contains("\u{1B}[3;1H"))
        #expect(first.contains("\u{1B}[0;1mtop"), "title is bold in mono")
        #expect(encoder.encode(grid) == "", "an unchanged frame costs nothing")
        grid.put("MIDDLE", x: 0, y: 1, role: .text)
        let second = encoder.encode(grid)
        #expect(second.contains("\u{1B}[2;1H") && second.contains("MIDDLE"))
        #expect(!second.contains("\u{1B}[1;1H") && !second.contains("\u{1B}[3;1H") && !second.contains("2J"))
        // Colours: basic, bright and 256-palette entries.
        #expect(AnsiEncoder.sgr(Style(foreground: .palette(1), background: .palette(12), attributes: [.reverse])) == "\u{1B}[0;7;31;104m")
        #expect(AnsiEncoder.sgr(Style(foreground: .palette(200))) == "\u{1B}[0;38;5;200m")
    }

    @Test func theCastIsAsciicastV2WithEscapedTextAndTimesThatNeverGoBack() throws {
        let path = dir + "/a.cast"
        let w = try AsciicastWriter(path: path, width: 100, height: 30, timestamp: 1_700_000_000.7, title: "t \"q\"")
        try w.output(0, "\u{1B}[1;1Hé\n")
        try w.marker(2, "alert: raised")
        try w.output(1, "late")   // clamped to 2
        try w.finish()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let header = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(header["version"] as? Int == 2 && header["width"] as? Int == 100 && header["height"] as? Int == 30)
        #expect(header["timestamp"] as? Int == 1_700_000_000 && header["title"] as? String == "t \"q\"")
        let events = try lines.dropFirst().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [Any] }
        #expect(events.map { $0[1] as! String } == ["o", "m", "o"])
        #expect(events[0][2] as? String == "\u{1B}[1;1Hé\n")
        #expect(events.map { $0[0] as! Double } == [0, 2, 2])
        #expect(!lines[1].contains("\u{1B}"), "the escape is written as \\u001b")
        // Never over an existing file; an unwritable place says why.
        #expect { try AsciicastWriter(path: path, width: 80, height: 24, timestamp: 0, title: "") } throws: {
            "\($0)".contains("already exists")
        }
        #expect { try AsciicastWriter(path: dir + "/no/such/dir/b.cast", width: 80, height: 24, timestamp: 0, title: "") } throws: {
            "\($0)".contains("No such file or directory")
        }
    }

    func readings(_ n: Int) -> [Observation] { (1...n).map { .kafka(Fixtures.snapshot(Double($0))) } }

    func export(_ name: String, keys: String = "", markers: [(time: Double, text: String)] = [], speed: Double = 1) throws -> (CastExport.Result, [String]) {
        let path = dir + "/" + name
        let writer = try AsciicastWriter(path: path, width: 100, height: 30, timestamp: 1, title: "t")
        var options = CastExport.Options(width: 100, height: 30, ui: UIState(contextName: "prod", initial: .groups), kafkaLabel: "b1:9092",
                                         flinkLabel: nil, theme: .builtinMono)
        options.keys = try KeyScript.parse(keys)
        options.speed = speed
        let r = try CastExport.run(observations: readings(12), markers: markers, options: options, writer: writer)
        return (r, try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init))
    }

    @Test func anExportIsTheSameEveryTimeAndPlaysKeysThenTheRecording() throws {
        let (r1, a) = try export("one.cast", keys: "/ orders ⏎ ⏎", markers: [(5, "alert: raised: lag"), (0.5, "user: before")], speed: 2)
        let (r2, b) = try export("two.cast", keys: "/ orders ⏎ ⏎", markers: [(5, "alert: raised: lag"), (0.5, "user: before")], speed: 2)
        #expect(a == b, "the same recording and keys give the same cast")
        #expect(r1 == r2)
        #expect(r1.markers == 2)
        // Four cast events for the keys (/ o r d e r s ⏎ ⏎ = 9 keys, each a new screen) after the first frame.
        let events = try a.dropFirst().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [Any] }
        let times = events.map { $0[0] as! Double }
        #expect(times == times.sorted())
        let keyEnd = 9 * 0.5
        // The last reading (t=12, 11 s after the first) lands 5.5 s after the keys at 2×.
        #expect(abs((times.last ?? 0) - (keyEnd + 11 / 2)) < 0.001)
        #expect(events.filter { $0[1] as! String == "m" }.map { $0[2] as! String } == ["user: before", "alert: raised: lag"])
        // The keys opened the group: its detail is on screen from then on.
        let output = events.filter { $0[1] as! String == "o" }.map { $0[2] as! String }.joined()
        #expect(output.contains("Groups ▸ orders-enricher"), "the filter and Enter opened orders-enricher")
    }

    @Test func quitEndsTheCastAndActionsAreDeclined() throws {
        let (r, lines) = try export("q.cast", keys: "5 s q j")
        #expect(r.duration == 1.5, "q at the third key ends the cast")
        #expect(lines.count == 1 + r.frames)
        var replay = HeadlessReplay(ui: UIState(contextName: "x", initial: .groups), kafkaLabel: "b1:9092", flinkLabel: nil, width: 100, height: 30)
        replay.apply(.kafka(Fixtures.snapshot(1)))
        let kept = replay.press(.character("R"))
        #expect(kept)
        #expect(replay.ui.message == "recording is not available in a replay")
        let quitKept = replay.press(.character("q"))
        #expect(!quitKept)
    }
}
