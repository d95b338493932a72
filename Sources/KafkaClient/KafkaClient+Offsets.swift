import KafkaProtocol

/// Offsets of one partition as its leader reports them.
public struct PartitionOffsets: Sendable, Equatable {
    public var highWatermark: Int64?
    public var lastStableOffset: Int64?
    public var logStartOffset: Int64?
    public var error: KafkaErrorCode?
    public init(highWatermark: Int64?, lastStableOffset: Int64? = nil, logStartOffset: Int64? = nil, error: KafkaErrorCode? = nil) {
        self.highWatermark = highWatermark; self.lastStableOffset = lastStableOffset
        self.logStartOffset = logStartOffset; self.error = error
    }
    /// Not read: neither offsets nor an error code from a leader.
    public static let unread = PartitionOffsets(highWatermark: nil)
    public var isUnread: Bool { highWatermark == nil && error == nil }
}

extension KafkaClient {
    /// ListOffsets for `timestamp` (-1 latest, -2 earliest), one request per leader.
    public func listOffsets(_ leaders: [TopicPartition: Int32], timestamp: Int64) async -> [TopicPartition: Result<Int64, KafkaClientError>] {
        await perLeader(leaders) { tps, leader in await self.listOffsets(tps, leader: leader, timestamp: timestamp) }
    }

    /// Runs `body` for each leader's partitions, all leaders at once, and merges the answers.
    private func perLeader<T: Sendable>(_ leaders: [TopicPartition: Int32],
                                        _ body: @escaping @Sendable ([TopicPartition], Int32) async -> [TopicPartition: T]) async -> [TopicPartition: T] {
        var out: [TopicPartition: T] = [:]
        out.reserveCapacity(leaders.count)
        let byLeader = Dictionary(grouping: leaders.keys) { leaders[$0]! }
        await withTaskGroup(of: [TopicPartition: T].self) { tasks in
            for (leader, tps) in byLeader { tasks.addTask { await body(tps, leader) } }
            for await part in tasks { out.merge(part) { a, _ in a } }
        }
        return out
    }

    private func listOffsets(_ tps: [TopicPartition], leader: Int32, timestamp: Int64) async -> [TopicPartition: Result<Int64, KafkaClientError>] {
        let topics = Dictionary(grouping: tps, by: \.topic).map { name, parts in
            ListOffsetsRequest.Topic(name: name, partitions: parts.map { .init(partitionIndex: $0.partition, timestamp: timestamp) })
        }
        do {
            let address = try address(of: leader)
            let r = try await send(ListOffsetsRequest(topics: topics), to: address)
            var out: [TopicPartition: Result<Int64, KafkaClientError>] = [:]
            for t in r.topics {
                for p in t.partitions {
                    out[TopicPartition(t.name, p.partitionIndex)] = p.errorCode.isOK
                        ? .success(p.offset)
                        : .failure(.brokerError(api: .listOffsets, broker: address.description, code: p.errorCode))
                }
            }
            return out
        } catch {
            let e = (error as? KafkaClientError) ?? .disconnected(broker: "\(leader)")
            return Dictionary(uniqueKeysWithValues: tps.map { ($0, .failure(e)) })
        }
    }

    /// High watermark, last stable offset and log start offset per partition, read from Fetch
    /// responses (one request per leader, at most one record batch returned in all).
    ///
    /// Fetch is used instead of ListOffsets(LATEST) because some Kafka-protocol brokers answer the
    /// latter with the base offset of the last batch + 1 (tansu 0.6), while every broker's Fetch
    /// high watermark is the one consumers see. Each query's `positions` gives its partitions'
    /// fetch offsets (any offset inside the log; the previous high watermark is ideal).
    ///
    /// Answers come back aligned with the queries, as plain values (no per-partition error
    /// objects), so a caller that keeps its partitions in arrays neither hashes nor allocates per
    /// partition on each refresh.
    public func fetchOffsets(_ queries: [EndOffsetQuery]) async -> EndOffsets {
        var out = EndOffsets(offsets: queries.map { [PartitionOffsets](repeating: .unread, count: $0.partitions.count) }, failures: [:])
        // Per leader: which (query, partition index) pairs it serves, in query order.
        var byLeader: [Int32: [(query: Int, indices: [Int])]] = [:]
        for (qi, q) in queries.enumerated() {
            var mine: [Int32: [Int]] = [:]
            for (i, leader) in q.leaders.enumerated() where leader >= 0 { mine[leader, default: []].append(i) }
            for (leader, indices) in mine { byLeader[leader, default: []].append((qi, indices)) }
        }
        await withTaskGroup(of: (Int32, [(query: Int, indices: [Int])], Result<[[PartitionOffsets]], KafkaClientError>).self) { tasks in
            for (leader, work) in byLeader {
                let request = FetchRequest(maxWaitMs: 1, minBytes: 0, maxBytes: 1, isolationLevel: 0, topics: work.map { w in
                    let q = queries[w.query]
                    return FetchRequest.Topic(topic: q.topic, partitions: w.indices.map {
                        .init(partition: q.partitions[$0], fetchOffset: max(q.positions[$0], 0), partitionMaxBytes: 1)
                    })
                })
                tasks.addTask { (leader, work, await self.fetchOffsets(request, leader: leader)) }
            }
            for await (leader, work, answer) in tasks {
                switch answer {
                case let .success(answers):
                    for (w, topicAnswers) in zip(work, answers) {
                        for (i, a) in zip(w.indices, topicAnswers) { out.offsets[w.query][i] = a }
                    }
                case let .failure(e):
                    out.failures[leader] = e
                }
            }
        }
        return out
    }

    /// One leader's Fetch, answered per requested topic and partition in the request's order;
    /// a partition the response leaves out reads as `unknownServerError`.
    private func fetchOffsets(_ request: FetchRequest, leader: Int32) async -> Result<[[PartitionOffsets]], KafkaClientError> {
        // max_wait must be ≥ 1 ms: tansu answers max_wait 0 with no partitions at all.
        let missing = PartitionOffsets(highWatermark: nil, error: .unknownServerError)
        var out = request.topics.map { [PartitionOffsets](repeating: missing, count: $0.partitions.count) }
        do {
            let r = try await send(request, to: try address(of: leader))
            var topicIndex: [String: Int]?
            for (j, t) in r.responses.enumerated() {
                // Brokers answer in request order; look names up only when one does not.
                let ti: Int
                if j < request.topics.count && request.topics[j].topic == t.topic { ti = j } else {
                    if topicIndex == nil {
                        topicIndex = Dictionary(request.topics.enumerated().map { ($1.topic, $0) }, uniquingKeysWith: { a, _ in a })
                    }
                    guard let found = topicIndex?[t.topic] else { continue }
                    ti = found
                }
                let asked = request.topics[ti].partitions
                var partIndex: [Int32: Int]?
                for (k, p) in t.partitions.enumerated() {
                    let pi: Int
                    if k < asked.count && asked[k].partition == p.partitionIndex { pi = k } else {
                        if partIndex == nil {
                            partIndex = Dictionary(asked.enumerated().map { ($1.partition, $0) }, uniquingKeysWith: { a, _ in a })
                        }
                        guard let found = partIndex?[p.partitionIndex] else { continue }
                        pi = found
                    }
                    out[ti][pi] = p.errorCode.isOK
                        ? PartitionOffsets(highWatermark: p.highWatermark >= 0 ? p.highWatermark : nil,
                                           lastStableOffset: p.lastStableOffset >= 0 ? p.lastStableOffset : nil,
                                           logStartOffset: p.logStartOffset >= 0 ? p.logStartOffset : nil,
                                           error: p.highWatermark >= 0 ? nil : .unknownServerError)
                        : PartitionOffsets(highWatermark: nil, error: p.errorCode)
                }
            }
            return .success(out)
        } catch {
            return .failure((error as? KafkaClientError) ?? .disconnected(broker: "node \(leader)"))
        }
    }
}

/// End offsets read by ``KafkaClient/fetchOffsets(_:)``, aligned with its queries.
public struct EndOffsets: Sendable {
    /// `offsets[t][i]` answers `queries[t].partitions[i]`: a high watermark, or the error code the
    /// leader gave for that partition. ``PartitionOffsets/unread`` where the partition has no
    /// leader or its leader is in `failures`.
    public var offsets: [[PartitionOffsets]]
    /// Leaders that could not be asked or did not answer, and why.
    public var failures: [Int32: KafkaClientError]
    public init(offsets: [[PartitionOffsets]], failures: [Int32: KafkaClientError]) { self.offsets = offsets; self.failures = failures }
}

/// One topic's partitions whose end offsets to read, as parallel arrays.
public struct EndOffsetQuery: Sendable {
    public var topic: String
    public var partitions: [Int32]
    /// Leader of each partition; negative when there is none (the partition is skipped).
    public var leaders: [Int32]
    /// Fetch offset for each partition.
    public var positions: [Int64]
    public init(topic: String, partitions: [Int32], leaders: [Int32], positions: [Int64]) {
        self.topic = topic; self.partitions = partitions; self.leaders = leaders; self.positions = positions
    }
}
