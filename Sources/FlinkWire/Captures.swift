/// The engine's change captures (a Sluice extension beside Flink's paths, docs/capture.md):
/// `GET /captures` lists them, `POST /captures` adds one, `DELETE /captures/NAME` stops one.
public struct CapturesResponse: Codable, Sendable, Equatable {
    public var captures: [CaptureInfo]
    public init(captures: [CaptureInfo]) { self.captures = captures }
}

/// One capture and how it is doing.
public struct CaptureInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The Postgres URL without its password.
    public var url: String
    public var database: String
    public var publication: String
    public var slot: String
    public var tables: [String]
    /// STARTING, SNAPSHOT, RUNNING or FAILED.
    public var state: String
    public var lastError: String?
    public var changes: Int64
    public var snapshotRows: Int64
    /// The slot position confirmed after the records were durable, as Postgres writes it.
    public var confirmedLSN: String?
    /// Commit in Postgres → record durable in the topic, of the latest transaction (ms).
    public var lagMs: Int64?

    public init(name: String, url: String, database: String, publication: String, slot: String, tables: [String], state: String,
                lastError: String? = nil, changes: Int64 = 0, snapshotRows: Int64 = 0, confirmedLSN: String? = nil, lagMs: Int64? = nil) {
        self.name = name; self.url = url; self.database = database; self.publication = publication; self.slot = slot
        self.tables = tables; self.state = state; self.lastError = lastError; self.changes = changes
        self.snapshotRows = snapshotRows; self.confirmedLSN = confirmedLSN; self.lagMs = lagMs
    }
}

/// `POST /captures`: a capture as the engine's config file writes one (docs/capture.md).
public struct CaptureRequest: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    public var publication: String
    public var slot: String
    public var tables: [String]?
    public var partitions: Int32?
    public var pollMs: Int?
    public init(name: String, url: String, publication: String, slot: String, tables: [String]? = nil, partitions: Int32? = nil, pollMs: Int? = nil) {
        self.name = name; self.url = url; self.publication = publication; self.slot = slot
        self.tables = tables; self.partitions = partitions; self.pollMs = pollMs
    }
}
