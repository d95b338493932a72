/// A replication slot's health (docs/slots.md), worst last.
public enum SlotStatus: String, Codable, Sendable, Comparable, CaseIterable {
    case ok = "OK"
    /// Its consumer falls further behind at every reading of the window: WAL piles up.
    case growing = "GROWING"
    /// It retains more WAL than the threshold.
    case high = "HIGH"
    /// Postgres will remove WAL it still needs at the next checkpoint (max_slot_wal_keep_size).
    case unreserved = "UNRESERVED"
    /// Postgres removed WAL it needed: its consumer cannot resume.
    case lost = "LOST"

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    public var isAlert: Bool { self != .ok }
}

/// One slot as the Slots view and `sluice slots` show it.
public struct SlotSummary: Sendable, Equatable {
    public var slot: SlotSnapshot.Slot
    /// Current WAL position minus the slot's restart LSN: WAL Postgres keeps for it.
    public var retainedBytes: Int64?
    /// Current WAL position minus what the consumer confirmed (restart LSN for physical slots).
    public var flushLagBytes: Int64?
    /// Change of retained bytes per second over the rate window (negative while it falls).
    public var retainedRate: Double?
    /// Retained bytes of the recent readings, oldest first (the trend column).
    public var trend: [Int64]
    public var status: SlotStatus
    /// When the status began (epoch seconds).
    public var statusSince: Double
    /// The engine's capture reading through this slot, when the engine was asked.
    public var capture: SlotSnapshot.Capture?
    /// What to do, for any status but OK.
    public var remedy: String?
}

/// Replication slots over time: keeps each slot's recent readings for trends, rates and the
/// GROWING rule, and derives ``SlotSummary`` values (pure, like the rest of the model).
public struct SlotState: Sendable {
    public struct Configuration: Sendable {
        /// Readings in the growth window: the consumer's lag must rise at each of them.
        public var window = 5
        /// …and by at least this much over the window, so small noise is not a trend.
        public var minimumGrowth: Int64 = 1 << 20
        /// Retained WAL above this is HIGH (bytes).
        public var retainedThreshold: Int64 = 1 << 30
        public var history = 64
        public var rateWindowSeconds: Double = 30
        public init() {}
    }

    struct Reading: Sendable { var time: Double; var retained: Int64?; var flushLag: Int64? }
    struct History: Sendable {
        var readings: RingBuffer<Reading>
        var status: SlotStatus = .ok
        var since: Double
    }

    public let configuration: Configuration
    public private(set) var latest: SlotSnapshot?
    public private(set) var slots: [SlotSummary] = []
    public private(set) var connected = false
    public private(set) var lastError: String?
    public private(set) var disconnectedSince: Double?
    var histories: [String: History] = [:]

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public mutating func apply(_ s: SlotSnapshot) {
        latest = s
        connected = true
        lastError = nil
        disconnectedSince = nil
        var next: [String: History] = [:]
        slots = s.slots.map { slot in
            let retained = slot.restartLSN.map { Self.distance(s.currentLSN, $0) }
            let flushLag = (slot.confirmedFlushLSN ?? slot.restartLSN).map { Self.distance(s.currentLSN, $0) }
            var h = histories[slot.name] ?? History(readings: RingBuffer(capacity: max(configuration.history, configuration.window)), since: s.time)
            h.readings.append(Reading(time: s.time, retained: retained, flushLag: flushLag))
            let status = evaluate(slot, retained: retained, readings: h.readings)
            if status != h.status { h.status = status; h.since = s.time }
            next[slot.name] = h
            let capture = s.captures?.first { $0.slot == slot.name && (slot.database == nil || $0.database == slot.database) }
            return SlotSummary(slot: slot, retainedBytes: retained, flushLagBytes: flushLag, retainedRate: rate(h.readings),
                               trend: h.readings.compactMap(\.retained), status: status, statusSince: h.since, capture: capture,
                               remedy: status == .ok ? nil : Self.remedy(slot, status))
        }
        histories = next
    }

    public mutating func fail(time: Double, message: String) {
        if connected || disconnectedSince == nil { disconnectedSince = time }
        connected = false
        lastError = message
    }

    /// Bytes from `from` up to `to`, never negative (a slot can be ahead of a standby's replay).
    static func distance(_ to: UInt64, _ from: UInt64) -> Int64 { to > from ? Int64(clamping: to - from) : 0 }

    func evaluate(_ slot: SlotSnapshot.Slot, retained: Int64?, readings: RingBuffer<Reading>) -> SlotStatus {
        if slot.walStatus == "lost" { return .lost }
        if slot.walStatus == "unreserved" { return .unreserved }
        if let retained, retained >= configuration.retainedThreshold { return .high }
        let window = readings.suffix(configuration.window).compactMap(\.flushLag)
        if window.count >= max(2, configuration.window),
           zip(window, window.dropFirst()).allSatisfy({ $0 < $1 }),
           window.last! - window.first! >= configuration.minimumGrowth {
            return .growing
        }
        return .ok
    }

    func rate(_ readings: RingBuffer<Reading>) -> Double? {
        guard let last = readings.last, let newest = last.retained else { return nil }
        let start = readings.first { last.time - $0.time <= configuration.rateWindowSeconds && $0.retained != nil }
        guard let start, let oldest = start.retained, last.time > start.time else { return nil }
        return Double(newest - oldest) / (last.time - start.time)
    }

    /// What an on-call engineer can do about a slot that keeps WAL (docs/slots.md, Remedies).
    public static func remedy(_ slot: SlotSnapshot.Slot, _ status: SlotStatus) -> String {
        let name = slot.name
        let consumer = slot.active ? "its consumer (pid \(slot.activePid.map(String.init) ?? "?")) is connected but behind"
                                   : "no consumer is connected"
        switch status {
        case .lost:
            return "WAL it needed is gone, its consumer cannot resume: drop it (SELECT pg_drop_replication_slot('\(name)')) and start its consumer afresh (a capture takes a new snapshot)"
        case .unreserved:
            return "the next checkpoint removes WAL it needs (max_slot_wal_keep_size): start or speed up its consumer now, or raise max_slot_wal_keep_size"
        case .high, .growing:
            return "\(consumer): start or fix it; if nothing will read the slot again, drop it (SELECT pg_drop_replication_slot('\(name)')); "
                + "to skip the backlog, advance it (SELECT pg_replication_slot_advance('\(name)', pg_current_wal_lsn())) and its consumer loses those changes; "
                + "cap what any slot may keep with max_slot_wal_keep_size"
        case .ok:
            return ""
        }
    }
}

extension SlotState {
    /// The alert line: what the slot keeps, how fast it grows, and the first thing to do.
    public static func alertMessage(_ s: SlotSummary) -> String {
        let kept = s.retainedBytes.map { "retains \(binaryBytes($0)) of WAL" } ?? "retains WAL"
        let growth = s.retainedRate.flatMap { $0 > 0 ? ", +\(binaryBytes(Int64($0)))/s" : nil } ?? ""
        let who = s.slot.active ? "consumer pid \(s.slot.activePid.map(String.init) ?? "?") behind" : "no consumer"
        switch s.status {
        case .lost: return "slot \(s.slot.name) lost WAL it needed: drop it and start its consumer afresh"
        case .unreserved: return "slot \(s.slot.name) \(kept); the next checkpoint removes WAL it needs (\(who))"
        case .high: return "slot \(s.slot.name) \(kept)\(growth), over the threshold (\(who)): start its consumer, or drop or advance the slot"
        case .growing: return "slot \(s.slot.name) \(kept)\(growth) and growing (\(who)): start its consumer, or drop or advance the slot"
        case .ok: return "slot \(s.slot.name) OK"
        }
    }
}
