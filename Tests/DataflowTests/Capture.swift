@testable import Dataflow

/// Collects what an operator emits, in order.
final class Capture: Collector {
    var records: [StreamRecord] = []
    var watermarks: [Int64] = []
    var late: [StreamRecord] = []
    var dead: [(String, StreamRecord)] = []
    func collect(_ record: inout StreamRecord) { records.append(record) }
    func emitWatermark(_ watermark: Int64) { watermarks.append(watermark) }
    func side(_ output: SideOutput, _ record: StreamRecord) {
        switch output {
        case .late: late.append(record)
        case .deadLetter(let reason): dead.append((reason, record))
        }
    }

    /// Window results as (key, start, end, count-or-first-output) tuples, in emission order.
    func windows(_ field: String = "n") -> [String] {
        records.map { r in
            "\(r.value.lookup(["k"])?.text ?? "?")@\(r.value.lookup(["windowStart"])?.text ?? "?")-\(r.value.lookup(["windowEnd"])?.text ?? "?")=\(r.value.lookup([field])?.text ?? "?")"
        }
    }
}

func rec(_ key: String, _ time: Int64, _ fields: [(String, Value)] = []) -> StreamRecord {
    StreamRecord(value: .object([("k", .string(key)), ("t", .int(time))] + fields), time: time, key: .string(key))
}
