import Connectors
import FlinkClient
import KafkaClient

/// What the console attaches to for one context: its observation sources, where job actions go,
/// and how the header names it.
public struct Connection: Sendable {
    public var sources: [any ObservationSource]
    /// `nil` when the context has no job control (no Flink, or a recording).
    public var jobControl: (any JobControl)?
    /// The Kafka bootstrap as the user gave it; empty when the context has no Kafka.
    public var kafkaLabel: String
    public var flinkLabel: String?
    /// Default target directory for savepoints taken from the console.
    public var savepointDir: String?
    /// Set when the connection plays a recording: the console's replay keys act on it.
    public var replay: ReplayControl?

    public init(sources: [any ObservationSource], jobControl: (any JobControl)? = nil, kafkaLabel: String = "", flinkLabel: String? = nil,
                savepointDir: String? = nil, replay: ReplayControl? = nil) {
        self.sources = sources; self.jobControl = jobControl; self.kafkaLabel = kafkaLabel; self.flinkLabel = flinkLabel
        self.savepointDir = savepointDir; self.replay = replay
    }

    /// "kafka b1:9092 · flink http://jm:8081", for the status line after a switch.
    public var summary: String {
        [kafkaLabel.isEmpty ? nil : "kafka \(kafkaLabel)", flinkLabel.map { "flink \($0)" }].compactMap { $0 }.joined(separator: " · ")
    }
}

/// Turns a context name into a ``Connection`` (`:ctx NAME` in the console).
public protocol ContextConnector: Sendable {
    var contextNames: [String] { get }
    /// A connection for `name`; throws a ``ConnectError`` saying why there is none.
    func connect(context name: String) throws -> Connection
}

public struct ConnectError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Contexts of the config file, attached over the network: Kafka through ``KafkaSource``, Flink
/// through ``FlinkSource`` with job actions through ``FlinkJobControl``.
public struct LiveConnector: ContextConnector {
    public var kafkaContexts: [String: String]
    public var flinkContexts: [String: (flink: String?, savepoints: String?)]
    /// Postgres URLs whose replication slots a context watches.
    public var postgresContexts: [String: String]
    public var clientConfiguration: KafkaClientConfiguration
    public var refresh: RefreshPolicy

    public init(kafkaContexts: [String: String], flinkContexts: [String: (flink: String?, savepoints: String?)], postgresContexts: [String: String] = [:],
                clientConfiguration: KafkaClientConfiguration, refresh: RefreshPolicy) {
        self.kafkaContexts = kafkaContexts; self.flinkContexts = flinkContexts; self.postgresContexts = postgresContexts
        self.clientConfiguration = clientConfiguration; self.refresh = refresh
    }

    public var contextNames: [String] { Array(Set(kafkaContexts.keys).union(flinkContexts.keys).union(postgresContexts.keys)).sorted() }

    public func connect(context name: String) throws -> Connection {
        // A context may name Kafka, Flink or both; each source follows it.
        let kafkaText = kafkaContexts[name]
        let flinkSide = flinkContexts[name]
        let addrs = kafkaText.flatMap(BrokerAddress.parseList)
        let postgres = postgresContexts[name]
        guard addrs != nil || flinkSide?.flink != nil || postgres != nil else {
            throw ConnectError("context \(name) has no valid kafka bootstrap, no flink address and no postgres")
        }
        var conf = clientConfiguration
        if let addrs { conf.bootstrap = addrs }
        return connection(kafka: addrs == nil ? nil : conf, kafkaLabel: kafkaText ?? "", flink: flinkSide?.flink, savepoints: flinkSide?.savepoints,
                          postgres: postgres)
    }

    /// A connection to the clusters given directly (flags, or the resolved context). With
    /// Postgres and Flink both, the slots source asks Flink's address for the engine's captures.
    public func connection(kafka: KafkaClientConfiguration?, kafkaLabel: String, flink: String?, savepoints: String?, postgres: String? = nil) -> Connection {
        var sources: [any ObservationSource] = []
        if let kafka { sources.append(KafkaSource(configuration: kafka, policy: refresh)) }
        if let flink { sources.append(FlinkSource(url: flink, timeoutSeconds: clientConfiguration.requestTimeoutSeconds, policy: refresh)) }
        if let postgres {
            let engine = flink.map { FlinkClient(baseURL: $0, timeoutSeconds: clientConfiguration.requestTimeoutSeconds) }
            sources.append(PostgresSlotSource(poller: PostgresSlotPoller(url: postgres, engine: engine), policy: refresh))
        }
        // Job actions wait on Flink's slower answers (savepoint triggers): at least 10 s.
        let control = flink.map { FlinkJobControl(url: $0, timeoutSeconds: max(10, clientConfiguration.requestTimeoutSeconds)) }
        return Connection(sources: sources, jobControl: control, kafkaLabel: kafka == nil ? "" : kafkaLabel, flinkLabel: flink, savepointDir: savepoints)
    }
}
