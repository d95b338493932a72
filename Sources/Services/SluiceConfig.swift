import Foundation
import Connectors
import Yams

/// `$XDG_CONFIG_HOME/sluice/config.yaml`: named contexts and defaults. Flags override it.
///
/// ```yaml
/// current: local
/// contexts:
///   local:
///     kafka: 127.0.0.1:9092
///   prod-eu:
///     kafka: b1.prod:9092,b2.prod:9092
///     flink: http://jm.prod:8081
///     postgres: postgres://monitor@db.prod:5432/shop   # the Slots view
/// defaults:
///   theme: default
///   refresh: auto        # or seconds, 0.5 to 60
///   readonly: false
/// ```
public struct SluiceConfig: Codable, Sendable, Equatable {
    public struct Context: Codable, Sendable, Equatable {
        public var kafka: String?
        public var flink: String?
        /// Default target directory for savepoints taken from the console.
        public var savepoints: String?
        /// A Postgres whose replication slots to watch (`postgres://user:pw@host:5432/db`).
        public var postgres: String?
        public init(kafka: String? = nil, flink: String? = nil, savepoints: String? = nil, postgres: String? = nil) {
            self.kafka = kafka; self.flink = flink; self.savepoints = savepoints; self.postgres = postgres
        }
    }

    public struct Defaults: Codable, Sendable, Equatable {
        public var theme: String?
        /// "auto" or seconds; see ``RefreshPolicy``.
        public var refresh: String?
        public var readonly: Bool?
        public init() {}
    }

    public var current: String?
    public var contexts: [String: Context]
    public var defaults: Defaults?

    public init(current: String? = nil, contexts: [String: Context] = [:], defaults: Defaults? = nil) {
        self.current = current; self.contexts = contexts; self.defaults = defaults
    }

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, reason: String)
        case unknownContext(name: String, path: String, known: [String])

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
            case let .invalid(path, reason): return "\(path) is not a valid Sluice config: \(reason). See docs/configuration.md"
            case let .unknownContext(name, path, known):
                return "no context named '\(name)' in \(path) (known: \(known.isEmpty ? "none" : known.sorted().joined(separator: ", ")))"
            }
        }
    }

    /// The config file's path under `XDG_CONFIG_HOME` (default `~/.config`).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/sluice/config.yaml"
    }

    /// Loads the file; a missing file is an empty config, a malformed one an error naming the file.
    public static func load(path: String) throws -> SluiceConfig {
        guard FileManager.default.fileExists(atPath: path) else { return SluiceConfig() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw LoadError.unreadable(path: path, reason: error.localizedDescription)
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return SluiceConfig() }
        let config: SluiceConfig
        do {
            var c = try YAMLDecoder().decode(SluiceConfigFile.self, from: text)
            c.contexts = c.contexts ?? [:]
            config = SluiceConfig(current: c.current, contexts: c.contexts ?? [:], defaults: c.defaults)
        } catch {
            throw LoadError.invalid(path: path, reason: YAMLErrorText.describe(error, in: text))
        }
        if let r = config.defaults?.refresh, RefreshPolicy(parsing: r) == nil {
            throw LoadError.invalid(path: path, reason: "defaults.refresh must be auto or seconds between 0.5 and 60, not '\(r)'")
        }
        return config
    }

    /// The context to use: the named one, else `current`, else the only one.
    public func context(named name: String?, path: String) throws -> (name: String, context: Context)? {
        if let name {
            guard let c = contexts[name] else { throw LoadError.unknownContext(name: name, path: path, known: Array(contexts.keys)) }
            return (name, c)
        }
        if let cur = current, let c = contexts[cur] { return (cur, c) }
        if contexts.count == 1, let (n, c) = contexts.first { return (n, c) }
        return nil
    }
}

/// The file's shape, with every key optional so a partial file is fine.
private struct SluiceConfigFile: Codable {
    var current: String?
    var contexts: [String: SluiceConfig.Context]?
    var defaults: SluiceConfig.Defaults?
}
