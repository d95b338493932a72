/// A host and port of a Kafka broker.
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }

    /// Parses `host:port` (port defaults to 9092; `[v6]:port` accepted).
    public init?(parsing text: String) {
        let s = String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        guard !s.isEmpty else { return nil }
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            if rest.isEmpty { port = 9092 } else {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = s.lastIndex(of: ":") {
            host = String(s[..<colon])
            guard let p = Int(s[s.index(after: colon)...]), (1...65535).contains(p), !host.isEmpty else { return nil }
            port = p
        } else {
            host = s
            port = 9092
        }
    }

    /// Parses a comma-separated bootstrap list.
    public static func parseList(_ text: String) -> [BrokerAddress]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let addrs = parts.compactMap(BrokerAddress.init(parsing:))
        return addrs.count == parts.count && !addrs.isEmpty ? addrs : nil
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Client settings; the defaults suit an operations console polling every few seconds.
public struct KafkaClientConfiguration: Sendable {
    public var bootstrap: [BrokerAddress]
    public var clientId: String
    public var requestTimeoutSeconds: Double
    public var connectTimeoutSeconds: Double
    /// First reconnect delay after a failure; doubles per consecutive failure up to the maximum.
    public var reconnectBackoffSeconds: Double
    public var reconnectBackoffMaxSeconds: Double

    public init(bootstrap: [BrokerAddress], clientId: String = "sluice", requestTimeoutSeconds: Double = 10,
                connectTimeoutSeconds: Double = 5, reconnectBackoffSeconds: Double = 0.25, reconnectBackoffMaxSeconds: Double = 8) {
        self.bootstrap = bootstrap
        self.clientId = clientId
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.reconnectBackoffSeconds = reconnectBackoffSeconds
        self.reconnectBackoffMaxSeconds = reconnectBackoffMaxSeconds
    }
}
