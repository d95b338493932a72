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
    /// Answers come back aligned with the queries — `answer[t][i]` is for
    /// `queries[t].partitions[i]`, `nil` where the leader is unknown (negative) — so a caller
    /// that keeps its partitions in arrays never hashes a topic-partition per refresh.
    public func fetchOffsets(_ queries: [EndOffsetQuery]) async -> [[Result<PartitionOffsets, KafkaClientError>?]] {
        var out = queries.map { [Result<PartitionOffsets, KafkaClientError>?](repeating: nil, count: $0.partitions.count) }
        // Per leader: which (query, partition index) pairs it serves, in query order.
        var byLeader: [Int32: [(query: Int, indices: [Int])]] = [:]
        for (qi, q) in queries.enumerated() {
            var mine: [Int32: [Int]] = [:]
            for (i, leader) in q.leaders.enumerated() where leader >= 0 { mine[leader, default: []].append(i) }
            for (leader, indices) in mine { byLeader[leader, default: []].append((qi, indices)) }
        }
        await withTaskGroup(of: (Int32, [(query: Int, indices: [Int])], [[Result<PartitionOffsets, KafkaClientError>]]).self) { tasks in
            for (leader, work) in byLeader {
                let request = FetchRequest(maxWaitMs: 1, minBytes: 0, maxBytes: 1, isolationLevel: 0, topics: work.map { w in
                    let q = queries[w.query]
                    return FetchRequest.Topic(topic: q.topic, partitions: w.indices.map {
                        .init(partition: q.partitions[$0], fetchOffset: max(q.positions[$0], 0), partitionMaxBytes: 1)
                    })
                })
                tasks.addTask { (leader, work, await self.fetchOffsets(request, leader: leader)) }
            }
            for await (_, work, answers) in tasks {
                for (w, topicAnswers) in zip(work, answers) {
                    for (i, a) in zip(w.indices, topicAnswers) { out[w.query][i] = a }
                }
            }
        }
        return out
    }

    /// One leader's Fetch, answered per requested topic and partition in the request's order.
    private func fetchOffsets(_ request: FetchRequest, leader: Int32) async -> [[Result<PartitionOffsets, KafkaClientError>]] {
        // max_wait must be ≥ 1 ms: tansu answers max_wait 0 with no partitions at all.
        let broker = (try? address(of: leader))?.description ?? "node \(leader)"
        let missing = Result<PartitionOffsets, KafkaClientError>.failure(.brokerError(api: .fetch, broker: broker, code: .unknownServerError))
        var out = request.topics.map { [Result<PartitionOffsets, KafkaClientError>](repeating: missing, count: $0.partitions.count) }
        do {
            let address = try address(of: leader)
            let r = try await send(request, to: address)
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
                        ? .success(PartitionOffsets(highWatermark: p.highWatermark >= 0 ? p.highWatermark : nil,
                                                    lastStableOffset: p.lastStableOffset >= 0 ? p.lastStableOffset : nil,
                                                    logStartOffset: p.logStartOffset >= 0 ? p.logStartOffset : nil))
                        : .failure(.brokerError(api: .fetch, broker: address.description, code: p.errorCode))
                }
            }
            return out
        } catch {
            let e = (error as? KafkaClientError) ?? .disconnected(broker: broker)
            return request.topics.map { [Result<PartitionOffsets, KafkaClientError>](repeating: .failure(e), count: $0.partitions.count) }
        }
    }
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
