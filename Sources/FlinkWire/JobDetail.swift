import Foundation

/// `GET /jobs/:jid`.
public struct JobDetail: Codable, Sendable, Equatable {
    public init(jid: String, name: String, state: JobState, startTime: Int64?, endTime: Int64?, duration: Int64?, now: Int64?,
                vertices: [Vertex], plan: Plan?) {
        self.jid = jid; self.name = name; self.state = state; self.startTime = startTime; self.endTime = endTime
        self.duration = duration; self.now = now; self.vertices = vertices; self.plan = plan
    }
    public var jid: String
    public var name: String
    public var state: JobState
    public var startTime: Int64?
    public var endTime: Int64?
    public var duration: Int64?
    /// The JobManager's clock when it answered (ms).
    public var now: Int64?
    public var vertices: [Vertex]
    public var plan: Plan?

    public struct Vertex: Codable, Sendable, Equatable {
        public init(id: String, name: String, parallelism: Int, maxParallelism: Int?, status: String, startTime: Int64?, duration: Int64?,
                    tasks: [String: Int]?, metrics: JobDetail.Metrics?) {
            self.id = id; self.name = name; self.parallelism = parallelism; self.maxParallelism = maxParallelism; self.status = status
            self.startTime = startTime; self.duration = duration; self.tasks = tasks; self.metrics = metrics
        }
        public var id: String
        public var name: String
        public var parallelism: Int
        public var maxParallelism: Int?
        public var status: String
        public var startTime: Int64?
        public var duration: Int64?
        public var tasks: [String: Int]?
        public var metrics: Metrics?
        enum CodingKeys: String, CodingKey { case id, name, parallelism, maxParallelism, status, duration, tasks, metrics; case startTime = "start-time" }
    }

    /// Totals since the vertex started (records, bytes, and accumulated busy/backpressured/idle ms).
    public struct Metrics: Codable, Sendable, Equatable {
        public init(readRecords: Int64?, writeRecords: Int64?, readBytes: Int64?, writeBytes: Int64?, accumulatedBackpressuredTime: Double?,
                    accumulatedIdleTime: Double?, accumulatedBusyTime: Double?) {
            self.readRecords = readRecords; self.writeRecords = writeRecords; self.readBytes = readBytes; self.writeBytes = writeBytes
            self.accumulatedBackpressuredTime = accumulatedBackpressuredTime; self.accumulatedIdleTime = accumulatedIdleTime
            self.accumulatedBusyTime = accumulatedBusyTime
        }
        public var readRecords: Int64?
        public var writeRecords: Int64?
        public var readBytes: Int64?
        public var writeBytes: Int64?
        public var accumulatedBackpressuredTime: Double?
        public var accumulatedIdleTime: Double?
        public var accumulatedBusyTime: Double?
        enum CodingKeys: String, CodingKey {
            case readRecords = "read-records", writeRecords = "write-records", readBytes = "read-bytes", writeBytes = "write-bytes"
            case accumulatedBackpressuredTime = "accumulated-backpressured-time", accumulatedIdleTime = "accumulated-idle-time"
            case accumulatedBusyTime = "accumulated-busy-time"
        }
        // Flink writes a metric it cannot compute yet as the string "NaN": read numbers leniently.
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            readRecords = c.lenientNumber(.readRecords).map { Int64($0) }
            writeRecords = c.lenientNumber(.writeRecords).map { Int64($0) }
            readBytes = c.lenientNumber(.readBytes).map { Int64($0) }
            writeBytes = c.lenientNumber(.writeBytes).map { Int64($0) }
            accumulatedBackpressuredTime = c.lenientNumber(.accumulatedBackpressuredTime)
            accumulatedIdleTime = c.lenientNumber(.accumulatedIdleTime)
            accumulatedBusyTime = c.lenientNumber(.accumulatedBusyTime)
        }
        public func encode(to e: Encoder) throws {
            var c = e.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(readRecords, forKey: .readRecords); try c.encodeIfPresent(writeRecords, forKey: .writeRecords)
            try c.encodeIfPresent(readBytes, forKey: .readBytes); try c.encodeIfPresent(writeBytes, forKey: .writeBytes)
            try c.encodeIfPresent(accumulatedBackpressuredTime, forKey: .accumulatedBackpressuredTime)
            try c.encodeIfPresent(accumulatedIdleTime, forKey: .accumulatedIdleTime)
            try c.encodeIfPresent(accumulatedBusyTime, forKey: .accumulatedBusyTime)
        }
    }

    public struct Plan: Codable, Sendable, Equatable {
        public init(nodes: [Node]) { self.nodes = nodes }
        public var nodes: [Node]
        public struct Node: Codable, Sendable, Equatable {
            public init(id: String, parallelism: Int?, description: String?, inputs: [JobDetail.Plan.Input]?) {
                self.id = id; self.parallelism = parallelism; self.description = description; self.inputs = inputs
            }
            public var id: String
            public var parallelism: Int?
            public var description: String?
            public var inputs: [Input]?
        }
        public struct Input: Codable, Sendable, Equatable {
            public init(id: String, num: Int?, shipStrategy: String?, exchange: String?) {
                self.id = id; self.num = num; self.shipStrategy = shipStrategy; self.exchange = exchange
            }
            public var id: String
            public var num: Int?
            public var shipStrategy: String?
            public var exchange: String?
            enum CodingKeys: String, CodingKey { case id, num, exchange; case shipStrategy = "ship_strategy" }
        }
    }

    enum CodingKeys: String, CodingKey { case jid, name, state, duration, now, vertices, plan; case startTime = "start-time", endTime = "end-time" }
}
