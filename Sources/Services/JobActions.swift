import FlinkClient
import Foundation

/// The job actions themselves, shared by `sluice job` and the console: each talks to Flink and
/// keeps the job ledger, so a job launched or paused in one can be resumed from the other.
public enum JobActions {
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
        public init(_ d: String) { description = d }
    }

    /// Runs `spec` (re-uploading the jar from its recorded path if Flink no longer has it) and
    /// records the launch so the job can be resumed later. Returns the new job's id.
    public static func launch(_ client: FlinkClient, _ spec: JobLedger.Launch, savepoint: String?, ledger: String,
                              resumedFrom: String?) async throws -> String {
        var spec = spec
        // Flink forgets uploaded jars when its JobManager restarts: ask which it has (a listing,
        // not the wording of a failed run) and upload the recorded file again when ours is gone.
        if let path = spec.jarPath, try await !client.jars().contains(where: { $0.id == spec.jarId }) {
            spec.jarId = try await client.uploadJar(path: path)
        }
        let jid = try await client.run(jar: spec.jarId, JarRun(entryClass: spec.entryClass, arguments: spec.arguments, parallelism: spec.parallelism,
                                                                savepointPath: savepoint, allowNonRestoredState: spec.allowNonRestoredState))
        let name = try? await client.jobs().first { $0.jid == jid }?.name
        try JobLedger.update(path: ledger) { $0.recordLaunch(jid: jid, name: name, launch: spec, resumedFrom: resumedFrom) }
        return jid
    }

    /// Uploads a local jar (a path ending in .jar that exists) or YAML job spec (.yaml, .yml: the
    /// Sluice engine's), or takes `jar` as an uploaded one's id.
    public static func launch(_ client: FlinkClient, jar: String, entryClass: String?, arguments: [String], parallelism: Int,
                              savepoint: String?, allowNonRestoredState: Bool, ledger: String) async throws -> String {
        var jarId = jar
        var jarPath: String?
        let local = jar.hasSuffix(".jar") || FlinkClient.isJobSpec(jar)
        if local && (jar.contains("/") || FileManager.default.fileExists(atPath: jar)) {
            guard FileManager.default.fileExists(atPath: jar) else {
                throw Refusal("no \(FlinkClient.isJobSpec(jar) ? "job spec" : "jar") file at \(jar) (give a local .jar or .yaml path, or the id of an uploaded one)")
            }
            jarPath = URL(fileURLWithPath: jar).standardizedFileURL.path
            jarId = try await client.uploadJar(path: jar)
        }
        let spec = JobLedger.Launch(flink: client.baseURL, jarId: jarId, jarPath: jarPath, entryClass: entryClass, arguments: arguments,
                                    parallelism: parallelism, allowNonRestoredState: allowNonRestoredState)
        return try await launch(client, spec, savepoint: savepoint, ledger: ledger, resumedFrom: nil)
    }

    /// Reruns a job Sluice launched from the latest savepoint Sluice took of it.
    public static func resume(_ client: FlinkClient, jid: String, ledger path: String) async throws -> (jid: String, savepoint: String) {
        let ledger = try JobLedger.load(path: path)
        guard let entry = ledger.entry(jid) else {
            throw Refusal("Sluice has no record of job \(jid) (ledger \(path)); run it with: sluice job run JAR -s SAVEPOINT")
        }
        guard let launch = entry.launch else {
            throw Refusal("job \(jid) was not launched by Sluice, so its jar and arguments are unknown; run it with: sluice job run JAR -s \(entry.savepoints.last?.location ?? "SAVEPOINT")")
        }
        guard let savepoint = ledger.latestSavepoint(of: jid) else {
            throw Refusal("no savepoint of job \(jid) taken by Sluice; take one with: sluice job savepoint \(jid), or pause it")
        }
        let new = try await Self.launch(client, launch, savepoint: savepoint.location, ledger: path, resumedFrom: jid)
        return (new, savepoint.location)
    }

    /// Takes a savepoint (or stops with one when `stop`), waits for it and records it.
    public static func savepoint(_ client: FlinkClient, jid: String, name: String?, directory: String?, stop: Bool, drain: Bool = false,
                                 ledger: String, timeoutSeconds: Double = 300) async throws -> String {
        let request = stop ? try await client.stopWithSavepoint(job: jid, targetDirectory: directory, drain: drain)
                           : try await client.triggerSavepoint(job: jid, targetDirectory: directory)
        let location = try await client.awaitSavepoint(job: jid, request: request, action: stop ? "stop" : "savepoint", timeoutSeconds: timeoutSeconds)
        try JobLedger.update(path: ledger) {
            $0.recordSavepoint(jid: jid, name: name, .init(location: location, time: Date().timeIntervalSince1970, stopped: stop))
        }
        return location
    }
}
