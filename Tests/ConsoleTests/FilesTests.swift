import Connectors
import Services
import Foundation
import Testing
import ConsoleModel
import Display
@testable import Console

@Suite struct ThemeFileTests {
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    @Test(arguments: ["default", "light", "mono"]) func shippedThemesParse(name: String) throws {
        let t = try ThemeLoader.load(name: name, paths: [Self.themesDir])
        #expect(t.name == name)
        #expect(t[.rowSelected] != Style())
    }

    @Test func badThemeSaysWhereAndWhat() {
        #expect(throws: ThemeLoader.LoadError.invalid(path: "x.yaml", reason: "statusOK.fg: unknown colour 'mauve'")) {
            try ThemeLoader.parse("roles:\n  statusOK: { fg: mauve }\n", name: "x", path: "x.yaml")
        }
        #expect(throws: ThemeLoader.LoadError.self) { try ThemeLoader.parse("roles:\n  nonsense: { fg: red }\n", name: "x") }
        #expect(throws: ThemeLoader.LoadError.self) { try ThemeLoader.load(name: "../../etc/passwd", paths: [Self.themesDir]) }
    }
}

@Suite struct RefreshPolicyTests {
    @Test func autoStretchesOnlyWhenReadingsAreCostly() {
        let auto = RefreshPolicy()
        #expect(auto.interval(readingCost: 0.001) == 2)       // small cluster: the 2 s default
        #expect(auto.interval(readingCost: 0.0115) == 4)      // 11.5 ms a reading: 3.83 s, rounded up to 4
        #expect(auto.interval(readingCost: 1) == 10)          // capped
        #expect(auto.interval(readingCost: .nan) == 10)
        #expect(RefreshPolicy(pinned: 2).interval(readingCost: 1) == 2)   // pinned is pinned
    }

    @Test func parsing() {
        #expect(RefreshPolicy(parsing: "auto")?.isAuto == true)
        #expect(RefreshPolicy(parsing: " 5 ") == RefreshPolicy(pinned: 5))
        #expect(RefreshPolicy(parsing: "0.1") == nil)
        #expect(RefreshPolicy(parsing: "fast") == nil)
    }
}

@Suite struct ConfigTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "/sluice-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func contextsAndDefaults() throws {
        let path = try write("current: local\ncontexts:\n  local:\n    kafka: 127.0.0.1:9092\n  prod:\n    kafka: b1:9092,b2:9092\ndefaults:\n  theme: light\n  refresh: 5\n")
        let c = try SluiceConfig.load(path: path)
        #expect(try c.context(named: nil, path: path)?.name == "local")
        #expect(try c.context(named: "prod", path: path)?.context.kafka == "b1:9092,b2:9092")
        #expect(c.defaults?.theme == "light" && c.defaults?.refresh.flatMap(RefreshPolicy.init(parsing:)) == RefreshPolicy(pinned: 5))
        let auto = try SluiceConfig.load(path: try write("defaults:\n  refresh: auto\n"))
        #expect(auto.defaults?.refresh.flatMap(RefreshPolicy.init(parsing:))?.isAuto == true)
        #expect(throws: SluiceConfig.LoadError.self) { try c.context(named: "nope", path: path) }
    }

    @Test func missingFileIsEmptyAndMalformedFileIsAClearError() throws {
        #expect(try SluiceConfig.load(path: "/nonexistent/sluice.yaml") == SluiceConfig())
        let bad = try write("contexts:\n  local: [1, 2\n")
        do {
            _ = try SluiceConfig.load(path: bad)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(bad))
        }
        let wrongType = try write("defaults:\n  refresh: soon\n")
        #expect(throws: SluiceConfig.LoadError.self) { try SluiceConfig.load(path: wrongType) }
    }

    /// A malformed file names the file, the line and column, and what was expected.
    @Test func malformedFilesSayWhereAndWhat() throws {
        let unclosed = try write("contexts:\n  local:\n    kafka: [127.0.0.1:9092\n")
        do { _ = try SluiceConfig.load(path: unclosed); Issue.record("expected an error") } catch {
            let text = "\(error)"
            #expect(text.contains(unclosed), "\(text)")
            #expect(text.contains("line 4, column 1"), "\(text)")
        }
        let listForString = try write("current: local\ncontexts:\n  local:\n    kafka:\n      - a:9092\n")
        do { _ = try SluiceConfig.load(path: listForString); Issue.record("expected an error") } catch {
            let text = "\(error)"
            #expect(text.contains("line 5, column 7"), "\(text)")
            #expect(text.contains("contexts.local.kafka: expected a single value, found a list"), "\(text)")
        }
        let flagNotBool = try write("defaults:\n  readonly: maybe\n")
        do { _ = try SluiceConfig.load(path: flagNotBool); Issue.record("expected an error") } catch {
            #expect("\(error)".contains("line 2, column 13: defaults.readonly: expected true or false"), "\(error)")
        }
    }
}

@Suite struct LagReportTests {
    @Test func jsonHasEveryKeyWithNullsForUnknowns() throws {
        let model = Fixtures.model(readings: 2)
        let doc = LagReport.document(model.groups, bootstrap: "b1:9092", time: 0)
        let json = try LagReport.json(doc)
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let groups = obj["groups"] as! [[String: Any]]
        #expect(groups.count == 3)
        let p = (groups[0]["partitions"] as! [[String: Any]])[0]
        for key in ["topic", "partition", "committed", "endOffset", "lag", "timeLagMs", "memberId", "status"] {
            #expect(p.keys.contains(key), "missing \(key)")
        }
        #expect(obj["time"] as? String == "1970-01-01T00:00:00.000Z")
        // Round trip through the Codable form.
        #expect(try JSONDecoder().decode(LagReport.Document.self, from: Data(json.utf8)) == doc)
    }

    @Test func textReportSanitisesAndAligns() {
        let text = LagReport.text(Fixtures.model(readings: 2).groups)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("CURRENT-OFFSET  LOG-END-OFFSET"))
        #expect(text.contains("GROUP orders-enricher: state Stable, 1 member"))
    }

    @Test func formatting() {
        #expect(Format.count(182340) == "182,340")
        #expect(Format.count(nil) == "-")
        #expect(Format.duration(252) == "4m12s")
        #expect(Format.duration(3 * 3600 + 5 * 60) == "3h05m")
        #expect(Format.timeLag(.init(seconds: 90, isLowerBound: true)) == ">1m30s")
        #expect(Format.seconds(0.5) == "0.5s")
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([5, 5, 5], width: 8) == "▄▄▄")
    }
}
