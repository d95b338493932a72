@testable import Dataflow

/// What keyed tumbling or sliding event-time windows with a count must emit for an input read
/// in order from one partition, with the watermark after each record = max time − bound − 1:
/// computed here independently of the engine, to compare with what a job wrote.
struct ReferenceWindows {
    let size: Int64
    let slide: Int64
    let outOfOrderness: Int64
    let lateness: Int64

    struct Emission: Hashable, CustomStringConvertible {
        var key: String, start: Int64, end: Int64, count: Int64
        var description: String { "\(key)@\(start)-\(end)=\(count)" }
    }

    func run(_ input: [(key: String, time: Int64)]) -> (emitted: [Emission], late: [Int64]) {
        var wm = Int64.min
        var counts: [String: [Int64: Int64]] = [:]   // key → window start → count
        var fired: Set<String> = []                    // "key@start"
        var emitted: [Emission] = []
        var late: [Int64] = []
        func windows(_ t: Int64) -> [Int64] {
            var out: [Int64] = []
            var start = t - ((t % slide) + slide) % slide
            while start > t - size { out.append(start); start -= slide }
            return out
        }
        func isLate(_ start: Int64) -> Bool { wm != .min && start + size - 1 + lateness <= wm }
        for (key, t) in input {
            var placed = false
            for start in windows(t) where !isLate(start) {
                placed = true
                counts[key, default: [:]][start, default: 0] += 1
                if start + size - 1 <= wm {
                    emitted.append(Emission(key: key, start: start, end: start + size, count: counts[key]![start]!))
                    fired.insert("\(key)@\(start)")
                }
            }
            if !placed { late.append(t) }
            let next = t - outOfOrderness - 1
            if next > wm {
                wm = next
                for (k, byStart) in counts {
                    for (start, n) in byStart where start + size - 1 <= wm && !fired.contains("\(k)@\(start)") {
                        emitted.append(Emission(key: k, start: start, end: start + size, count: n))
                        fired.insert("\(k)@\(start)")
                    }
                }
                for k in counts.keys { counts[k] = counts[k]!.filter { !isLate($0.key) } }
            }
        }
        return (emitted, late)
    }
}
