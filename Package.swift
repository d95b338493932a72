// swift-tools-version: 6.1
import PackageDescription

/// The per-record paths of jobs: exclusivity is checked statically and in debug builds (the
/// tests); release builds skip the dynamic checks, which cost a job about 8 % of its CPU
/// (docs/benchmarks.md, engine jobs).
let recordPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own lifecycle: lets the REST server stop gracefully when the engine does.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        // The Postgres upsert sink (and change capture's SQL side).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // TLS to Postgres (sslmode=prefer/require); postgres-nio builds on it already.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Wire codec: pure, no I/O, shared by the client and (later) the engine's server.
        .target(name: "KafkaProtocol", dependencies: ["CCRC32C"]),
        // CRC-32C in hardware where the CPU has it (the only C besides the ncurses shim).
        .target(name: "CCRC32C"),
        .target(name: "KafkaClient", dependencies: [
            "KafkaProtocol", "KafkaFraming",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "ConsoleModel"),
        // The embedded engine's partitioned, durable log.
        .target(name: "StreamLog", dependencies: ["KafkaProtocol", "RecordCodecs"]),
        // Kafka's size-prefixed frames over NIO: shared by the client and the engine's server.
        .target(name: "KafkaFraming", dependencies: ["KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        // The embedded engine in-process: partitions, group commit, producers, transactions,
        // groups and offsets over StreamLog, with a Swift API; no wire.
        .target(name: "EngineCore", dependencies: [
            "KafkaProtocol", "StreamLog", "RecordCodecs",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The engine's Kafka front: frames, SASL, decode, call EngineCore, encode.
        .target(name: "KafkaServer", dependencies: [
            "KafkaProtocol", "KafkaFraming", "EngineCore", "StreamLog",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Jobs' records, expressions and operators (windows, watermarks, dedupe, temporal join) and
        // the job graph: pure, no threads and no engine (docs/jobs-engine.md).
        .target(name: "Dataflow", swiftSettings: recordPath),
        // Jobs running in the engine: a thread per subtask, bounded gates (backpressure), sources
        // and sinks over EngineCore in-process, Flink-named metrics.
        .target(name: "DataflowRuntime", dependencies: ["Dataflow", "EngineCore", "KafkaProtocol", "RecordCodecs", "StreamLog",
                                                       .product(name: "Logging", package: "swift-log")],
                swiftSettings: recordPath),
        // The engine's REST front: Flink's REST paths for the engine's jobs, over Hummingbird.
        .target(name: "EngineREST", dependencies: [
            "Dataflow", "DataflowRuntime", "JobSpec", "FlinkWire",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Connecting to Postgres: libpq-style URLs into postgres-nio's configuration, its errors in words.
        .target(name: "PostgresAccess", dependencies: [
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The idempotent upsert sink into Postgres (INSERT … ON CONFLICT DO UPDATE) behind the
        // runtime's ExternalSink seam (docs/checkpoints.md, Postgres).
        .target(name: "PostgresSink", dependencies: [
            "Dataflow", "DataflowRuntime", "PostgresAccess",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Change data capture from Postgres (pgoutput through the SQL interface) into engine topics
        // in Debezium's envelope (docs/capture.md).
        .target(name: "PostgresCapture", dependencies: [
            "Dataflow", "EngineCore", "KafkaProtocol", "PostgresAccess", "StreamLog",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // YAML job specs read into checked job definitions, errors with their line.
        .target(name: "JobSpec", dependencies: ["Dataflow", .product(name: "Yams", package: "Yams")]),
        // Flink's REST API as Codable values, both ways: read by FlinkClient, written by the engine's REST server.
        .target(name: "FlinkWire"),
        // Flink's REST API over HTTP: typed answers, job actions.
        .target(name: "FlinkClient", dependencies: [
            "FlinkWire",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // Observation sources: pollers (Kafka, Flink, Postgres slots) and their refresh loops behind one protocol.
        .target(name: "Connectors", dependencies: ["KafkaClient", "KafkaProtocol", "ConsoleModel", "FlinkClient", "CMalloc", "PostgresAccess",
                                                  .product(name: "PostgresNIO", package: "postgres-nio"),
                                                  .product(name: "Logging", package: "swift-log")]),
        // Recorded sessions (docs/recording.md): the file format, writer, reader, redaction.
        .target(name: "Recording", dependencies: ["ConsoleModel", "CZlib"]),
        // zlib from the system (zlib1g-dev), for gzip-compressed recordings and record batches.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Kafka's record batch codecs over Debian's libraries (docs/engine.md, Compression).
        .target(name: "RecordCodecs", dependencies: ["KafkaProtocol", "CZlib", "CLZ4", "CZstd", "CSnappy"]),
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        // glibc's malloc tuning (arena cap, trim), which the Glibc module does not expose.
        .target(name: "CMalloc"),
        // What the console, the CLI and a REST server share: job actions and ledger, contexts, lag report.
        .target(name: "Services", dependencies: [
            "ConsoleModel", "Connectors", "Display", "FlinkClient", "KafkaClient",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Cells, display width, styles and the Screen protocol (with a headless screen): no ncurses.
        .target(name: "Display"),
        .target(name: "CNCursesW", linkerSettings: [.linkedLibrary("ncursesw")]),
        // The real terminal: the Screen protocol over ncursesw.
        .target(name: "Terminal", dependencies: ["Display", "CNCursesW"]),
        .target(name: "Console", dependencies: [
            "ConsoleModel", "Display", "Connectors", "Services", "Recording",
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "sluice", dependencies: [
            "Console", "Connectors", "Services", "KafkaClient", "ConsoleModel", "Display", "Terminal", "FlinkClient", "KafkaServer", "EngineCore", "StreamLog", "CMalloc", "Recording",
            "DataflowRuntime", "EngineREST", "JobSpec", "PostgresSink", "PostgresCapture", "PostgresAccess",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // `make bench`: measurements printed beside the peers' (Benchmarks/run.sh).
        .executableTarget(name: "SluiceBench", dependencies: [
            "Console", "Connectors", "Services", "KafkaClient", "KafkaProtocol", "ConsoleModel", "Display", "FlinkClient", "Recording",
            "StreamLog", "RecordCodecs", "Dataflow", "DataflowRuntime", "EngineCore",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/SluiceBench"),
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol"]),
        .testTarget(name: "DataflowTests", dependencies: ["Dataflow"]),
        .testTarget(name: "JobSpecTests", dependencies: ["JobSpec", "Dataflow"]),
        .testTarget(name: "PostgresSinkTests", dependencies: ["PostgresSink", "PostgresAccess", "Dataflow"]),
        .testTarget(name: "PostgresCaptureTests", dependencies: ["PostgresCapture", "PostgresAccess", "Dataflow", "KafkaProtocol", "EngineFixtures",
                                                            .product(name: "Logging", package: "swift-log")]),
        // An in-process engine for the tests that run jobs (not shipped).
        .target(name: "EngineFixtures", dependencies: [
            "EngineCore", "StreamLog", "KafkaProtocol", "RecordCodecs", "Dataflow",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/EngineFixtures"),
        .testTarget(name: "EngineRESTTests", dependencies: [
            "EngineFixtures", "EngineREST", "DataflowRuntime", "Dataflow", "EngineCore", "StreamLog", "KafkaProtocol", "RecordCodecs", "FlinkClient",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DataflowRuntimeTests", dependencies: [
            "EngineFixtures", "DataflowRuntime", "Dataflow", "JobSpec", "EngineCore", "StreamLog", "KafkaProtocol", "RecordCodecs",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RecordCodecsTests", dependencies: ["RecordCodecs", "KafkaProtocol"]),
        .testTarget(name: "KafkaClientTests", dependencies: [
            "KafkaClient", "KafkaProtocol",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "FlinkWireTests", dependencies: ["FlinkWire"], resources: [.copy("Captured")]),
        .testTarget(name: "FlinkClientTests", dependencies: [
            "FlinkClient", "Connectors", "ConsoleModel",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "ConsoleModelTests", dependencies: ["ConsoleModel"]),
        .testTarget(name: "StreamLogTests", dependencies: ["StreamLog", "KafkaProtocol", "RecordCodecs"]),
        .testTarget(name: "EngineCoreTests", dependencies: [
            "EngineCore", "KafkaProtocol", "StreamLog",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "KafkaServerTests", dependencies: [
            "KafkaServer", "EngineCore", "KafkaClient", "KafkaProtocol", "StreamLog", "RecordCodecs",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DisplayTests", dependencies: ["Display"]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "ConsoleModel"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Display"]),
        .testTarget(name: "ConnectorsTests", dependencies: ["Connectors", "ConsoleModel", "KafkaClient", "KafkaProtocol", "FlinkClient", "CMalloc"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "ConsoleModel", "Display", "Services", "Connectors", "Recording"]),
        .testTarget(name: "IntegrationTests", dependencies: ["KafkaClient", "KafkaProtocol", "Connectors", "ConsoleModel", "Console", "Services", "FlinkClient",
                                                            "Recording", "Display"]),
        .testTarget(name: "ConsoleUITests"),
    ]
)
