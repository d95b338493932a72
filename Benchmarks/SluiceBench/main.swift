import Foundation
import Console
import FlinkClient
import ConsoleModel
import Connectors
import KafkaClient
import KafkaProtocol
import Display

/// Measurements for `make bench`; each prints one JSON object per line for Benchmarks/run.sh.
///   SluiceBench model             model apply+derive, synthetic 1,000 groups × 10,000 partitions
///   SluiceBench render            frame render of a 10,000-row view (and the row build behind it)
///   SluiceBench refresh KAFKA N   N full refresh cycles against a broker
///   SluiceBench flink URL JAR     Flink reading cost: 1 job × 10 vertices in focus, then 50 jobs listed
///   SluiceBench broker KAFKA LABEL [RECORDS]   a broker's produce (1 KB records, acks=all) and
///                                 consume speed and produce latency, with a pipelining client

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func measure(_ runs: Int, _ body: () -> Void) -> [Double] {
    var out: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let t = clock.measure(body)
        out.append(milliseconds(t))
    }
    return out.sorted()
}

func milliseconds(_ d: Duration) -> Double {
    let seconds = Double(d.components.seconds)
    let atto = Double(d.components.attoseconds)
    return seconds * 1000 + atto / 1e15
}

func stats(_ ms: [Double]) -> [String: Any] {
    ["median_ms": ms[ms.count / 2], "p95_ms": ms[min(ms.count - 1, Int(Double(ms.count) * 0.95))], "runs": ms.count]
}

func rssMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
    return kb / 1024
}

/// 100 topics × 100 partitions; `groups` groups committing on 10 partitions each.
func syntheticSnapshot(time: Double, groups: Int) -> KafkaSnapshot {
    var topics: [KafkaSnapshot.Topic] = []
    for t in 0..<100 {
        var partitions: [KafkaSnapshot.Partition] = []
        for p in 0..<100 {
            let rate = Int64(10 + p % 7)
            let hw: Int64 = Int64(time) * rate
            partitions.append(KafkaSnapshot.Partition(partition: Int32(p), leader: Int32(p % 3), replicas: [0, 1, 2], isr: [0, 1, 2],
                                                      highWatermark: hw, logStartOffset: 0))
        }
        topics.append(KafkaSnapshot.Topic(name: "topic-\(t)", partitions: partitions))
    }
    var gs: [KafkaSnapshot.Group] = []
    for g in 0..<groups {
        let topic = "topic-\(g % 100)"
        var offsets: [CommittedOffset] = []
        for i in 0..<10 {
            let partition = Int32((g / 100 * 10 + i) % 100)
            let committed: Int64 = Int64(time) * Int64(8 + g % 5)
            offsets.append(CommittedOffset(topic: topic, partition: partition, offset: committed))
        }
        gs.append(.init(groupId: "group-\(g)", state: "Stable", assignor: "range",
                        members: [.init(memberId: "m-\(g)", clientId: "c-\(g)", clientHost: "/10.0.0.\(g % 250)")], offsets: offsets))
    }
    return KafkaSnapshot(time: time, clusterId: "bench", brokers: (0..<3).map { .init(nodeId: Int32($0), host: "b\($0)", port: 9092) },
                         topics: topics, groups: gs)
}

let args = CommandLine.arguments.dropFirst()
switch args.first {
case "model":
    // Warm the model with a full status window, then time further readings.
    // Snapshots are built outside the timed region and dropped after use, so RSS is the model's.
    var model = ConsoleModel()
    for t in 1...12 { model.apply(.kafka(syntheticSnapshot(time: Double(t) * 2, groups: 1000))) }
    var ms: [Double] = []
    for t in 13...40 {
        let s = syntheticSnapshot(time: Double(t) * 2, groups: 1000)
        ms += measure(1) { model.apply(.kafka(s)) }
    }
    ms.sort()
    emit(["bench": "model_apply_derive", "groups": 1000, "partitions": 10_000, "rss_mb": rssMB()].merging(stats(ms)) { a, _ in a })

case "render":
    var model = ConsoleModel()
    var s = syntheticSnapshot(time: 2, groups: 0)
    s.groups = (0..<10_000).map { g in
        .init(groupId: "group-\(g)", state: "Stable", assignor: "range", members: [.init(memberId: "m")],
              offsets: [CommittedOffset(topic: "topic-\(g % 100)", partition: Int32(g % 100), offset: 5)])
    }
    model.apply(.kafka(s))
    s.time = 4
    model.apply(.kafka(s))
    var ui = UIState(contextName: "bench", initial: .groups)
    var rows: [TableRow] = []
    let build = measure(5) { rows = ui.visibleRows(.groups, model: model) }
    let renderer = Renderer(bootstrap: "b0:9092")
    var grid = CellGrid(width: 200, height: 50)
    var n = 0
    let frames = measure(200) {
        // One frame as the loop does it: a key (scroll), then render the visible rows.
        _ = ui.handle(n % 50 == 49 ? .pageDown : .down, rows: rows, page: 45)
        renderer.render(model: model, ui: &ui, rows: rows, into: &grid, now: 4)
        n += 1
    }
    emit(["bench": "frame_render", "rows": rows.count, "width": 200, "height": 50,
          "row_build_median_ms": build[build.count / 2]].merging(stats(frames)) { a, _ in a })

case "refresh":
    let kafka = args.dropFirst().first ?? "127.0.0.1:9092"
    let cycles = Int(args.dropFirst(2).first ?? "5") ?? 5
    let client = KafkaClient(configuration: KafkaClientConfiguration(bootstrap: BrokerAddress.parseList(kafka)!))
    let poller = KafkaPoller(client: client)
    let first = try await poller.snapshot(now: { Date().timeIntervalSince1970 })
    await client.resetRequestCounts()
    var times: [Double] = []
    var groups = 0, partitions = 0
    var usage0 = rusage(); getrusage(RUSAGE_SELF.rawValue, &usage0)
    for _ in 0..<cycles {
        let start = ContinuousClock.now
        let s = try await poller.snapshot(now: { Date().timeIntervalSince1970 })
        times.append(milliseconds(ContinuousClock.now - start))
        groups = s.groups.count
        partitions = s.groups.reduce(0) { $0 + $1.offsets.count }
    }
    var usage1 = rusage(); getrusage(RUSAGE_SELF.rawValue, &usage1)
    func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    let cpuAfter: Double = secs(usage1.ru_utime) + secs(usage1.ru_stime)
    let cpuBefore: Double = secs(usage0.ru_utime) + secs(usage0.ru_stime)
    let cpu = (cpuAfter - cpuBefore) / Double(cycles)
    let counts = await client.requestCounts
    let perApi = await client.requestTime
    var breakdown: [String: Double] = [:]
    for (api, d) in perApi { breakdown["\(api)"] = (milliseconds(d) / Double(cycles) * 10).rounded() / 10 }
    let requests = counts.values.reduce(0, +) / cycles
    await client.shutdown()
    _ = first
    emit(["bench": "refresh_cycle", "groups": groups, "group_partitions": partitions, "requests_per_cycle": requests,
          "ms_per_api": breakdown,
          "cpu_s_per_cycle": cpu].merging(stats(times.sorted())) { a, _ in a })

case "broker":
    // One client for every broker measured: batches of 100 × 1 KB records, up to 16 produce
    // requests in flight (as librdkafka pipelines), acks=all; then fetches from the start.
    let kafka = args.dropFirst().first ?? "127.0.0.1:9092"
    let label = args.dropFirst(2).first ?? "broker"
    let total = Int(args.dropFirst(3).first ?? "200000") ?? 200_000
    let partitions: Int32 = 4, perBatch = 100, size = 1024, inFlight = 16
    let client = KafkaClient(configuration: KafkaClientConfiguration(bootstrap: BrokerAddress.parseList(kafka)!))
    let node = try await client.metadata(topics: []).brokers[0].nodeId
    let topic = "bench-\(UInt32.random(in: 0...UInt32.max))"
    let created = try await client.request(CreateTopicsRequest(topics: [.init(name: topic, numPartitions: partitions, replicationFactor: 1)]), node: node)
    guard created.topics.first?.errorCode.isOK == true else { fatalError("create topic: \(created)") }
    for _ in 0..<100 where try await client.metadata(topics: [topic]).topics.first?.partitions.count != Int(partitions) {
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    let payload = [UInt8](repeating: 0x78, count: size)
    let batch = RecordBatch.encode(baseTimestamp: Int64(Date().timeIntervalSince1970 * 1000),
                                   records: (0..<perBatch).map { Record(offsetDelta: Int32($0), value: payload) })
    func produce(_ p: Int32, _ records: [UInt8]) async throws {
        let r = try await client.request(ProduceRequest(acks: -1, timeoutMs: 30_000, topics: [.init(name: topic, partitions: [.init(index: p, records: records)])]), node: node)
        guard let code = r.topics.first?.partitions.first?.errorCode, code.isOK else { throw KafkaClientError.unknownBroker(nodeId: -1) }
    }
    for p in 0..<partitions { try await produce(p, batch) }   // warm-up, not measured
    let requests = total / perBatch
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { g in
        for w in 0..<inFlight {
            g.addTask {
                var i = w
                while i < requests { try await produce(Int32(i % Int(partitions)), batch); i += inFlight }
            }
        }
        try await g.waitForAll()
    }
    let produceSeconds = milliseconds(ContinuousClock.now - start) / 1000
    emit(["bench": "broker_produce", "broker": label, "client": "sluice", "records": requests * perBatch, "size": size,
          "seconds": produceSeconds, "records_per_s": Double(requests * perBatch) / produceSeconds,
          "mb_per_s": Double(requests * perBatch * size) / produceSeconds / 1e6])
    // Latency: one 1 KB record per request, one request at a time.
    let single = RecordBatch.encode(baseTimestamp: Int64(Date().timeIntervalSince1970 * 1000), records: [Record(offsetDelta: 0, value: payload)])
    var lat: [Double] = []
    for i in 0..<2000 {
        let t = ContinuousClock.now
        try await produce(Int32(i % Int(partitions)), single)
        lat.append(milliseconds(ContinuousClock.now - t))
    }
    lat.sort()
    emit(["bench": "broker_latency", "broker": label, "client": "sluice", "records": lat.count,
          "p50_ms": lat[lat.count / 2], "p99_ms": lat[lat.count * 99 / 100], "max_ms": lat.last!])
    // Consume everything from offset 0: one fetch loop per partition, 4 MB per fetch, so
    // fetches overlap as a consumer's prefetching does.
    let expected = (requests + Int(partitions)) * perBatch + 2000   // measured, warm-up and latency records
    let cstart = ContinuousClock.now
    let read = try await withThrowingTaskGroup(of: Int.self) { g in
        for p in 0..<partitions {
            g.addTask {
                let end = try await client.request(ListOffsetsRequest(topics: [.init(name: topic, partitions: [.init(partitionIndex: p, timestamp: -1)])]),
                                                   node: node).topics[0].partitions[0].offset
                var offset: Int64 = 0, count = 0
                while offset < end {
                    let f = try await client.request(FetchRequest(maxWaitMs: 500, minBytes: 1, maxBytes: 64 << 20, topics: [.init(topic: topic, partitions:
                        [.init(partition: p, fetchOffset: offset, partitionMaxBytes: 4 << 20)])]), node: node)
                    // Batch headers only, no CRC check: what librdkafka does by default (check.crcs=false).
                    let records = f.responses.first?.partitions.first?.records ?? []
                    var at = 0
                    while records.count - at >= RecordBatch.headerSize, let b = try? RecordBatch.parseHeader(records, at: at), at + b.size <= records.count {
                        count += Int(b.recordCount)
                        offset = b.lastOffset + 1
                        at += b.size
                    }
                }
                return count
            }
        }
        var sum = 0
        for try await n in g { sum += n }
        return sum
    }
    guard read == expected else { fatalError("read \(read) records, expected \(expected)") }
    let consumeSeconds = milliseconds(ContinuousClock.now - cstart) / 1000
    emit(["bench": "broker_consume", "broker": label, "client": "sluice", "records": read, "seconds": consumeSeconds,
          "records_per_s": Double(read) / consumeSeconds, "mb_per_s": Double(read * size) / consumeSeconds / 1e6])
    await client.shutdown()

case "flink":
    let url = args.dropFirst().first ?? "http://127.0.0.1:8081"
    let jar = args.dropFirst(2).first ?? ""
    let client = FlinkClient(baseURL: url, timeoutSeconds: 30)
    let jarId = try await client.uploadJar(path: jar)
    // events → counter → slow → 6 stages → window/sink: 10 vertices.
    let wide = try await client.run(jar: jarId, JarRun(arguments: ["--name", "bench-wide", "--rate", "200", "--stages", "6"], parallelism: 1))
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
    emit(["bench": "flink_refresh", "case": "1 job × \(vertices) vertices, in focus", "requests": one.requests].merging(stats(one.ms)) { a, _ in a })
    // 49 short bounded jobs beside it: 50 jobs listed, the one running read in turn.
    var bounded: [String] = []
    for i in 0..<49 {
        bounded.append(try await client.run(jar: jarId, JarRun(arguments: ["--name", "bench-bounded-\(i)", "--count", "20", "--rate", "1000",
                                                                           "--checkpointMs", "0"], parallelism: 1)))
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
    emit(["bench": "flink_refresh", "case": "\(listed) jobs listed, none on screen", "requests": fifty.requests].merging(stats(fifty.ms)) { a, _ in a })
    try await client.cancel(job: wide)

default:
    FileHandle.standardError.write(Data("usage: SluiceBench model | render | refresh KAFKA [CYCLES] | flink URL JAR\n".utf8))
    exit(2)
}
