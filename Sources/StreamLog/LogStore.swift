import Foundation

/// Every topic's partition logs under one data directory:
/// `topics/<name>/topic.json` (id, partition count, config) and `topics/<name>/<partition>/` (segments).
/// Not thread-safe: the engine's broker owns it on one thread.
public final class LogStore: @unchecked Sendable {   // used from one thread at a time (the broker loop)
    public struct TopicMeta: Codable, Equatable, Sendable {
        public var name: String
        /// Kafka topic id (UUID), high and low halves.
        public var idHigh: UInt64
        public var idLow: UInt64
        public var partitions: Int32
        public var config: TopicConfig
        public var isInternal: Bool
    }

    public final class Topic {
        public let meta: TopicMeta
        public let partitions: [PartitionLog]
        init(meta: TopicMeta, partitions: [PartitionLog]) { self.meta = meta; self.partitions = partitions }
        public var name: String { meta.name }
        public var config: TopicConfig { meta.config }
    }

    public enum StoreError: Error, Equatable, CustomStringConvertible {
        case invalidName(String)
        case alreadyExists(String)
        case unknownTopic(String)
        case invalidPartitions(Int32)
        case io(String)
        public var description: String {
            switch self {
            case let .invalidName(why): why
            case let .alreadyExists(name): "topic '\(name)' already exists"
            case let .unknownTopic(name): "topic '\(name)' does not exist"
            case let .invalidPartitions(n): "\(n) partitions is not valid: a topic needs 1 to 10000 partitions"
            case let .io(why): why
            }
        }
    }

    public let directory: String
    public let logConfiguration: PartitionLog.Configuration
    public private(set) var topics: [String: Topic] = [:]
    /// What recovery cut when the logs were opened, by partition ("topic-0"), for the engine's log.
    public private(set) var recoveries: [String: PartitionLog.Recovery] = [:]

    var topicsDirectory: String { directory + "/topics" }

    public init(directory: String, logConfiguration: PartitionLog.Configuration = .init()) throws {
        self.directory = directory
        self.logConfiguration = logConfiguration
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory + "/topics", withIntermediateDirectories: true) } catch {
            throw StoreError.io("cannot create \(directory)/topics: \(error.localizedDescription)")
        }
        for name in (try? fm.contentsOfDirectory(atPath: topicsDirectory)) ?? [] {
            if name.hasPrefix(".deleted-") { try? fm.removeItem(atPath: topicsDirectory + "/" + name); continue }   // a delete a crash interrupted
            if name.hasPrefix(".") { continue }
            let metaPath = topicsDirectory + "/" + name + "/topic.json"
            guard let data = fm.contents(atPath: metaPath) else {
                // A topic directory without its description: a create interrupted before it finished.
                try? fm.removeItem(atPath: topicsDirectory + "/" + name)
                continue
            }
            let meta: TopicMeta
            do { meta = try JSONDecoder().decode(TopicMeta.self, from: data) } catch {
                throw StoreError.io("\(metaPath) is not a valid topic description (\(error)); move it aside to start without that topic")
            }
            topics[meta.name] = try open(meta)
        }
    }

    private func open(_ meta: TopicMeta) throws -> Topic {
        var logs: [PartitionLog] = []
        for p in 0..<meta.partitions {
            var config = logConfiguration
            config.segmentBytes = Int(meta.config.segmentBytes)
            config.segmentMs = meta.config.segmentMs
            let log = try PartitionLog(directory: "\(topicsDirectory)/\(meta.name)/\(p)", configuration: config)
            if log.recovery.truncatedBytes > 0 { recoveries["\(meta.name)-\(p)"] = log.recovery }
            logs.append(log)
        }
        return Topic(meta: meta, partitions: logs)
    }

    /// Creates a topic durably: partition directories first, then `topic.json` written to a
    /// temporary file, flushed and renamed, so a crash leaves either no topic or a whole one.
    @discardableResult
    public func createTopic(name: String, partitions: Int32, config: TopicConfig, isInternal: Bool = false) throws -> Topic {
        if let why = TopicName.problem(name) { throw StoreError.invalidName(why) }
        guard topics[name] == nil else { throw StoreError.alreadyExists(name) }
        guard (1...10_000).contains(partitions) else { throw StoreError.invalidPartitions(partitions) }
        var rng = SystemRandomNumberGenerator()
        let meta = TopicMeta(name: name, idHigh: rng.next(), idLow: rng.next(), partitions: partitions, config: config, isInternal: isInternal)
        let topic = try open(meta)
        try writeMeta(meta)
        topics[name] = topic
        return topic
    }

    /// Raises a topic's partition count: the new partitions' directories first, then `topic.json`
    /// replaced durably, so a crash leaves the old count (and empty directories it reuses later).
    /// The existing partitions' logs are kept as they are.
    @discardableResult
    public func addPartitions(name: String, count: Int32) throws -> Topic {
        guard let old = topics[name] else { throw StoreError.unknownTopic(name) }
        guard count > old.meta.partitions, count <= 10_000 else { throw StoreError.invalidPartitions(count) }
        var meta = old.meta
        meta.partitions = count
        var logs = old.partitions
        for p in old.meta.partitions..<count {
            var config = logConfiguration
            config.segmentBytes = Int(meta.config.segmentBytes)
            config.segmentMs = meta.config.segmentMs
            logs.append(try PartitionLog(directory: "\(topicsDirectory)/\(name)/\(p)", configuration: config))
        }
        try writeMeta(meta)
        let topic = Topic(meta: meta, partitions: logs)
        topics[name] = topic
        return topic
    }

    /// Replaces a topic's config durably; its logs take the new segment size for the segments
    /// they roll from now on.
    @discardableResult
    public func setConfig(name: String, config: TopicConfig) throws -> Topic {
        guard let old = topics[name] else { throw StoreError.unknownTopic(name) }
        var meta = old.meta
        meta.config = config
        try writeMeta(meta)
        for log in old.partitions {
            log.configuration.segmentBytes = Int(config.segmentBytes)
            log.configuration.segmentMs = config.segmentMs
        }
        let topic = Topic(meta: meta, partitions: old.partitions)
        topics[name] = topic
        return topic
    }

    /// `topic.json` written to a temporary file, flushed and renamed over the old one.
    private func writeMeta(_ meta: TopicMeta) throws {
        do { try DurableFile.replace(topicsDirectory + "/" + meta.name + "/topic.json", with: try JSONEncoder().encode(meta)) } catch let e as DurableFile.Failure {
            throw StoreError.io(e.description)
        }
    }

    /// Removes a topic: its description goes first (so a crash midway never resurrects it), then its data.
    public func deleteTopic(name: String) throws {
        guard topics[name] != nil else { throw StoreError.unknownTopic(name) }
        let dir = topicsDirectory + "/" + name
        let trash = topicsDirectory + "/.deleted-\(name)-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(dir, trash) == 0 else { throw StoreError.io("cannot delete \(dir): \(String(cString: strerror(errno)))") }
        topics[name] = nil
        try? FileManager.default.removeItem(atPath: trash)
    }

    public func partition(_ topic: String, _ index: Int32) -> PartitionLog? {
        guard let t = topics[topic], index >= 0, Int(index) < t.partitions.count else { return nil }
        return t.partitions[Int(index)]
    }
}
