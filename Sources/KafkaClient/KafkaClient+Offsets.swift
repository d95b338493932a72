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
    /// high watermark is the one consumers see. `positions` gives each partition's fetch offset
    /// (any offset inside the log; the previous high watermark is ideal).
    public func fetchOffsets(_ leaders: [TopicPartition: Int32], positions: [TopicPartition: Int64]) async -> [TopicPartition: Result<PartitionOffsets, KafkaClientError>] {
        await perLeader(leaders) { tps, leader in await self.fetchOffsets(tps, leader: leader, positions: positions) }
    }

    private func fetchOffsets(_ tps: [TopicPartition], leader: Int32, positions: [TopicPartition: Int64]) async -> [TopicPartition: Result<PartitionOffsets, KafkaClientError>] {
        let topics = Dictionary(grouping: tps, by: \.topic).sorted { $0.key < $1.key }.map { name, parts in
            FetchRequest.Topic(topic: name, partitions: parts.sorted().map {
                .init(partition: $0.partition, fetchOffset: max(positions[$0] ?? 0, 0), partitionMaxBytes: 1)
            })
        }
        // max_wait must be ≥ 1 ms: tansu answers max_wait 0 with no partitions at all.
        let request = FetchRequest(maxWaitMs: 1, minBytes: 0, maxBytes: 1, isolationLevel: 0, topics: topics)
        do {
            let address = try address(of: leader)
            let r = try await send(request, to: address)
            var out: [TopicPartition: Result<PartitionOffsets, KafkaClientError>] = [:]
            out.reserveCapacity(tps.count)
            for t in r.responses {
                for p in t.partitions {
                    let tp = TopicPartition(t.topic, p.partitionIndex)
                    if p.errorCode.isOK {
                        out[tp] = .success(PartitionOffsets(highWatermark: p.highWatermark >= 0 ? p.highWatermark : nil,
                                                            lastStableOffset: p.lastStableOffset >= 0 ? p.lastStableOffset : nil,
                                                            logStartOffset: p.logStartOffset >= 0 ? p.logStartOffset : nil))
                    } else {
                        out[tp] = .failure(.brokerError(api: .fetch, broker: address.description, code: p.errorCode))
                    }
                }
            }
            if out.count < tps.count {
                for tp in tps where out[tp] == nil {
                    out[tp] = .failure(.brokerError(api: .fetch, broker: address.description, code: .unknownServerError))
                }
            }
            return out
        } catch {
            let e = (error as? KafkaClientError) ?? .disconnected(broker: "\(leader)")
            return Dictionary(uniqueKeysWithValues: tps.map { ($0, .failure(e)) })
        }
    }
}
