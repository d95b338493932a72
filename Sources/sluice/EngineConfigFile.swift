import EngineCore
import Foundation
import KafkaServer
import PostgresCapture
import StreamLog
import Yams

/// The engine's config file (YAML). Every key is optional; flags override it.
///
/// ```yaml
/// data-dir: /var/lib/sluice
/// kafka:
///   listen: 127.0.0.1:9092
///   advertised: broker.example.com:9092
///   flush: group                      # group | every-append | none
///   num.partitions: 3
///   auto.create.topics.enable: true
///   group.initial.rebalance.delay.ms: 0
///   log.retention.check.interval.ms: 60000
///   users: { alice: s3cret, admin: pw } # SASL/PLAIN; required for a non-loopback listen
///   authorizer: acl                   # acl | none; default acl when there are users (docs/security.md)
///   super.users: [admin]              # user names or principals (User:admin) never checked
///   allow.everyone.if.no.acl.found: false
/// topic-defaults:
///   retention.ms: 604800000
/// captures:                           # change capture from Postgres (docs/capture.md)
///   - name: shop                      # topics shop.<schema>.<table>
///     url: postgres://capture:pw@db:5432/shop
///     publication: shop_pub
///     slot: sluice_shop
///     tables: [public.customers]      # default: the publication's tables
/// ```
struct EngineConfigFile {
    var dataDir: String?
    var listen: String?
    var advertised: String?
    var broker = BrokerConfiguration()
    var captures: [CaptureConfig] = []

    struct Invalid: Error, CustomStringConvertible {
        let path: String
        let message: String
        var description: String { "\(path): \(message)" }
    }

    static func load(path: String) throws -> EngineConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Invalid(path: path, message: "cannot read the file")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw Invalid(path: path, message: "not valid YAML: \(error)") }
        var out = EngineConfigFile()
        var authorizer: Bool?
        var authorization = EngineConfiguration.Authorization()
        guard let map = root as? [String: Any] else {
            if root == nil { return out }
            throw Invalid(path: path, message: "expected a mapping at the top level")
        }
        func string(_ v: Any, _ key: String) throws -> String {
            if let s = v as? String { return s }
            if let i = v as? Int { return String(i) }
            if let b = v as? Bool { return String(b) }
            throw Invalid(path: path, message: "\(key) must be a string")
        }
        func int(_ v: Any, _ key: String) throws -> Int64 {
            if let i = v as? Int { return Int64(i) }
            if let s = v as? String, let i = Int64(s) { return i }
            throw Invalid(path: path, message: "\(key) must be a whole number")
        }
        for (key, value) in map {
            switch key {
            case "data-dir": out.dataDir = try string(value, key)
            case "kafka":
                guard let kafka = value as? [String: Any] else { throw Invalid(path: path, message: "kafka must be a mapping") }
                for (k, v) in kafka {
                    let name = "kafka.\(k)"
                    switch k {
                    case "listen": out.listen = try string(v, name)
                    case "advertised": out.advertised = try string(v, name)
                    case "flush":
                        guard let policy = BrokerConfiguration.FlushPolicy(rawValue: try string(v, name)) else {
                            throw Invalid(path: path, message: "\(name) must be one of \(BrokerConfiguration.FlushPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        out.broker.flush = policy
                    case "num.partitions":
                        let n = try int(v, name)
                        guard (1...10_000).contains(n) else { throw Invalid(path: path, message: "\(name) must be 1 to 10000") }
                        out.broker.defaultPartitions = Int32(n)
                    case "auto.create.topics.enable":
                        guard let b = v as? Bool else { throw Invalid(path: path, message: "\(name) must be true or false") }
                        out.broker.autoCreateTopics = b
                    case "group.initial.rebalance.delay.ms": out.broker.initialRebalanceDelayMs = max(0, try int(v, name))
                    case "log.retention.check.interval.ms":
                        let n = try int(v, name)
                        guard n >= 100 else { throw Invalid(path: path, message: "\(name) must be at least 100") }
                        out.broker.retentionCheckIntervalMs = n
                    case "users":
                        guard let users = v as? [String: Any] else { throw Invalid(path: path, message: "\(name) must map user names to passwords") }
                        out.broker.plainUsers = try users.mapValues { try string($0, name) }
                    case "authorizer":
                        switch try string(v, name) {
                        case "acl": authorizer = true
                        case "none": authorizer = false
                        case let other: throw Invalid(path: path, message: "\(name) must be acl or none, not '\(other)'")
                        }
                    case "super.users":
                        // A YAML list, or Kafka's own form: principals separated by semicolons.
                        let names = try (v as? [Any])?.map { try string($0, name) }
                            ?? string(v, name).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                        for n in names where !n.isEmpty {
                            if n.contains(":") && !n.hasPrefix("User:") { throw Invalid(path: path, message: "\(name): '\(n)' is not a user principal (write alice or User:alice)") }
                            authorization.superUsers.insert(n.hasPrefix("User:") ? n : "User:" + n)
                        }
                    case "allow.everyone.if.no.acl.found":
                        guard let b = v as? Bool else { throw Invalid(path: path, message: "\(name) must be true or false") }
                        authorization.allowEveryoneIfNoAclFound = b
                    default:
                        throw Invalid(path: path, message: "unknown key \(name) (known: listen, advertised, flush, num.partitions, auto.create.topics.enable, group.initial.rebalance.delay.ms, log.retention.check.interval.ms, users, authorizer, super.users, allow.everyone.if.no.acl.found)")
                    }
                }
            case "topic-defaults":
                guard let defaults = value as? [String: Any] else { throw Invalid(path: path, message: "topic-defaults must be a mapping") }
                do {
                    out.broker.topicDefaults = try TopicConfig(defaults.sorted { $0.key < $1.key }.map { ($0.key, try string($0.value, "topic-defaults.\($0.key)")) })
                } catch let e as TopicConfig.Invalid { throw Invalid(path: path, message: "topic-defaults: \(e.message)") }
            case "captures":
                guard let list = value as? [Any] else { throw Invalid(path: path, message: "captures is a list of {name, url, publication, slot, tables}") }
                for (i, item) in list.enumerated() {
                    let at = "captures[\(i)]"
                    guard let m = item as? [String: Any] else { throw Invalid(path: path, message: "\(at) must be a mapping") }
                    let known = ["name", "url", "publication", "slot", "tables", "partitions", "pollMs"]
                    if let unknown = m.keys.sorted().first(where: { !known.contains($0) }) {
                        throw Invalid(path: path, message: "\(at): unknown key \(unknown) (known: \(known.joined(separator: ", ")))")
                    }
                    func need(_ k: String) throws -> String {
                        guard let v = m[k] else { throw Invalid(path: path, message: "\(at) needs \(k)") }
                        return try string(v, "\(at).\(k)")
                    }
                    var c = CaptureConfig(name: try need("name"), url: try need("url"), publication: try need("publication"), slot: try need("slot"))
                    if let t = m["tables"] {
                        guard let tables = t as? [Any] else { throw Invalid(path: path, message: "\(at).tables is a list of schema.table") }
                        c.tables = try tables.map { try string($0, "\(at).tables") }
                    }
                    if let p = m["partitions"] { c.partitions = Int32(clamping: try int(p, "\(at).partitions")) }
                    if let p = m["pollMs"] { c.pollMs = Int(clamping: try int(p, "\(at).pollMs")) }
                    do { try c.validate() } catch { throw Invalid(path: path, message: "\(at): \(error)") }
                    guard !out.captures.contains(where: { $0.name == c.name || $0.slot == c.slot }) else {
                        throw Invalid(path: path, message: "\(at): another capture has the name \(c.name) or the slot \(c.slot)")
                    }
                    out.captures.append(c)
                }
            default:
                throw Invalid(path: path, message: "unknown key \(key) (known: data-dir, kafka, topic-defaults, captures)")
            }
        }
        // With users the authorizer is on unless turned off: authentication alone lets any user
        // read, write or delete anything.
        if authorizer ?? !out.broker.plainUsers.isEmpty {
            out.broker.authorization = authorization
        } else if authorization != EngineConfiguration.Authorization() {
            throw Invalid(path: path, message: "kafka.super.users and kafka.allow.everyone.if.no.acl.found need the authorizer: set kafka.authorizer: acl")
        }
        return out
    }
}
