import KafkaProtocol

extension KafkaClient {
    /// Sends any request to the broker `nodeId` (known from `metadata()`), at the highest
    /// version both sides speak: for tools and benchmarks that talk the protocol directly.
    /// Concurrent calls share the connection, pipelined by correlation id.
    public func request<R: KafkaRequest>(_ request: R, node nodeId: Int32) async throws -> R.Response {
        try await send(request, to: address(of: nodeId))
    }
}
