import Foundation
import StreamLog

/// Kafka's dynamic broker configs (`kafka-configs.sh --entity-type brokers --alter`): set per
/// broker or as the cluster-wide default (the empty broker name), kept durably in
/// `broker-configs.json` and reported by DescribeConfigs with their source. Only the keys Kafka
/// lets change at runtime are accepted; the engine keeps them for the tools that manage them but
/// acts on none yet (docs/engine.md, "Broker configs"). Confined to the engine loop.
public final class DynamicBrokerConfigs: @unchecked Sendable {   // confined to the engine loop
    /// Broker name ("" = cluster default, else the node id) → config → value.
    public private(set) var values: [String: [String: String]] = [:]
    let path: String

    init(directory: String) throws {
        path = directory + "/broker-configs.json"
        if let data = FileManager.default.contents(atPath: path) {
            do { values = try JSONDecoder().decode([String: [String: String]].self, from: data) } catch {
                throw Invalid(key: "", message: "\(path) is not valid (\(error)); fix it or move it aside to start without dynamic broker configs")
            }
        }
    }

    /// `key` empty: not about one config (the file could not be read or written).
    public struct Invalid: Error, CustomStringConvertible {
        public let key: String
        public let message: String
        public var description: String { message }
    }

    /// Replaces one broker's dynamic configs with `configs` (nil value: removed) after checking
    /// every key; nothing changes when one is refused or `validateOnly`.
    package func replace(broker: String, with configs: [String: String?], merge: Bool, validateOnly: Bool) throws(Invalid) {
        for (key, value) in configs {
            try Self.check(key, value)
        }
        var next = merge ? values[broker] ?? [:] : [:]
        for (key, value) in configs { next[key] = value ?? nil }
        if validateOnly { return }
        var all = values
        all[broker] = next.isEmpty ? nil : next
        guard all != values else { return }
        do { try DurableFile.replace(path, with: try JSONEncoder().encode(all)) } catch {
            throw Invalid(key: "", message: "the broker configs could not be saved: \(error)")
        }
        values = all
    }

    static func check(_ key: String, _ value: String?) throws(Invalid) {
        guard Self.dynamic.contains(key) || Self.dynamicPrefixes.contains(where: key.hasPrefix) else {
            throw Invalid(key: key, message: "\(key) cannot be changed while the broker runs: set it in the engine's config file and restart")
        }
        guard let value else { return }
        let whole = [".ms", ".bytes", ".threads", ".hours", ".minutes", ".seconds", ".relogin", ".messages", ".size", ".fetchers",
                     ".per.second", ".rate", ".data.dir", ".level", ".replicas", "max.connections", "max.connections.per.ip"]
        let fraction = [".ratio", ".factor", ".jitter"]
        if whole.contains(where: key.hasSuffix), Int64(value) == nil {
            throw Invalid(key: key, message: "\(key) must be a whole number, not '\(value)'")
        }
        if fraction.contains(where: key.hasSuffix), Double(value) == nil {
            throw Invalid(key: key, message: "\(key) must be a number, not '\(value)'")
        }
    }

    /// Kafka 4's dynamically updatable broker configs (DynamicBrokerConfig): log defaults,
    /// thread pools, connection limits, SASL and SSL listener settings, the log cleaner.
    static let dynamic: Set<String> = [
        "log.segment.bytes", "log.roll.ms", "log.roll.hours", "log.roll.jitter.ms", "log.roll.jitter.hours",
        "log.index.size.max.bytes", "log.flush.interval.messages", "log.flush.interval.ms", "log.retention.bytes",
        "log.retention.ms", "log.retention.minutes", "log.retention.hours", "log.index.interval.bytes",
        "log.cleaner.delete.retention.ms", "log.cleaner.min.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms",
        "log.segment.delete.delay.ms", "log.cleaner.min.cleanable.ratio", "log.cleanup.policy", "unclean.leader.election.enable",
        "min.insync.replicas", "compression.type", "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
        "log.preallocate", "log.message.timestamp.type", "log.message.timestamp.before.max.ms", "log.message.timestamp.after.max.ms",
        "log.message.downconversion.enable", "message.max.bytes", "log.local.retention.ms", "log.local.retention.bytes",
        "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.size",
        "log.cleaner.io.buffer.load.factor", "log.cleaner.backoff.ms",
        "num.io.threads", "num.network.threads", "num.replica.fetchers", "num.recovery.threads.per.data.dir", "background.threads",
        "max.connections", "max.connections.per.ip", "max.connections.per.ip.overrides", "max.connection.creation.rate",
        "sasl.kerberos.service.name", "sasl.kerberos.kinit.cmd", "sasl.kerberos.ticket.renew.window.factor",
        "sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.min.time.before.relogin", "sasl.kerberos.principal.to.local.rules",
        "sasl.enabled.mechanisms", "sasl.jaas.config", "sasl.login.refresh.window.factor", "sasl.login.refresh.window.jitter",
        "sasl.login.refresh.min.period.seconds", "sasl.login.refresh.buffer.seconds",
        "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password", "ssl.truststore.type",
        "ssl.truststore.location", "ssl.truststore.password", "ssl.cipher.suites", "ssl.enabled.protocols", "ssl.client.auth",
        "producer.id.expiration.ms", "transaction.partition.verification.enable", "metric.reporters",
        "follower.replication.throttled.rate", "leader.replication.throttled.rate", "replica.alter.log.dirs.io.max.bytes.per.second",
    ]
    /// Per-listener overrides (`listener.name.<listener>.<config>`).
    static let dynamicPrefixes = ["listener.name."]
}
