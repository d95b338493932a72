import ConsoleModel
import Display
import Foundation

/// `sluice slots`: a Postgres server's replication slots as text or as the stable JSON form
/// documented in docs/slots.md.
public enum SlotsReport {
    public struct Document: Codable, Equatable {
        public var time: String
        public var server: String
        public var currentLsn: String
        public var maxSlotWalKeepSizeBytes: Int64?
        public var slots: [Slot]

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(time, forKey: .time); try c.encode(server, forKey: .server); try c.encode(currentLsn, forKey: .currentLsn)
            try c.encode(maxSlotWalKeepSizeBytes, forKey: .maxSlotWalKeepSizeBytes); try c.encode(slots, forKey: .slots)
        }
    }

    public struct Slot: Codable, Equatable {
        public var slot: String
        public var plugin: String?
        public var slotType: String
        public var database: String?
        public var temporary: Bool
        public var active: Bool
        public var activePid: Int32?
        public var restartLsn: String?
        public var confirmedFlushLsn: String?
        public var walStatus: String?
        public var safeWalSizeBytes: Int64?
        public var retainedBytes: Int64?
        public var flushLagBytes: Int64?
        public var retainedBytesPerSecond: Double?
        public var status: String
        public var remedy: String?
        public var capture: Capture?

        // Every key present, null when unknown, as in `sluice lag --json`.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(slot, forKey: .slot); try c.encode(plugin, forKey: .plugin); try c.encode(slotType, forKey: .slotType)
            try c.encode(database, forKey: .database); try c.encode(temporary, forKey: .temporary); try c.encode(active, forKey: .active)
            try c.encode(activePid, forKey: .activePid); try c.encode(restartLsn, forKey: .restartLsn)
            try c.encode(confirmedFlushLsn, forKey: .confirmedFlushLsn); try c.encode(walStatus, forKey: .walStatus)
            try c.encode(safeWalSizeBytes, forKey: .safeWalSizeBytes); try c.encode(retainedBytes, forKey: .retainedBytes)
            try c.encode(flushLagBytes, forKey: .flushLagBytes); try c.encode(retainedBytesPerSecond, forKey: .retainedBytesPerSecond)
            try c.encode(status, forKey: .status); try c.encode(remedy, forKey: .remedy); try c.encode(capture, forKey: .capture)
        }
    }

    public struct Capture: Codable, Equatable {
        public var name: String
        public var state: String
        public var lagMs: Int64?
        public var changes: Int64
        public var lastError: String?

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(state, forKey: .state); try c.encode(lagMs, forKey: .lagMs)
            try c.encode(changes, forKey: .changes); try c.encode(lastError, forKey: .lastError)
        }
    }

    public static func document(_ state: SlotState) -> Document? {
        guard let s = state.latest else { return nil }
        return Document(time: LagReport.iso8601(s.time), server: s.server, currentLsn: SlotSnapshot.lsnText(s.currentLSN),
                        maxSlotWalKeepSizeBytes: s.maxSlotWalKeepSize, slots: state.slots.map { x in
            Slot(slot: x.slot.name, plugin: x.slot.plugin, slotType: x.slot.slotType, database: x.slot.database, temporary: x.slot.temporary,
                 active: x.slot.active, activePid: x.slot.activePid, restartLsn: x.slot.restartLSN.map(SlotSnapshot.lsnText),
                 confirmedFlushLsn: x.slot.confirmedFlushLSN.map(SlotSnapshot.lsnText), walStatus: x.slot.walStatus,
                 safeWalSizeBytes: x.slot.safeWalSize, retainedBytes: x.retainedBytes, flushLagBytes: x.flushLagBytes,
                 retainedBytesPerSecond: x.retainedRate.map { ($0 * 10).rounded() / 10 }, status: x.status.rawValue, remedy: x.remedy,
                 capture: x.capture.map { Capture(name: $0.name, state: $0.state, lagMs: $0.lagMs, changes: $0.changes, lastError: $0.lastError) })
        })
    }

    public static func json(_ doc: Document) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(doc), as: UTF8.self)
    }

    /// A header line, a table, then each troubled slot's remedy. Remote names are sanitised.
    public static func text(_ state: SlotState) -> String {
        guard let s = state.latest else { return "no reading\n" }
        let keep = s.maxSlotWalKeepSize.map { Format.bytes($0) } ?? "unlimited"
        var out = "SERVER \(DisplayText.cell(s.server, width: 120)): WAL at \(SlotSnapshot.lsnText(s.currentLSN)), "
            + "\(s.slots.count) slot\(s.slots.count == 1 ? "" : "s"), max_slot_wal_keep_size \(keep)\n"
        guard !state.slots.isEmpty else { return out + "no replication slots\n" }
        let header = ["SLOT", "PLUGIN", "TYPE", "DATABASE", "ACTIVE", "PID", "RESTART-LSN", "CONFIRMED-LSN", "RETAINED", "RATE/s",
                      "WAL-STATUS", "CAPTURE", "CAPTURE-LAG", "STATUS"]
        let rows = state.slots.map(cells)
        var widths = header.map(DisplayText.width)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], DisplayText.width(c)) } }
        let right: Set<Int> = [5, 8, 9, 12]
        func line(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { i, cw in DisplayText.padded(cw.0, width: cw.1, alignRight: right.contains(i)) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        out += line(header) + "\n"
        for r in rows { out += line(r) + "\n" }
        for x in state.slots where x.status.isAlert {
            out += "\n\(x.status.rawValue) \(DisplayText.cell(x.slot.name, width: 64)): \(DisplayText.sanitize(SlotState.alertMessage(x)))\n"
            if let remedy = x.remedy { out += "  what to do: \(DisplayText.sanitize(remedy))\n" }
        }
        for x in state.slots where x.capture?.lastError != nil {
            out += "\ncapture \(DisplayText.cell(x.capture!.name, width: 64)) \(x.capture!.state): \(DisplayText.cell(x.capture!.lastError!, width: 400))\n"
        }
        return out
    }

    /// One slot's cells, in the header's order, sanitised and cut.
    static func cells(_ x: SlotSummary) -> [String] {
        let lsn = { (l: UInt64?) -> String in l.map(SlotSnapshot.lsnText) ?? "-" }
        var c: [String] = [x.slot.name, x.slot.plugin ?? "-", x.slot.slotType, x.slot.database ?? "-"]
        c.append(x.slot.active ? "yes" : "no")
        c.append(x.slot.activePid.map { String($0) } ?? "-")
        c += [lsn(x.slot.restartLSN), lsn(x.slot.confirmedFlushLSN)]
        c.append(x.retainedBytes.map { Format.bytes($0) } ?? "-")
        c.append(rate(x.retainedRate))
        c.append(x.slot.walStatus ?? "-")
        c.append(x.capture.map { "\($0.name) \($0.state)" } ?? "-")
        c.append(x.capture?.lagMs.map { Format.millis($0) } ?? "-")
        c.append(x.status.rawValue)
        return c.map { DisplayText.cell($0, width: 48) }
    }

    /// Bytes per second, signed: "+1.2 MiB", "-300 B", "0".
    public static func rate(_ r: Double?) -> String {
        guard let r, r.isFinite else { return "-" }
        if abs(r) < 1 { return "0" }
        return (r > 0 ? "+" : "-") + Format.bytes(Int64(abs(r)))
    }

    /// "1073741824", "512MB", "1GiB", "64 KiB" → bytes (K, M, G, T in powers of 1024, with or without iB/B).
    public static func parseBytes(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = t.prefix { $0.isNumber || $0 == "." }
        guard let n = Double(digits), n >= 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let exponents: [String: Int] = ["": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20,
                                        "G": 30, "GB": 30, "GIB": 30, "T": 40, "TB": 40, "TIB": 40]
        guard let e = exponents[unit] else { return nil }
        let p = Double(Int64(1) << e)
        guard n * p < 9e18 else { return nil }
        return Int64(n * p)
    }
}
