/// Aligns a task's input channels on a checkpoint barrier (Flink's aligned checkpoints): once
/// a channel has delivered barrier n, what it sends next is held back until every other live
/// channel has delivered n too, so the snapshot holds exactly the records before the barrier
/// on every input. Ended channels count as aligned. A newer barrier while aligning abandons the
/// older checkpoint (the coordinator has given up on it).
struct BarrierAligner {
    private let channels: Int
    private var ended: Set<Int>
    /// The barrier being aligned, and the channels it has come from.
    private(set) var current: CheckpointBarrier?
    private var arrived: Set<Int> = []
    /// Elements held back per channel, in order; released when alignment ends.
    private var held: [Int: [Element]] = [:]
    private var released: [(Int, [Element])] = []
    /// When alignment began (for the checkpoint's alignment time).
    private(set) var alignmentStart: UInt64 = 0

    init(channels: Int, ended: Set<Int>) { self.channels = channels; self.ended = ended }

    enum Outcome: Equatable {
        /// Wait for more channels.
        case waiting
        /// Every live channel has delivered this barrier: snapshot and pass it on.
        case aligned(CheckpointBarrier)
    }

    func isBlocked(_ channel: Int) -> Bool { current != nil && arrived.contains(channel) }

    /// Holds an element of a blocked channel.
    mutating func hold(_ element: consuming Element, from channel: Int) { held[channel, default: []].append(element) }

    /// A barrier from `channel`; `now` in uptime nanoseconds.
    mutating func barrier(_ b: CheckpointBarrier, from channel: Int, now: UInt64) -> Outcome {
        if let c = current, b.id < c.id { return .waiting }  // an abandoned checkpoint's straggler
        if let c = current, b.id > c.id { releaseAll() }    // the older one was given up
        if current == nil || current!.id != b.id {
            current = b
            arrived = []
            alignmentStart = now
        }
        arrived.insert(channel)
        return checkAligned()
    }

    /// A channel ended: it no longer holds alignment back.
    mutating func end(_ channel: Int) -> Outcome {
        ended.insert(channel)
        return checkAligned()
    }

    private mutating func checkAligned() -> Outcome {
        guard let c = current else { return .waiting }
        for ch in 0..<channels where !arrived.contains(ch) && !ended.contains(ch) { return .waiting }
        releaseAll()
        return .aligned(c)
    }

    private mutating func releaseAll() {
        current = nil
        arrived = []
        for ch in held.keys.sorted() { released.append((ch, held[ch]!)) }
        held = [:]
    }

    var hasReleased: Bool { !released.isEmpty }

    /// Elements released by the last alignment, to be handled in order (each may block its
    /// channel again on a newer barrier).
    mutating func takeReleased() -> [(Int, [Element])] {
        defer { released = [] }
        return released
    }
}
