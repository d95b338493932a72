import Services
import Foundation
import Display
import Yams

/// Finds and parses `themes/NAME.yaml`.
public enum ThemeLoader {
    public enum LoadError: Error, CustomStringConvertible, Equatable {
        case notFound(name: String, searched: [String])
        case invalid(path: String, reason: String)

        public var description: String {
            switch self {
            case let .notFound(name, searched):
                return "no theme '\(name)' (looked in \(searched.joined(separator: ", ")))"
            case let .invalid(path, reason):
                return "theme \(path) is invalid: \(reason)"
            }
        }
    }

    private struct File: Decodable {
        struct Entry: Decodable {
            var fg: String?
            var bg: String?
            var attrs: [String]?
        }
        var name: String?
        var roles: [String: Entry]?
    }

    /// Directories searched in order: `$XDG_CONFIG_HOME/sluice/themes`, `$SLUICE_THEMES`, and a
    /// `themes/` directory beside or above the executable (a source checkout or an install prefix).
    public static func searchPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var paths: [String] = []
        let config = (SluiceConfig.defaultPath(environment: environment) as NSString).deletingLastPathComponent
        paths.append(config + "/themes")
        if let env = environment["SLUICE_THEMES"], !env.isEmpty { paths.append(env) }
        var dir = (CommandLine.arguments.first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent() })
        for _ in 0..<5 {
            guard let d = dir else { break }
            paths.append(d.appendingPathComponent("themes").path)
            paths.append(d.appendingPathComponent("share/sluice/themes").path)
            dir = d.deletingLastPathComponent()
        }
        paths.append(FileManager.default.currentDirectoryPath + "/themes")
        return paths
    }

    /// Names of the themes found on the search path (plus the built-in `mono`).
    public static func available(paths: [String] = searchPaths()) -> [String] {
        var names: Set<String> = ["mono"]
        for p in paths {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [] where f.hasSuffix(".yaml") {
                names.insert(String(f.dropLast(5)))
            }
        }
        return names.sorted()
    }

    public static func load(name: String, paths: [String] = searchPaths()) throws -> Theme {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !name.isEmpty else {
            throw LoadError.notFound(name: name, searched: [])
        }
        for p in paths {
            let path = p + "/" + name + ".yaml"
            if FileManager.default.fileExists(atPath: path) {
                let text: String
                do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                    throw LoadError.invalid(path: path, reason: error.localizedDescription)
                }
                return try parse(text, name: name, path: path)
            }
        }
        if name == "mono" { return Theme.builtinMono }
        throw LoadError.notFound(name: name, searched: paths)
    }

    public static func parse(_ text: String, name: String, path: String = "<theme>") throws -> Theme {
        let file: File
        do { file = try YAMLDecoder().decode(File.self, from: text) } catch {
            throw LoadError.invalid(path: path, reason: YAMLErrorText.describe(error, in: text))
        }
        var styles: [Role: Style] = [:]
        let byName = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0.name, $0) })
        for (key, entry) in file.roles ?? [:] {
            guard let role = byName[key] else {
                throw LoadError.invalid(path: path, reason: "unknown role '\(key)' (roles: \(Role.allCases.map(\.name).joined(separator: ", ")))")
            }
            var style = Style()
            if let fg = entry.fg {
                guard let c = TerminalColor(name: fg) else { throw LoadError.invalid(path: path, reason: "\(key).fg: unknown colour '\(fg)'") }
                style.foreground = c
            }
            if let bg = entry.bg {
                guard let c = TerminalColor(name: bg) else { throw LoadError.invalid(path: path, reason: "\(key).bg: unknown colour '\(bg)'") }
                style.background = c
            }
            for a in entry.attrs ?? [] {
                switch a.lowercased() {
                case "bold": style.attributes.insert(.bold)
                case "dim": style.attributes.insert(.dim)
                case "reverse": style.attributes.insert(.reverse)
                case "underline": style.attributes.insert(.underline)
                default: throw LoadError.invalid(path: path, reason: "\(key).attrs: unknown attribute '\(a)' (bold, dim, reverse, underline)")
                }
            }
            styles[role] = style
        }
        return Theme(name: file.name ?? name, styles: styles)
    }
}
