import FlinkClient
import Connectors
import Foundation

/// The cost of a Flink reading (requests and ms) for 1 job × 10 vertices in focus, then for 50
/// jobs listed: against Flink with its test job, or against the engine's REST API with specs.
func flinkReadingCost(url: String, wideJar: String, wideArgs: [String], boundedJar: String, boundedArgs: [String], peer: String) async throws {
    let client = FlinkClient(baseURL: url, timeoutSeconds: 30)
    let jarId = try await client.uploadJar(path: wideJar)
    let boundedId = boundedJar == wideJar ? jarId : try await client.uploadJar(path: boundedJar)
    let wide = try await client.run(jar: jarId, JarRun(arguments: wideArgs, parallelism: 1))
    let poller = FlinkPoller(client: client)
    await poller.setFocus([wide])
    // Ready when the job runs and Flink's lazily fetched metrics have arrived (a non-zero time split).
    let deadline = Date().addingTimeInterval(120)
    var vertices = 0
    while Date() < deadline {
        if case let .flink(s) = await poller.poll(now: { Date().timeIntervalSince1970 }),
           let d = s.details.first(where: { $0.jid == wide }), d.vertices.allSatisfy({ $0.busyMsPerSecond != nil }) {
            vertices = d.vertices.count
            break
        }
        try await Task.sleep(nanoseconds: 500_000_000)
    }
    func readings(_ n: Int) async -> (ms: [Double], requests: Int) {
        client.resetRequestCount()
        var times: [Double] = []
        for _ in 0..<n {
            let start = ContinuousClock.now
            _ = await poller.poll(now: { Date().timeIntervalSince1970 })
            times.append(milliseconds(ContinuousClock.now - start))
        }
        return (times.sorted(), client.requestCount / n)
    }
    let one = await readings(9)
    emit(["bench": "flink_refresh", "peer": peer, "case": "1 job × \(vertices) vertices, in focus", "requests": one.requests].merging(stats(one.ms)) { a, _ in a })
    // 49 short bounded jobs beside it: 50 jobs listed, the one running read in turn.
    var bounded: [String] = []
    for i in 0..<49 {
        bounded.append(try await client.run(jar: boundedId, JarRun(arguments: ["--name", "bench-bounded-\(i)"] + boundedArgs, parallelism: 1)))
    }
    let doneBy = Date().addingTimeInterval(300)
    while Date() < doneBy {
        let states = try await client.jobs()
        if states.filter({ bounded.contains($0.jid) }).allSatisfy({ $0.state.isTerminal }) { break }
        try await Task.sleep(nanoseconds: 500_000_000)
    }
    await poller.setFocus([])
    let listed = try await client.jobs().count
    let fifty = await readings(9)
    emit(["bench": "flink_refresh", "peer": peer, "case": "\(listed) jobs listed, none on screen", "requests": fifty.requests].merging(stats(fifty.ms)) { a, _ in a })
    try await client.cancel(job: wide)
}

/// 10 vertices, as the Flink test job with --stages 6: source, counter, slow, 6 stages, window and sink.
let wideEngineSpec = """
name: ${name}
params: {name: bench-wide, rate: 200}
source: {generator: {rate: ${rate}/s, keys: 16, maxDelay: 500ms}, name: events}
steps:
  - keyBy: key
  - {map: {key: key, ts: ts, value: value}, name: counter}

""" + (["slow"] + (0..<6).map { "stage-\($0)" }).map { "  - {delay: 0ms, name: \($0), chain: false}\n" }.joined() + """
  - keyBy: key
  - {window: {tumbling: 5s}, name: window}
  - aggregate: {n: count()}
sink: {topic: bench-wide-out, name: discard}
"""
