/// Which event-time windows a record belongs to (Flink's window assigners). Windows are
/// [start, end) in ms; a window is due when the watermark reaches end − 1.
public enum WindowAssigner: Sendable, Equatable {
    case tumbling(size: Int64)
    case sliding(size: Int64, slide: Int64)
    case session(gap: Int64)

    public struct Window: Sendable, Hashable, Comparable {
        public var start: Int64
        public var end: Int64
        public init(start: Int64, end: Int64) { self.start = start; self.end = end }
        public var maxTimestamp: Int64 { end - 1 }
        public static func < (a: Window, b: Window) -> Bool { (a.end, a.start) < (b.end, b.start) }
    }

    public var description: String {
        switch self {
        case .tumbling(let s): return "TumblingEventTimeWindows(\(s))"
        case .sliding(let s, let sl): return "SlidingEventTimeWindows(\(s), \(sl))"
        case .session(let g): return "EventTimeSessionWindows(\(g))"
        }
    }

    /// The windows holding an event at `time` (a session's is its own, to be merged).
    public func windows(for time: Int64, into out: inout [Window]) {
        out.removeAll(keepingCapacity: true)
        switch self {
        case .tumbling(let size):
            let start = time - Self.floorMod(time, size)
            out.append(Window(start: start, end: start + size))
        case .sliding(let size, let slide):
            var start = time - Self.floorMod(time, slide)
            while start > time - size {
                out.append(Window(start: start, end: start + size))
                start -= slide
            }
        case .session(let gap):
            out.append(Window(start: time, end: time + gap))
        }
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { let r = a % b; return r < 0 ? r + b : r }
}
