/// A window operator's checkpointed state (docs/checkpoints.md, State format): its watermark,
/// every open pane with each key's running values, and every key's sessions. Timers are not
/// written: they follow from the windows and are set again on restore.
extension WindowOperator {
    public func snapshotState(_ out: inout StateWriter) {
        out.int(currentWatermark)
        out.count(order.count)
        for w in order {
            let pane = panes[w]!
            out.int(w.start); out.int(w.end); out.bool(pane.fired)
            out.count(pane.slots.count)
            let width = aggregation.outputs.count
            for (slot, key) in pane.slots.keys.enumerated() {
                out.value(key)
                for i in slot * width ..< (slot + 1) * width { pane.states[i].write(&out) }
            }
        }
        out.count(sessions.count)
        for (key, list) in sessions {
            out.value(key)
            out.count(list.count)
            for s in list {
                out.int(s.window.start); out.int(s.window.end); out.bool(s.fired)
                for a in s.state { a.write(&out) }
            }
        }
    }

    public func restoreState(_ input: inout StateReader, owns: (Value) -> Bool) throws {
        // Snapshots of several old subtasks meet here: the watermark is the lowest of theirs.
        let watermark = try input.int()
        currentWatermark = restored ? min(currentWatermark, watermark) : watermark
        restored = true
        let width = aggregation.outputs.count
        for _ in 0..<(try input.count()) {
            let w = WindowAssigner.Window(start: try input.int(), end: try input.int())
            let fired = try input.bool()
            let pane: Pane
            if let p = panes[w] { pane = p } else {
                pane = Pane()
                panes[w] = pane
                order.insert(w, at: order.firstIndex { w < $0 } ?? order.endIndex)
            }
            pane.fired = pane.fired || fired
            for _ in 0..<(try input.count()) {
                let key = try input.value()
                var states: [Aggregation.Accumulator] = []
                for _ in 0..<width { states.append(try Aggregation.Accumulator(&input)) }
                guard owns(key) else { continue }
                let (slot, isNew) = pane.slots.slot(for: key, hash: key.stableHash)
                if isNew { pane.states += states } else {
                    let merged = aggregation.merge(Array(pane.states[slot * width ..< (slot + 1) * width]), states)
                    pane.states.replaceSubrange(slot * width ..< (slot + 1) * width, with: merged)
                }
            }
        }
        lastWindow = nil; lastPane = nil
        for _ in 0..<(try input.count()) {
            let key = try input.value()
            var list: [Session] = []
            for _ in 0..<(try input.count()) {
                let w = WindowAssigner.Window(start: try input.int(), end: try input.int())
                let fired = try input.bool()
                var state: [Aggregation.Accumulator] = []
                for _ in 0..<width { state.append(try Aggregation.Accumulator(&input)) }
                list.append(Session(window: w, state: state, fired: fired))
            }
            guard owns(key) else { continue }
            sessions[key, default: []] += list
            for s in list {
                sessionTimers.push(s.window.maxTimestamp, key)
                if allowedLateness > 0 { sessionTimers.push(s.window.maxTimestamp &+ allowedLateness, key) }
            }
        }
    }
}

extension Aggregation.Accumulator {
    func write(_ out: inout StateWriter) {
        out.int(count); out.int(intSum); out.double(doubleSum); out.bool(isDouble); out.optionalValue(extreme)
    }

    init(_ input: inout StateReader) throws {
        self.init()
        count = try input.int(); intSum = try input.int(); doubleSum = try input.double(); isDouble = try input.bool()
        extreme = try input.optionalValue()
    }
}
