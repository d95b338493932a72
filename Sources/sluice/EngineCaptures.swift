import EngineREST
import FlinkWire
import Foundation
import PostgresAccess
import PostgresCapture

/// The engine's captures as its REST front sees them (`/captures`, docs/capture.md).
struct EngineCaptures: CaptureControl {
    let supervisor: CaptureSupervisor

    func list() async -> [CaptureInfo] { await supervisor.list().map(Self.info) }

    func add(_ r: CaptureRequest) async throws -> CaptureInfo {
        let config = CaptureConfig(name: r.name, url: r.url, publication: r.publication, slot: r.slot, tables: r.tables ?? [],
                                   partitions: r.partitions ?? 1, pollMs: r.pollMs ?? 100)
        do { try await supervisor.add(config) } catch let e as CaptureSupervisor.Refused {
            switch e.kind {
            case .invalid: throw CaptureControlError.invalid(e.description)
            case .exists: throw CaptureControlError.exists(e.description)
            case .notFound: throw CaptureControlError.notFound(e.description)
            }
        }
        return await supervisor.list().first { $0.config.name == r.name }.map(Self.info)
            ?? CaptureInfo(name: r.name, url: PostgresURL.redacted(r.url), database: "", publication: r.publication, slot: r.slot,
                           tables: r.tables ?? [], state: "FAILED", lastError: "the capture did not start: see the engine's log")
    }

    func remove(_ name: String) async throws {
        do { try await supervisor.remove(name) } catch let e as CaptureSupervisor.Refused {
            switch e.kind {
            case .notFound: throw CaptureControlError.notFound(e.description)
            case .exists, .invalid: throw CaptureControlError.invalid(e.description)
            }
        }
    }

    static func info(_ e: CaptureSupervisor.Entry) -> CaptureInfo {
        CaptureInfo(name: e.config.name, url: PostgresURL.redacted(e.config.url), database: e.config.database, publication: e.config.publication,
                    slot: e.config.slot, tables: e.config.tables, state: e.status.state, lastError: e.status.lastError,
                    changes: e.status.changes, snapshotRows: e.status.snapshotRows,
                    confirmedLSN: e.status.confirmedLSN == 0 ? nil : LSN.format(e.status.confirmedLSN), lagMs: e.status.lagMs)
    }
}
