/// One reading of a Postgres server's replication slots (`pg_replication_slots`), and, when an
/// engine was asked too, its change captures (docs/slots.md).
public struct SlotSnapshot: Codable, Sendable, Equatable {
    /// When the reading was taken, epoch seconds.
    public var time: Double
    /// "host:port/database", as the user gave it (no password).
    public var server: String
    /// The server's WAL position now (`pg_current_wal_lsn()`, on a standby the last replayed).
    public var currentLSN: UInt64
    /// `max_slot_wal_keep_size` in bytes; nil when unlimited (-1, the default).
    public var maxSlotWalKeepSize: Int64?
    public var slots: [Slot]
    /// The engine's captures; nil when no engine was read (or it has no capture API).
    public var captures: [Capture]?

    public struct Slot: Codable, Sendable, Equatable {
        public var name: String
        /// The output plugin (`pgoutput`); nil for a physical slot.
        public var plugin: String?
        /// `logical` or `physical`.
        public var slotType: String
        public var database: String?
        public var temporary: Bool
        public var active: Bool
        public var activePid: Int32?
        public var restartLSN: UInt64?
        public var confirmedFlushLSN: UInt64?
        /// `reserved`, `extended`, `unreserved` or `lost`; nil when the slot never reserved WAL.
        public var walStatus: String?
        /// Bytes that can still be written before the slot loses WAL (with max_slot_wal_keep_size).
        public var safeWalSize: Int64?

        public init(name: String, plugin: String? = nil, slotType: String = "logical", database: String? = nil, temporary: Bool = false,
                    active: Bool = false, activePid: Int32? = nil, restartLSN: UInt64? = nil, confirmedFlushLSN: UInt64? = nil,
                    walStatus: String? = nil, safeWalSize: Int64? = nil) {
            self.name = name; self.plugin = plugin; self.slotType = slotType; self.database = database; self.temporary = temporary
            self.active = active; self.activePid = activePid; self.restartLSN = restartLSN; self.confirmedFlushLSN = confirmedFlushLSN
            self.walStatus = walStatus; self.safeWalSize = safeWalSize
        }
    }

    /// A change capture as the engine reports it (its REST `/captures`).
    public struct Capture: Codable, Sendable, Equatable {
        public var name: String
        public var slot: String
        public var database: String
        /// STARTING, SNAPSHOT, RUNNING or FAILED.
        public var state: String
        public var lastError: String?
        /// Commit in Postgres → record durable in the topic, of the latest transaction.
        public var lagMs: Int64?
        public var changes: Int64

        public init(name: String, slot: String, database: String, state: String, lastError: String? = nil, lagMs: Int64? = nil, changes: Int64 = 0) {
            self.name = name; self.slot = slot; self.database = database; self.state = state
            self.lastError = lastError; self.lagMs = lagMs; self.changes = changes
        }
    }

    public init(time: Double, server: String, currentLSN: UInt64, maxSlotWalKeepSize: Int64? = nil, slots: [Slot], captures: [Capture]? = nil) {
        self.time = time; self.server = server; self.currentLSN = currentLSN; self.maxSlotWalKeepSize = maxSlotWalKeepSize
        self.slots = slots; self.captures = captures
    }

    /// An LSN as Postgres writes it: `16/B374D848`.
    public static func lsnText(_ lsn: UInt64) -> String {
        String(lsn >> 32, radix: 16, uppercase: true) + "/" + String(lsn & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }
}
