/// `count: NAME`: adds field NAME, how many records of the record's key this operator has seen
/// (keyed state, checkpointed), and publishes the largest such count as the operator's metric
/// `maxCount` (as a Flink keyed map with a ValueState and a gauge does). After a keyBy.
public final class RunningCountOperator: StreamOperator {
    public let name: String
    let field: String
    private var counts: [Value: Int64] = [:]
    private var maxCount: Int64 = 0

    public init(field: String) { self.field = field; name = "Count(\(field))" }

    public var stateSize: Int { counts.count * 48 }
    public var metrics: [(String, Double)] { [("maxCount", Double(maxCount))] }

    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        let key = record.key ?? .null
        let n = (counts[key] ?? 0) + 1
        counts[key] = n
        if n > maxCount { maxCount = n }
        if case .object(var f) = record.value {
            f[field] = .int(n)
            record.value = .object(f)
        }
        try out.collect(&record)
    }

    public func snapshotState(_ out: inout StateWriter) {
        out.count(counts.count)
        for (k, n) in counts { out.value(k); out.int(n) }
    }

    public func restoreState(_ input: inout StateReader, owns: (Value) -> Bool) throws {
        let entries = try input.count()
        counts.reserveCapacity(counts.count + entries)  // one allocation, not a rehash per doubling
        for _ in 0..<entries {
            let k = try input.value(), n = try input.int()
            guard owns(k) else { continue }
            counts[k] = n
            maxCount = max(maxCount, n)
        }
    }
}
