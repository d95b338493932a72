import EngineCore
import KafkaProtocol
import NIOCore

/// Produce: each partition's record set goes to the engine; the answer waits for the flush
/// when acks=all.
extension RequestHandler {
    func produce(_ header: RequestHeader, _ body: KafkaReader, _ gate: Gate) throws -> EventLoopFuture<Reply> {
        var body = body
        let request = try ProduceRequest(from: &body, version: header.apiVersion)
        guard [-1, 0, 1].contains(request.acks) else {
            let message = "acks=\(request.acks) is not valid: use 0, 1 or -1 (all)"
            let response = ProduceResponse(topics: request.topics.map { t in
                .init(name: t.name, partitions: t.partitions.map { .init(index: $0.index, errorCode: .invalidRequiredAcks, baseOffset: -1, errorMessage: message) })
            })
            return loop.makeSucceededFuture(.frame(try KafkaFrame.response(response, version: header.apiVersion, correlationId: header.correlationId)))
        }
        var waits: [EventLoopFuture<Void>] = []
        var anyError = false
        // WRITE on the transactional id and on each topic; refused partitions are not appended.
        let transactionAllowed = request.transactionalId.map { gate.allows(.write, .transactionalId, $0) } ?? true
        let topics = request.topics.map { t in
            let refusal: KafkaErrorCode? = !transactionAllowed ? .transactionalIdAuthorizationFailed
                : gate.allows(.write, .topic, t.name) ? nil : .topicAuthorizationFailed
            return ProduceResponse.Topic(name: t.name, partitions: t.partitions.map { p in
                if let refusal {
                    anyError = true
                    return .init(index: p.index, errorCode: refusal, baseOffset: -1, errorMessage: "not authorized: \(refusal)")
                }
                let outcome = engine.append(topic: t.name, partition: p.index, records: p.records, waitForDurability: request.acks == -1,
                                            transactionalId: request.transactionalId, zstdAllowed: header.apiVersion >= 7)
                if let wait = outcome.durable { waits.append(wait) }
                guard outcome.errorCode.isOK else {
                    anyError = true
                    return .init(index: p.index, errorCode: outcome.errorCode, baseOffset: -1, errorMessage: outcome.errorMessage)
                }
                return .init(index: p.index, baseOffset: outcome.baseOffset, logAppendTimeMs: outcome.logAppendTimeMs, logStartOffset: outcome.logStartOffset)
            })
        }
        let response = ProduceResponse(topics: topics)
        if request.acks == 0 {
            // No answer is expected; an error can only be signalled by closing, as Kafka does.
            return loop.makeSucceededFuture(anyError ? .close("acks=0 produce failed: \(topics.flatMap(\.partitions).first { !$0.errorCode.isOK }?.errorMessage ?? "")") : .none)
        }
        let version = header.apiVersion
        return EventLoopFuture.andAllComplete(waits, on: loop).flatMapThrowing {
            .frame(try KafkaFrame.response(response, version: version, correlationId: header.correlationId))
        }
    }
}
