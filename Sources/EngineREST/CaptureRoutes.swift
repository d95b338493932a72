import FlinkWire
import Hummingbird

/// What the REST front asks of the engine's change captures (docs/capture.md); the engine
/// hands in its captures behind this, so the front needs no Postgres.
public protocol CaptureControl: Sendable {
    func list() async -> [CaptureInfo]
    /// Adds and starts one; throws ``CaptureControlError``.
    func add(_ request: CaptureRequest) async throws -> CaptureInfo
    func remove(_ name: String) async throws
}

public enum CaptureControlError: Error {
    case invalid(String)
    case exists(String)
    case notFound(String)
}

extension RESTHandlers {
    /// `/captures`: a Sluice extension beside Flink's paths. Changes need the token, as job changes do.
    func registerCaptures(on router: Router<BasicRequestContext>) {
        router.get("/captures") { _, _ in
            guard let captures else { return json(CapturesResponse(captures: [])) }
            return json(CapturesResponse(captures: await captures.list()))
        }
        router.post("/captures") { r, _ in
            try await guarded {
                try authorize(r)
                let control = try capturesOrRefuse()
                guard let request = try await decode(CaptureRequest.self, r) else {
                    throw RESTError.badRequest("send the capture as JSON: {\"name\", \"url\", \"publication\", \"slot\", \"tables\"?}")
                }
                do { return json(try await control.add(request)) } catch let e as CaptureControlError { throw Self.restError(e) }
            }
        }
        router.delete("/captures/:name") { r, c in
            try await guarded {
                try authorize(r)
                let control = try capturesOrRefuse()
                do { try await control.remove(try c.parameters.require("name")) } catch let e as CaptureControlError { throw Self.restError(e) }
                return jsonObject([:])
            }
        }
    }

    private func capturesOrRefuse() throws -> any CaptureControl {
        guard let captures else { throw RESTError.cannotRun("this engine runs no change capture") }
        return captures
    }

    static func restError(_ e: CaptureControlError) -> RESTError {
        switch e {
        case let .invalid(m): .badRequest(m)
        case let .exists(m): .conflict(m)
        case let .notFound(m): .notFound(m)
        }
    }
}
