import FlinkWire
import Foundation
import Testing

/// Every Flink answer type against answers captured from a real Flink 2.3 (Captured/README.md):
/// it decodes, and what it encodes again decodes to the same value and uses only keys Flink
/// wrote, with Flink's values — so a server writing these types writes what Flink writes.
@Suite struct CapturedAnswersTests {
    static func captured(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Captured/\(name)", withExtension: "json"), "missing Captured/\(name).json")
        return try Data(contentsOf: url)
    }

    /// Decodes `name`, re-encodes, and checks the round trip and that the encoding is a subset of Flink's.
    @discardableResult
    func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ name: String) throws -> T {
        let original = try Self.captured(name)
        let value = try JSONDecoder().decode(T.self, from: original)
        let encoded = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(T.self, from: encoded) == value, "\(name): encoding does not decode to the same value")
        let flink = try JSONSerialization.jsonObject(with: original, options: [.fragmentsAllowed])
        let ours = try JSONSerialization.jsonObject(with: encoded, options: [.fragmentsAllowed])
        #expect(Self.mismatch(ours, in: flink, at: name) == nil, "\(Self.mismatch(ours, in: flink, at: name) ?? "")")
        return value
    }

    /// Where `ours` says something Flink's answer does not (a key it lacks or a different value).
    static func mismatch(_ ours: Any, in flink: Any, at path: String) -> String? {
        switch (ours, flink) {
        case let (o as [String: Any], f as [String: Any]):
            for (k, v) in o {
                guard let fv = f[k] else { return "\(path).\(k): Flink does not write this key" }
                if let m = mismatch(v, in: fv, at: "\(path).\(k)") { return m }
            }
            return nil
        case let (o as [Any], f as [Any]):
            guard o.count == f.count else { return "\(path): \(o.count) elements, Flink wrote \(f.count)" }
            for (i, pair) in zip(o, f).enumerated() { if let m = mismatch(pair.0, in: pair.1, at: "\(path)[\(i)]") { return m } }
            return nil
        case let (o as NSNumber, f as NSNumber):
            return o.doubleValue == f.doubleValue ? nil : "\(path): \(o) where Flink wrote \(f)"
        case let (o as String, f as String):
            return o == f ? nil : "\(path): \(o) where Flink wrote \(f)"
        default:
            return "\(path): \(ours) where Flink wrote \(flink)"
        }
    }

    @Test func clusterAndJobs() throws {
        let overview = try roundTrip(ClusterOverview.self, "overview")
        #expect(overview.flinkVersion == "2.3.0")
        let jobs = try roundTrip(JobsOverviewResponse.self, "jobs-overview")
        #expect(jobs.jobs.map(\.name).sorted() == ["capture-failing", "capture-slow"])
        #expect(jobs.jobs.allSatisfy { $0.state == .running })
        let job = try roundTrip(JobDetail.self, "job")
        #expect(job.name == "capture-slow")
        #expect(job.vertices.count >= 2)
        #expect(job.plan?.nodes.contains { !($0.inputs ?? []).isEmpty } == true)
    }

    @Test func backpressureAndMetrics() throws {
        let source = try roundTrip(VertexBackpressure.self, "bp0")
        #expect(source.isSampled)
        #expect(source.level == .high)
        #expect(source.subtasks?.allSatisfy { $0.level == .high && ($0.ratio ?? 0) > 0.5 } == true)
        let sink = try roundTrip(VertexBackpressure.self, "bp1")
        #expect(sink.level == .ok)
        let metrics = try roundTrip([AggregatedMetric].self, "subtask-metrics")
        #expect(metrics.first { $0.id == "idleTimeMsPerSecond" }?.max == 1000)
        let restarts = try roundTrip([JobMetric].self, "job-metrics")
        #expect(restarts.first?.number == 0)
        let watermarks = try roundTrip([WatermarkMetric].self, "watermarks")
        #expect(watermarks.allSatisfy { $0.milliseconds != nil })
    }

    @Test func checkpoints() throws {
        let healthy = try roundTrip(CheckpointStatistics.self, "checkpoints")
        #expect(healthy.counts.completed > 0)
        #expect(healthy.latest.completed?.status == "COMPLETED")
        let failing = try roundTrip(CheckpointStatistics.self, "checkpoints-failing")
        #expect(failing.counts.failed > 0 && failing.counts.completed == 0)
        #expect(failing.latest.failed?.failureMessage?.isEmpty == false)
        let config = try roundTrip(CheckpointConfig.self, "checkpoint-config")
        #expect(config.interval == 2000)
        let exceptions = try roundTrip(ExceptionHistory.self, "exceptions")
        #expect(exceptions.entries.isEmpty && !exceptions.truncated)
    }

    @Test func jarsAndSavepoints() throws {
        let jars = try roundTrip(JarListResponse.self, "jars")
        #expect(jars.files.first?.entry?.first?.name == "sluice.testjob.SluiceTestJob")
        #expect(try roundTrip(RunResponse.self, "run").jobid.count == 32)
        #expect(try roundTrip(UploadResponse.self, "upload").status == "success")
        #expect(try roundTrip(TriggerResponse.self, "savepoint-trigger").requestId.count == 32)
        #expect(try roundTrip(SavepointStatusResponse.self, "savepoint-status-inprogress").status.id == "IN_PROGRESS")
        let done = try roundTrip(SavepointStatusResponse.self, "savepoint-status-completed")
        #expect(done.operation?.location?.hasPrefix("file:/") == true)
        let failed = try roundTrip(SavepointStatusResponse.self, "savepoint-status-failed")
        #expect(failed.operation?.failureCause?.stackTrace?.contains("CheckpointException") == true)
        #expect(try roundTrip(ErrorResponse.self, "error-404").errors.count == 1)
    }

    /// The request bodies use Flink's own (inconsistent) key styles.
    @Test func requestBodiesUseFlinksKeys() throws {
        let trigger = try JSONSerialization.jsonObject(with: JSONEncoder().encode(SavepointTriggerRequest(targetDirectory: "/sp"))) as? [String: Any]
        #expect(trigger?["target-directory"] as? String == "/sp")
        #expect(trigger?["cancel-job"] as? Bool == false)
        let stop = try JSONSerialization.jsonObject(with: JSONEncoder().encode(StopWithSavepointRequest(targetDirectory: "/sp", drain: true))) as? [String: Any]
        #expect(stop?["targetDirectory"] as? String == "/sp")
        #expect(stop?["drain"] as? Bool == true)
    }
}
