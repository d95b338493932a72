import Foundation
import Console
import FlinkClient
import ConsoleModel
import Connectors
import KafkaClient
import KafkaProtocol
import Display
import Recording

/// Measurements for `make bench`; each prints one JSON object per line for Benchmarks/run.sh.
///   SluiceBench model             model apply+derive, synthetic 1,000 groups × 10,000 partitions
///   SluiceBench render            frame render of a 10,000-row view (and the row build behind it)
///   SluiceBench refresh KAFKA N   N full refresh cycles against a broker
///   SluiceBench flink URL JAR     Flink reading cost: 1 job × 10 vertices in focus, then 50 jobs listed
///   SluiceBench recording         recording size and CPU at 1,000 groups (busy and quiet), seek to the
///                                 end of 1-hour recordings, headless export speed
///   SluiceBench recording-live KAFKA   recording CPU on real readings of a broker, beside the reading's
///   SluiceBench window-count N [generator|topic] [CHECKPOINT_MS]   keyed 1 s tumbling count over N
///                                 events in an in-process engine: events/s and per CPU second
///                                 (checkpointed every CHECKPOINT_MS when given)
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


/// CPU time of the calling thread, in milliseconds (the recording writer works on the caller's).
func threadCPUms() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
}

/// A demo-sized cluster (`make demo`'s load): 3 topics × 4 partitions, 4 groups, one lagging.
func demoSnapshot(time: Double) -> KafkaSnapshot {
    let topics = (0..<3).map { t in
        KafkaSnapshot.Topic(name: "demo-t\(t)", partitions: (0..<4).map {
            .init(partition: Int32($0), leader: 1, replicas: [1], isr: [1], highWatermark: Int64(time * 50), logStartOffset: 0)
        })
    }
    let rates: [Double] = [50, 20, 0, 50]
    let groups = ["caughtup", "lagging", "stopped", "rebalancing"].enumerated().map { i, name in
        KafkaSnapshot.Group(groupId: "demo-\(name)", state: i == 2 ? "Empty" : "Stable", assignor: "range",
                            members: i == 2 ? [] : [.init(memberId: "m-\(i)", clientId: "demo-\(name)", clientHost: "/127.0.0.1")],
                            offsets: (0..<3).flatMap { t in (0..<4).map { CommittedOffset(topic: "demo-t\(t)", partition: Int32($0), offset: Int64(time * rates[i])) } })
    }
    return KafkaSnapshot(time: time, clusterId: "demo", brokers: [.init(nodeId: 1, host: "127.0.0.1", port: 9092)], topics: topics, groups: groups)
}

/// Writes `readings` to a new gzip recording; returns the file, its size and the writer's CPU per reading.
func writeRecording(_ name: String, _ readings: [Observation]) throws -> (path: String, bytes: Int64, cpuMs: [Double]) {
    let path = NSTemporaryDirectory() + "/sluice-bench-\(UUID().uuidString)-\(name).jsonl.gz"
    let w = try RecordingWriter(path: path, header: RecordingHeader(started: readings.first?.time ?? 0, sluice: "bench",
                                                                    sources: [.init(name: "kafka", address: "bench:9092")]))
    var cpu: [Double] = []
    for o in readings {
        let t0 = threadCPUms()
        w.record(o)
        cpu.append(threadCPUms() - t0)
    }
    w.close()
    return (path, w.size, cpu.sorted())
}

/// Loads a recording and rebuilds the model to its end, as `:seek end` does.
func seekToEnd(_ path: String) throws -> (loadMs: Double, applyMs: Double, readings: Int) {
    let clock = ContinuousClock()
    var observations: [Observation] = []
    let load = clock.measure {
        observations = (try? RecordingReader(path: path))?.readAll().compactMap { if case let .observation(o) = $0 { o } else { nil } } ?? []
    }
    var model = ConsoleModel()
    let apply = clock.measure { for o in observations { model.apply(o) } }
    return (milliseconds(load), milliseconds(apply), observations.count)
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
    // events → counter → slow → 6 stages → window/sink: 10 vertices.
    try await flinkReadingCost(url: url, wideJar: jar, wideArgs: ["--name", "bench-wide", "--rate", "200", "--stages", "6"],
                               boundedJar: jar, boundedArgs: ["--count", "20", "--rate", "1000", "--checkpointMs", "0"], peer: "flink")

case "engine-rest":
    // The same readings of the engine's jobs: a 10-vertex spec, and the Flink test job's twin for the bounded ones.
    let url = args.dropFirst().first ?? "http://127.0.0.1:8081"
    let twin = args.dropFirst(2).first ?? "scripts/flink-job/sluice-test-job.yaml"
    let wide = NSTemporaryDirectory() + "bench-wide-\(UUID().uuidString).yaml"
    try wideEngineSpec.write(toFile: wide, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: wide) }
    try await flinkReadingCost(url: url, wideJar: wide, wideArgs: ["--name", "bench-wide", "--rate", "200"],
                               boundedJar: twin, boundedArgs: ["--count", "20", "--rate", "1000"], peer: "engine")

case "window-count":
    let events = Int64(args.dropFirst().first ?? "") ?? 20_000_000
    emit(try await windowBench(events: events, source: args.dropFirst(2).first ?? "generator",
                               checkpointMs: Int64(args.dropFirst(3).first ?? "") ?? 0))

case "recording":
    // 1,000 groups × 10,000 partitions, a reading every 2 s for a minute: busy (every offset moves)
    // and quiet (nothing moves: only references are written).
    let busy = try writeRecording("busy", (1...30).map { .kafka(syntheticSnapshot(time: Double($0) * 2, groups: 1000)) })
    emit(["bench": "recording_size", "case": "1,000 groups × 10,000 partitions, all moving, 2 s", "bytes_per_min": busy.bytes,
          "cpu_ms_median": busy.cpuMs[busy.cpuMs.count / 2], "cpu_ms_p95": busy.cpuMs[busy.cpuMs.count * 95 / 100], "interval_s": 2])
    let still = syntheticSnapshot(time: 100, groups: 1000)
    let quiet = try writeRecording("quiet", (1...30).map { i in var s = still; s.time = 100 + Double(i) * 2; return .kafka(s) })
    emit(["bench": "recording_size", "case": "1,000 groups × 10,000 partitions, quiet, 2 s", "bytes_per_min": quiet.bytes,
          "cpu_ms_median": quiet.cpuMs[quiet.cpuMs.count / 2], "cpu_ms_p95": quiet.cpuMs[quiet.cpuMs.count * 95 / 100], "interval_s": 2])
    try? FileManager.default.removeItem(atPath: busy.path)
    try? FileManager.default.removeItem(atPath: quiet.path)

    // An hour at the demo load (a reading every 2 s), and an hour of the busy 1,000-group cluster at
    // its auto interval (about 4 s): load the file, rebuild the model to the end.
    let demoHour = try writeRecording("demo-hour", (1...1800).map { .kafka(demoSnapshot(time: 1_000 + Double($0) * 2)) })
    let d = try seekToEnd(demoHour.path)
    emit(["bench": "recording_seek_end", "case": "1 hour at demo load (1,800 readings)", "bytes": demoHour.bytes, "load_ms": d.loadMs,
          "apply_ms": d.applyMs, "readings": d.readings])
    let bigHour = try writeRecording("big-hour", (1...900).map { .kafka(syntheticSnapshot(time: Double($0) * 4, groups: 1000)) })
    let b = try seekToEnd(bigHour.path)
    emit(["bench": "recording_seek_end", "case": "1 hour of 1,000 groups, all moving (900 readings)", "bytes": bigHour.bytes, "load_ms": b.loadMs,
          "apply_ms": b.applyMs, "readings": b.readings])
    try? FileManager.default.removeItem(atPath: bigHour.path)

    // Headless export of the demo hour at 160×45, the groups view, one frame per reading.
    let reader = try RecordingReader(path: demoHour.path)
    let observations = reader.readAll().compactMap { e -> Observation? in if case let .observation(o) = e { o } else { nil } }
    let cast = NSTemporaryDirectory() + "/sluice-bench-\(UUID().uuidString).cast"
    let options = CastExport.Options(width: 160, height: 45, ui: UIState(contextName: "demo", initial: .groups), kafkaLabel: "bench:9092",
                                     flinkLabel: nil, theme: .builtinMono)
    let started = ContinuousClock.now
    let result = try CastExport.run(observations: observations, markers: [], options: options,
                                    writer: AsciicastWriter(path: cast, width: 160, height: 45, timestamp: 0, title: "bench"))
    let took = milliseconds(ContinuousClock.now - started) / 1000
    emit(["bench": "recording_export", "frames": result.frames, "seconds": took, "fps": Double(result.frames) / took,
          "cast_bytes": (try? FileManager.default.attributesOfItem(atPath: cast)[.size] as? Int) ?? -1])
    try? FileManager.default.removeItem(atPath: cast)
    try? FileManager.default.removeItem(atPath: demoHour.path)

case "recording-live":
    // Real readings of a broker: what recording costs beside what reading costs, and the share of a
    // core it takes at the interval auto refresh would choose for that reading.
    let kafka = args.dropFirst().first ?? "127.0.0.1:9092"
    let client = KafkaClient(configuration: KafkaClientConfiguration(bootstrap: BrokerAddress.parseList(kafka)!))
    let poller = KafkaPoller(client: client)
    var readings: [Observation] = []
    var readCPU: [Double] = []
    for _ in 0..<13 {
        var u0 = rusage(); getrusage(RUSAGE_SELF.rawValue, &u0)
        let s = try await poller.snapshot(now: { Date().timeIntervalSince1970 })
        var u1 = rusage(); getrusage(RUSAGE_SELF.rawValue, &u1)
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        readCPU.append((secs(u1.ru_utime) + secs(u1.ru_stime) - secs(u0.ru_utime) - secs(u0.ru_stime)) * 1000)
        readings.append(.kafka(s))
    }
    readings.removeFirst()   // the first reading also resolves metadata
    readCPU.removeFirst()
    let rec = try writeRecording("live", readings)
    try? FileManager.default.removeItem(atPath: rec.path)
    let readMs = readCPU.sorted()[readCPU.count / 2]
    let interval = RefreshPolicy().interval(readingCost: readMs / 1000)
    let groups: Int = if case let .kafka(s) = readings.last! { s.groups.count } else { 0 }
    // The first reading is written whole; the rest as changes against it.
    let steady = Array(rec.cpuMs.dropLast())
    let cpu = steady[steady.count / 2]
    emit(["bench": "recording_live", "groups": groups, "read_cpu_ms": readMs, "record_cpu_ms": cpu, "record_cpu_ms_first": rec.cpuMs.last!,
          "interval_s": interval, "overhead_percent": cpu / 1000 / interval * 100, "bytes_per_reading": Double(rec.bytes) / Double(readings.count)])

case "compaction":
    let gigabytes = args.dropFirst().first.flatMap(Double.init) ?? 1
    let codec = args.dropFirst(2).first.flatMap(RecordBatch.Compression.init(configName:)) ?? .lz4
    emit(try compactionBench(gigabytes: gigabytes, codec: codec))

default:
    FileHandle.standardError.write(Data("usage: SluiceBench model | render | refresh KAFKA [CYCLES] | flink URL JAR | recording | recording-live KAFKA | compaction [GB] [CODEC]\n".utf8))
    exit(2)
}
