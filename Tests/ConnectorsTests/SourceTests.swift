import CMalloc
import Connectors
import ConsoleModel
import FlinkClient
import KafkaClient
import Synchronization
import Testing

/// The sources and the Kafka poller against a scripted cluster and clock: what a reading holds,
/// how often metadata is re-read, how failures are reported, and how the loop paces itself.
@Suite struct SourceTests {
    /// Runs `source` until the scripted clock has seen `readings` waits; returns what it delivered.
    func observe(_ source: any ObservationSource, readings: Int) async -> [Observation] {
        let seen = Mutex<[Observation]>([])
        await Task { await source.run(ClosureSink(receive: { o in seen.withLock { $0.append(o) } })) }.value
        return seen.withLock { $0 }
    }

    @Test func aReadingHoldsTopicsGroupsAndLag() async throws {
        let cluster = ScriptedCluster(topics: ["orders": [100, 250]], groups: ["billing": ["orders": [90, 250]]])
        let poller = KafkaPoller(client: cluster)
        guard case let .kafka(snapshot) = await poller.poll(now: { 42 }) else { Issue.record("no snapshot"); return }
        #expect(snapshot.time == 42)
        #expect(snapshot.topics.map(\.name) == ["orders"])
        #expect(snapshot.topics[0].partitions.map(\.highWatermark) == [100, 250])
        let group = try #require(snapshot.groups.first)
        #expect(group.groupId == "billing" && group.state == "Stable" && group.error == nil)
        #expect(group.offsets.map(\.offset) == [90, 250])
        var model = ConsoleModel()
        model.apply(.kafka(snapshot))
        #expect(model.groups.first?.totalLag == 10)
    }

    @Test func metadataAndGroupListsAreReReadOnlyEveryDiscoveryRound() async {
        let cluster = ScriptedCluster(topics: ["t": [1]], groups: ["g": ["t": [1]]])
        let poller = KafkaPoller(client: cluster, discoveryEvery: 3)
        for _ in 0..<7 { _ = await poller.poll(now: { 0 }) }
        // Readings 0, 3 and 6 discover.
        #expect(cluster.state.withLock { $0.metadataCalls } == 3)
        #expect(cluster.state.withLock { $0.listGroupsCalls } == 3)
    }

    @Test func groupReadFailuresKeepTheirCause() async {
        let cluster = ScriptedCluster(topics: ["t": [5]], groups: ["g": ["t": [1]]])
        cluster.state.withLock {
            $0.describeFailure = .timeout(api: .describeGroups, broker: "node 1", milliseconds: 5000)
            $0.coordinatorFailure = .brokerError(api: .findCoordinator, broker: "node 1", code: .coordinatorNotAvailable)
        }
        guard case let .kafka(snapshot) = await KafkaPoller(client: cluster).poll(now: { 0 }) else { Issue.record("no snapshot"); return }
        #expect(snapshot.errors.contains { $0.hasPrefix("FindCoordinator: ") && $0.contains("COORDINATOR_NOT_AVAILABLE") }, "\(snapshot.errors)")
        #expect(snapshot.errors.contains { $0.hasPrefix("DescribeGroups: ") && $0.contains("5000") }, "\(snapshot.errors)")
        #expect(snapshot.groups.first?.error?.contains("5000") == true)
    }

    @Test func kafkaSourceDeliversEveryReadingAndWaitsThePinnedInterval() async {
        let cluster = ScriptedCluster(topics: ["t": [1, 2, 3]])
        let clock = ScriptedClock(limit: 3)
        let source = KafkaSource(poller: KafkaPoller(client: cluster), policy: RefreshPolicy(pinned: 4), clock: clock)
        let seen = await observe(source, readings: 3)
        #expect(seen.count == 3)
        #expect(clock.sleeps == [4, 4, 4])
        #expect(source.interval == 4)
        // Readings are stamped with the injected clock's time, which moved only by the waits.
        let times = seen.compactMap { if case let .kafka(s) = $0 { s.time } else { nil } }
        #expect(times == [1_000, 1_004, 1_008])
    }

    @Test func eachReadingIsReceivedThenSettledBeforeTheWait() async {
        let clock = ScriptedClock(limit: 2)
        let source = KafkaSource(poller: KafkaPoller(client: ScriptedCluster(topics: ["t": [1]])), policy: RefreshPolicy(pinned: 1), clock: clock)
        let events = Mutex<[String]>([])
        await Task {
            await source.run(ClosureSink(receive: { _ in events.withLock { $0.append("receive") } },
                                         settled: { events.withLock { $0.append("settled \(clock.sleeps.count)") } }))
        }.value
        // The screen is woken after the source's own work on a reading, before it waits for the next.
        #expect(events.withLock { $0 } == ["receive", "settled 0", "receive", "settled 1"])
    }

    /// The console caps malloc arenas and trims after each reading (docs/benchmarks.md: RSS);
    /// on glibc both must really be compiled in, not left as no-ops.
    @Test func mallocTuningIsCompiledInOnGlibc() {
        #if canImport(Glibc)
        #expect(sl_malloc_tuning_available() == 1)
        #endif
    }

    @Test func autoRefreshStaysWithinItsBoundsAndFollowsAChange() async {
        let clock = ScriptedClock(limit: 2)
        let source = KafkaSource(poller: KafkaPoller(client: ScriptedCluster(topics: ["t": [1]])), clock: clock)
        _ = await observe(source, readings: 2)
        #expect(clock.sleeps.allSatisfy { $0 >= RefreshPolicy.autoFloor && $0 <= RefreshPolicy.autoCeiling })
        source.setRefresh(RefreshPolicy(pinned: 0.5))
        let again = ScriptedClock(limit: 1)
        let pinned = KafkaSource(poller: KafkaPoller(client: ScriptedCluster()), policy: RefreshPolicy(pinned: 0.5), clock: again)
        _ = await observe(pinned, readings: 1)
        #expect(again.sleeps == [0.5])
    }

    @Test func aRecordingPlaysAtItsRecordedPaceTimesTheSpeed() async {
        let readings: [Observation] = [10, 12, 16].map { .kafka(KafkaSnapshot(time: $0)) } + [.kafkaError(time: 17, message: "gone")]
        let clock = ScriptedClock(limit: 20)
        let source = RecordingSource(observations: readings, speed: 2, clock: clock)
        let seen = await observe(source, readings: 4)
        #expect(seen == readings)
        // 7 recorded seconds at twice the speed: 3.5 s of waiting, in slices of at most 0.25 s
        // (so pause, speed and seek act within a quarter of a second).
        #expect(clock.sleeps.allSatisfy { $0 <= RecordingSource.slice })
        #expect(abs(clock.sleeps.prefix(14).reduce(0, +) - 3.5) < 1e-9)
        #expect(source.control.status.position == 17 && source.control.status.finished)
    }

    /// Waits a millisecond for every second asked, so a playing source runs fast but still yields.
    struct QuickClock: SourceClock {
        func now() -> Double { 0 }
        func sleep(seconds: Double) async { try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000)) }
    }

    /// A sink that records what it was handed, resets included.
    final class LogSink: ObservationSink, @unchecked Sendable {
        private let log = Mutex<[String]>([])
        var entries: [String] { log.withLock { $0 } }
        func receive(_ o: Observation) { if case let .kafka(s) = o { log.withLock { $0.append("\(Int(s.time))") } } }
        func settled() {}
        func reset() { log.withLock { $0.append("reset") } }
    }

    @Test func aReplayPausesStepsAndSeeksBackByReplayingFromTheStart() async throws {
        let readings: [Observation] = (0..<6).map { .kafka(KafkaSnapshot(time: Double(100 + $0 * 10))) }
        let source = RecordingSource(observations: readings, speed: 1, markers: [(time: 130, text: "deploy")], clock: QuickClock())
        let control = source.control
        control.togglePause()
        let sink = LogSink()
        let task = Task { await source.run(sink) }
        func settle(_ check: @escaping () -> Bool) async {
            for _ in 0..<500 where !check() { try? await Task.sleep(nanoseconds: 2_000_000) }
        }
        await settle { sink.entries == ["100"] }
        #expect(sink.entries == ["100"], "paused: only the first reading")
        control.step()
        await settle { sink.entries.count == 2 }
        #expect(sink.entries == ["100", "110"])
        #expect(control.status.position == 110)
        // The next marker, then back to the start: the model is rebuilt from the first reading.
        #expect(control.seekMarker(next: true)?.text == "deploy")
        await settle { sink.entries.last == "130" }
        #expect(Array(sink.entries.suffix(5)) == ["reset", "100", "110", "120", "130"])
        control.seek(to: try #require(control.target(of: "start")))
        await settle { sink.entries.last == "100" && sink.entries.count > 7 }
        #expect(Array(sink.entries.suffix(2)) == ["reset", "100"])
        #expect(control.target(of: "+5m") == control.status.position + 300)
        #expect(control.target(of: "soon") == nil)
        #expect(control.changeSpeed(faster: true) == 2)
        task.cancel()
        await task.value
    }

    @Test func anUnreachableFlinkIsAnErrorObservationNotAnException() async {
        let clock = ScriptedClock(limit: 2)
        // Port 1 on loopback refuses at once.
        let source = FlinkSource(poller: FlinkPoller(client: FlinkClient(baseURL: "http://127.0.0.1:1", timeoutSeconds: 2)),
                                 policy: RefreshPolicy(pinned: 3), clock: clock)
        let seen = await observe(source, readings: 2)
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { if case .flinkError = $0 { true } else { false } })
        #expect(clock.sleeps == [3, 3])
    }
}
