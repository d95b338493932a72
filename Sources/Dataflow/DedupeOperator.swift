/// `dedupe`: the first record of each key passes; repeats within `ttl` of it (event time) are
/// dropped. The key's state expires when the watermark passes first-seen + ttl, as Flink's
/// state TTL drops a value not written since (docs/jobs-engine.md, Dedupe).
public final class DedupeOperator: StreamOperator {
    public let name: String
    let ttl: Int64
    private var firstSeen: [Value: Int64] = [:]
    private var expiries = TimerHeap()

    public init(ttl: Int64, keyText: String) {
        self.ttl = ttl
        name = "Dedupe(\(keyText), ttl \(ttl) ms)"
    }

    public var stateSize: Int { firstSeen.count * 48 }
    public var keys: Int { firstSeen.count }

    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        let key = record.key ?? .null
        if let t = firstSeen[key], record.time < t &+ ttl, record.time >= t &- ttl { return }
        firstSeen[key] = record.time
        expiries.push(record.time &+ ttl, key)
        try out.collect(&record)
    }

    public func advance(to watermark: Int64, _ out: Collector) throws {
        while let (_, key) = expiries.popIfDue(watermark) {
            if let t = firstSeen[key], t &+ ttl <= watermark { firstSeen[key] = nil }
        }
        try out.emitWatermark(watermark)
    }

    /// Each key with the time it was first seen; expiry timers follow from them on restore.
    public func snapshotState(_ out: inout StateWriter) {
        out.count(firstSeen.count)
        for (key, t) in firstSeen { out.value(key); out.int(t) }
    }

    public func restoreState(_ input: inout StateReader, owns: (Value) -> Bool) throws {
        let entries = try input.count()
        firstSeen.reserveCapacity(firstSeen.count + entries)
        for _ in 0..<entries {
            let key = try input.value(), t = try input.int()
            guard owns(key) else { continue }
            firstSeen[key] = t
            expiries.push(t &+ ttl, key)
        }
    }
}
