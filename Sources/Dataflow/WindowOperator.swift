/// Keyed event-time windows with an aggregate, as Flink's WindowOperator with its event-time
/// trigger: a window fires when the watermark reaches its end − 1; with allowed lateness it is
/// kept that much longer, and each record arriving in that time updates it and fires it again;
/// a record whose every window is past its lateness goes to the late side output.
public final class WindowOperator: StreamOperator {
    public let name: String
    let assigner: WindowAssigner
    let aggregation: Aggregation
    let allowedLateness: Int64
    let keyName: String
    /// Every result's field names (one array for them all), and where each output goes.
    let resultNames: [String]
    let outputSlots: [Int]

    /// One window's running values for every key: slot k's at `states[k × width ..< (k+1) × width]`.
    final class Pane {
        var slots = KeySlots()
        var states: [Aggregation.Accumulator] = []
        var fired = false
    }

    /// Tumbling and sliding windows: one pane per window, holding every key's running values.
    var panes: [WindowAssigner.Window: Pane] = [:]
    /// Windows with panes, ordered by end (a handful at a time).
    var order: [WindowAssigner.Window] = []
    /// Session windows, per key.
    var sessions: [Value: [Session]] = [:]
    var sessionTimers = TimerHeap()
    private var scratch: [WindowAssigner.Window] = []
    /// The pane the last record went to: consecutive records mostly share a window.
    var lastWindow: WindowAssigner.Window? = nil
    var lastPane: Pane? = nil
    public internal(set) var currentWatermark = Int64.min
    /// Whether a snapshot was restored yet (the watermark is then the lowest restored).
    var restored = false

    struct Session { var window: WindowAssigner.Window; var state: [Aggregation.Accumulator]; var fired: Bool }

    public init(assigner: WindowAssigner, aggregation: Aggregation, allowedLateness: Int64, keyName: String) {
        self.assigner = assigner
        self.aggregation = aggregation
        self.allowedLateness = allowedLateness
        self.keyName = keyName
        // An output named like an earlier field takes its place (as setting a field does).
        var names = [keyName, "windowStart", "windowEnd"]
        outputSlots = aggregation.outputs.map { o in
            if let i = names.firstIndex(of: o.name) { return i }
            names.append(o.name)
            return names.count - 1
        }
        resultNames = names
        name = "Window(\(assigner.description), \(aggregation.outputs.map { "\($0.name)=\($0.function.rawValue)" }.joined(separator: ", ")))"
    }

    private func isLate(_ w: WindowAssigner.Window) -> Bool {
        currentWatermark != .min && w.maxTimestamp &+ allowedLateness <= currentWatermark
    }

    public var stateSize: Int {
        let entries = panes.values.reduce(0) { $0 + $1.slots.count } + sessions.values.reduce(0) { $0 + $1.count }
        return entries * (64 + 40 * aggregation.outputs.count)
    }

    public func process(_ record: inout StreamRecord, _ out: Collector) throws {
        let key = record.key ?? .null
        if case .session(let gap) = assigner { return try processSession(record, key: key, gap: gap, out) }
        if case .tumbling(let size) = assigner {  // one window: no list
            let start = record.time - WindowAssigner.floorMod(record.time, size)
            let w = WindowAssigner.Window(start: start, end: start + size)
            if isLate(w) { return try out.side(.late, record) }
            return try add(record, key: key, to: w, out)
        }
        assigner.windows(for: record.time, into: &scratch)
        var placed = false
        for w in scratch where !isLate(w) {
            placed = true
            try add(record, key: key, to: w, out)
        }
        if !placed { try out.side(.late, record) }
    }

    private func add(_ record: StreamRecord, key: Value, to w: WindowAssigner.Window, _ out: Collector) throws {
        let pane: Pane
        if w == lastWindow, let p = lastPane { pane = p } else if let p = panes[w] { pane = p; lastWindow = w; lastPane = p } else {
            pane = Pane()
            pane.fired = w.maxTimestamp <= currentWatermark  // due already: its keys fire as they come, below
            panes[w] = pane
            let i = order.firstIndex { w < $0 } ?? order.endIndex
            order.insert(w, at: i)
            lastWindow = w; lastPane = pane
        }
        let width = aggregation.outputs.count
        let (slot, isNew) = pane.slots.slot(for: key, hash: record.keyHash)
        if isNew { pane.states.append(contentsOf: aggregation.initial()) }
        aggregation.add(record.value, to: &pane.states, at: slot * width)
        if w.maxTimestamp <= currentWatermark {
            try emit(key: key, window: w, pane: pane, slot: slot, out)  // a late update within the lateness
        }
    }

    private func processSession(_ record: StreamRecord, key: Value, gap: Int64, _ out: Collector) throws {
        var merged = WindowAssigner.Window(start: record.time, end: record.time &+ gap)
        var list = sessions[key] ?? []
        let overlapping = list.indices.filter { list[$0].window.start <= merged.end && list[$0].window.end >= merged.start }
        for i in overlapping {
            merged.start = min(merged.start, list[i].window.start)
            merged.end = max(merged.end, list[i].window.end)
        }
        if isLate(merged) { try out.side(.late, record); return }
        var state = aggregation.initial()
        var fired = false
        for i in overlapping.reversed() {
            state = aggregation.merge(state, list[i].state)
            fired = fired || list[i].fired
            list.remove(at: i)
        }
        aggregation.add(record.value, to: &state)
        list.append(Session(window: merged, state: state, fired: fired))
        sessions[key] = list
        if merged.maxTimestamp <= currentWatermark {
            try emit(key: key, window: merged, state: state, out)
            list[list.count - 1].fired = true
            sessions[key] = list
        }
        sessionTimers.push(merged.maxTimestamp, key)
        if allowedLateness > 0 { sessionTimers.push(merged.maxTimestamp &+ allowedLateness, key) }
    }

    public func advance(to watermark: Int64, _ out: Collector) throws {
        guard watermark > currentWatermark else { return try out.emitWatermark(watermark) }
        currentWatermark = watermark
        if case .session = assigner { try advanceSessions(out) } else { try advancePanes(out) }
        try out.emitWatermark(watermark)
    }

    private func advancePanes(_ out: Collector) throws {
        var i = 0
        while i < order.count, order[i].maxTimestamp <= currentWatermark {
            let w = order[i]
            let pane = panes[w]!
            if !pane.fired {
                pane.fired = true
                for (slot, key) in pane.slots.keys.enumerated() { try emit(key: key, window: w, pane: pane, slot: slot, out) }
            }
            if isLate(w) {
                panes[w] = nil
                order.remove(at: i)
                if lastWindow == w { lastWindow = nil; lastPane = nil }
            } else { i += 1 }
        }
    }

    private func advanceSessions(_ out: Collector) throws {
        while let (time, key) = sessionTimers.popIfDue(currentWatermark) {
            _ = time
            guard var list = sessions[key] else { continue }
            for i in list.indices where !list[i].fired && list[i].window.maxTimestamp <= currentWatermark {
                list[i].fired = true
                try emit(key: key, window: list[i].window, state: list[i].state, out)
            }
            list.removeAll { isLate($0.window) }
            sessions[key] = list.isEmpty ? nil : list
        }
    }

    private func emit(key: Value, window: WindowAssigner.Window, pane: Pane, slot: Int, _ out: Collector) throws {
        try emit(key: key, window: window, state: pane.states, at: slot * aggregation.outputs.count, out)
    }

    private func emit(key: Value, window: WindowAssigner.Window, state: [Aggregation.Accumulator], at base: Int = 0, _ out: Collector) throws {
        var values: [Value] = [key, .int(window.start), .int(window.end)]
        values.reserveCapacity(resultNames.count)
        if outputSlots.count + 3 == resultNames.count {
            aggregation.write(state, at: base, into: &values)
        } else {
            var results: [Value] = []
            aggregation.write(state, at: base, into: &results)
            values += Array(repeating: .null, count: resultNames.count - 3)
            for (slot, v) in zip(outputSlots, results) { values[slot] = v }
        }
        var r = StreamRecord(value: .object(Value.Fields(names: resultNames, values: values)), time: window.maxTimestamp, key: key)
        try out.collect(&r)
    }
}

/// A min-heap of (time, key) timers; stale entries (their session merged away) are skipped
/// when popped.
struct TimerHeap {
    private var items: [(Int64, Value)] = []

    mutating func push(_ time: Int64, _ key: Value) {
        items.append((time, key))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].0 < items[parent].0 else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popIfDue(_ watermark: Int64) -> (Int64, Value)? {
        guard let top = items.first, top.0 <= watermark else { return nil }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l].0 < items[m].0 { m = l }
            if r < items.count, items[r].0 < items[m].0 { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }

    var count: Int { items.count }
}
