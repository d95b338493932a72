import EngineCore

/// How the engine's Kafka listener behaves: where it listens and what it tells clients, request
/// limits and SASL users, over the engine's own settings (``EngineConfiguration``), which read
/// through this type too (`config.flush`, `config.defaultPartitions`, …).
@dynamicMemberLookup
public struct BrokerConfiguration: Sendable {
    public typealias FlushPolicy = EngineConfiguration.FlushPolicy

    public var host: String = "127.0.0.1"
    public var port: Int = 9092
    /// Host and port clients are told to connect to (Metadata, FindCoordinator); defaults to the listener.
    public var advertisedHost: String?
    public var advertisedPort: Int?
    /// `socket.request.max.bytes`.
    public var maxRequestBytes = 100 * 1024 * 1024
    /// SASL/PLAIN users (name → password). Empty: no authentication, which only a loopback
    /// listener may use.
    public var plainUsers: [String: String] = [:]
    public var engine = EngineConfiguration()

    public init() {}

    public subscript<T>(dynamicMember path: WritableKeyPath<EngineConfiguration, T>) -> T {
        get { engine[keyPath: path] }
        set { engine[keyPath: path] = newValue }
    }

    public var advertised: (host: String, port: Int) {
        (advertisedHost ?? (host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host), advertisedPort ?? port)
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
