import Foundation
import StreamLog

/// The engine's running jobs on disk, so a restarted engine runs them again from their latest
/// checkpoints (Flink's HA job store, for one node): a file per job, written when it starts and
/// removed when it ends (finished, cancelled or failed); an engine that stops leaves them
/// (docs/checkpoints.md, Recovery). Jobs from a YAML spec only: a Swift API job's code cannot be
/// written down.
struct JobRegistry: Sendable {
    /// What runs a job again: its spec as submitted, and where it first started from.
    struct Record: Codable, Sendable, Equatable {
        var id: String
        var spec: String
        var arguments: [String]
        var parallelism: Int
        var restoreFrom: String?
        var allowNonRestoredState: Bool
    }

    let directory: String

    func save(_ r: Record) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.replace(directory + "/\(r.id).json", with: try encoder.encode(r))
    }

    func remove(_ id: String) { try? FileManager.default.removeItem(atPath: directory + "/\(id).json") }

    /// Every record that reads back; the paths of those that do not, with the reason.
    func all() -> (records: [Record], damaged: [(path: String, reason: String)]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var records: [Record] = []
        var damaged: [(String, String)] = []
        for n in names {
            let path = directory + "/" + n
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                records.append(try JSONDecoder().decode(Record.self, from: data))
            } catch {
                damaged.append((path, "\(error)"))
            }
        }
        return (records, damaged)
    }
}
