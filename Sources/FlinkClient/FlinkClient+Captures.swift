import AsyncHTTPClient
import FlinkWire

/// The engine's change captures, a Sluice extension beside Flink's paths (docs/capture.md).
/// Apache Flink answers 404 to these.
extension FlinkClient {
    public func captures() async throws -> [CaptureInfo] { try await (get("/captures") as CapturesResponse).captures }

    /// Adds a capture to the running engine; it is checked and started at once.
    public func addCapture(_ request: CaptureRequest) async throws -> CaptureInfo { try await send(.POST, "/captures", json: request) }

    /// Stops a capture and forgets it (its slot and topics stay).
    public func removeCapture(_ name: String) async throws {
        let _: Empty = try await send(.DELETE, "/captures/\(try Self.id(name))", body: nil, contentType: nil)
    }
}
