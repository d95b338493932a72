import KafkaProtocol

/// Why a Kafka call failed, with the broker and API involved so the console can say so plainly.
public enum KafkaClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bootstrap server answered.
    case bootstrapFailed(servers: [String], reason: String)
    /// A TCP connection could not be opened.
    case connectFailed(broker: String, reason: String)
    /// The connection closed while a request was in flight.
    case disconnected(broker: String)
    /// No response within the request timeout.
    case timeout(api: ApiKey, broker: String, milliseconds: Int64)
    /// The peer sent bytes that do not decode; the connection has been reset.
    case malformedResponse(api: ApiKey, broker: String, error: KafkaProtocolError)
    /// A frame with an impossible size prefix arrived; the connection has been reset.
    case malformedFrame(broker: String, size: Int)
    /// The broker does not offer any version of `api` that this client implements.
    case unsupportedApi(api: ApiKey, broker: String)
    /// The broker answered with a top-level error code.
    case brokerError(api: ApiKey, broker: String, code: KafkaErrorCode)
    /// The broker recently failed (`lastError` is the cause, e.g. "connection refused"); the next
    /// attempt is held back until the backoff ends.
    case backingOff(broker: String, lastError: String, retryInSeconds: Double)
    /// Metadata named a broker id that is not in the broker list.
    case unknownBroker(nodeId: Int32)
    /// The client has been shut down.
    case shutDown

    /// The innermost cause, without the broker name: "connection refused", "timed out".
    public var reason: String {
        switch self {
        case let .connectFailed(_, reason): return reason
        case let .backingOff(_, lastError, _): return lastError
        default: return description
        }
    }

    public var description: String {
        switch self {
        case let .bootstrapFailed(servers, reason):
            return "cannot reach any bootstrap server (\(servers.joined(separator: ", "))): \(reason)"
        case let .connectFailed(broker, reason):
            return "cannot connect to \(broker): \(reason)"
        case let .disconnected(broker):
            return "connection to \(broker) closed"
        case let .timeout(api, broker, ms):
            return "\(api) to \(broker) timed out after \(ms) ms"
        case let .malformedResponse(api, broker, error):
            return "malformed \(api) response from \(broker): \(error); connection reset"
        case let .malformedFrame(broker, size):
            return "malformed frame from \(broker) (size \(size)); connection reset"
        case let .unsupportedApi(api, broker):
            return "\(broker) supports no version of \(api) that Sluice implements"
        case let .brokerError(api, broker, code):
            return "\(api) on \(broker) failed: \(code)"
        case let .backingOff(broker, lastError, retry):
            return "cannot connect to \(broker): \(lastError) (next attempt in \(Double(Int(retry * 10)) / 10) s)"
        case let .unknownBroker(nodeId):
            return "broker \(nodeId) is not in the cluster metadata"
        case .shutDown:
            return "the Kafka client has been shut down"
        }
    }
}
