/// Assembles and splits size-prefixed frames: `int32 size, header, body`.
public enum KafkaFrame {
    /// Largest frame Sluice accepts from a peer; Kafka's default `socket.request.max.bytes` is 100 MiB.
    public static let maxFrameSize = 100 * 1024 * 1024

    /// A complete request frame, size prefix included.
    public static func request<R: KafkaRequest>(_ body: R, version: Int16, correlationId: Int32, clientId: String?) throws -> [UInt8] {
        var w = KafkaWriter(capacity: body.encodedSizeHint + 64 + (clientId?.utf8.count ?? 0))
        w.writeInt32(0)
        RequestHeader(apiKey: R.apiKey.rawValue, apiVersion: version, correlationId: correlationId, clientId: clientId).encode(into: &w)
        try body.encode(into: &w, version: version)
        w.patchInt32(Int32(w.count - 4), at: 0)
        return w.bytes
    }

    /// A complete response frame, size prefix included.
    public static func response<M: KafkaMessage>(_ body: M, version: Int16, correlationId: Int32) throws -> [UInt8] {
        var w = KafkaWriter(capacity: body.encodedSizeHint + 16)
        w.writeInt32(0)
        ResponseHeader(correlationId: correlationId).encode(into: &w, headerVersion: M.apiKey.responseHeaderVersion(version))
        try body.encode(into: &w, version: version)
        w.patchInt32(Int32(w.count - 4), at: 0)
        return w.bytes
    }

    /// A response frame as pieces to send in order, large record sets not copied (the broker's
    /// fetch answers): the size prefix counts them all.
    public static func responseParts<M: KafkaMessage>(_ body: M, version: Int16, correlationId: Int32) throws -> [KafkaWriter.Part] {
        var w = KafkaWriter(capacity: 256)
        w.defersRecords = true
        w.writeInt32(0)
        ResponseHeader(correlationId: correlationId).encode(into: &w, headerVersion: M.apiKey.responseHeaderVersion(version))
        try body.encode(into: &w, version: version)
        w.patchInt32(Int32(w.totalCount - 4), at: 0)
        return w.parts
    }

    /// Decodes a response payload (without the size prefix) of a known API and version.
    public static func decodeResponse<M: KafkaMessage>(_ type: M.Type, payload: [UInt8], version: Int16) throws -> (correlationId: Int32, body: M) {
        var r = KafkaReader(payload)
        let header = try ResponseHeader(from: &r, headerVersion: M.apiKey.responseHeaderVersion(version))
        let body = try M(from: &r, version: version)
        try r.expectEnd()
        return (header.correlationId, body)
    }

    /// Splits a request payload into its header and a reader positioned at the body.
    public static func decodeRequestHeader(payload: [UInt8]) throws -> (header: RequestHeader, body: KafkaReader) {
        var r = KafkaReader(payload)
        let header = try RequestHeader(from: &r)
        return (header, r)
    }
}
