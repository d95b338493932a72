import Services
import Foundation
import Testing
import Console
import ConsoleModel
import Connectors
import KafkaClient
import KafkaProtocol

/// Sluice's numbers against an independent reading by a real client (confluent-kafka), taken
/// just before and just after: committed offsets and end offsets only move forward, so Sluice's
/// reading must lie between the two, and equal them where nothing moved (the stopped group).
@Suite(.serialized, .enabled(if: Peer.enabled)) struct LagAgreementTests {
    func check(committed: Int64?, endOffset: Int64?, lag: Int64?, group: String, topic: String, partition: Int32,
               before: IndependentReading, after: IndependentReading) {
        // A slow group may make its first commit on a partition between the readings.
        guard let a = after.row(group, topic, partition) else {
            Issue.record("\(group) \(topic)-\(partition) missing from the independent reading")
            return
        }
        let b = before.row(group, topic, partition) ?? IndependentReading.Row(topic: topic, partition: partition, committed: 0, endOffset: 0)
        guard let c = committed else { Issue.record("\(group) \(topic)-\(partition): no committed offset"); return }
        #expect((b.committed...a.committed).contains(c), "\(group) \(topic)-\(partition) committed \(c) not in [\(b.committed), \(a.committed)]")
        if let e = endOffset, let be = b.endOffset, let ae = a.endOffset {
            #expect((be...ae).contains(e), "\(group) \(topic)-\(partition) end offset \(e) not in [\(be), \(ae)]")
            #expect(lag == max(0, e - c))
        } else {
            Issue.record("\(group) \(topic)-\(partition): end offset unknown (sluice \(String(describing: endOffset)))")
        }
        if group.hasSuffix("-stopped") { #expect(c == b.committed && c == a.committed) }
    }

    @Test func lagJSONAgreesWithConfluentKafka() throws {
        let kafka = try Peer.requireKafka()
        let before = try IndependentReading.take(bootstrap: kafka, groups: Peer.groups)
        let r = try run(Peer.sluice, ["lag", "--kafka", kafka, "--json"] + Peer.groups)
        let after = try IndependentReading.take(bootstrap: kafka, groups: Peer.groups)
        #expect(r.status == 1, "a stopped group is not OK, so exit status 1; stderr: \(r.stderr)")
        let doc = try JSONDecoder().decode(LagReport.Document.self, from: Data(r.stdout.utf8))
        #expect(Set(doc.groups.map(\.group)) == Set(Peer.groups))
        for g in doc.groups {
            #expect(!g.partitions.isEmpty, "\(g.group) has no partitions")
            for p in g.partitions {
                check(committed: p.committed, endOffset: p.endOffset, lag: p.lag, group: g.group, topic: p.topic, partition: p.partition,
                      before: before, after: after)
            }
        }
        let stopped = try #require(doc.groups.first { $0.group.hasSuffix("-stopped") })
        #expect(stopped.status == "STOP")
        #expect(stopped.members.isEmpty)
        let caughtUp = try #require(doc.groups.first { $0.group.hasSuffix("-caughtup") })
        #expect(caughtUp.status == "OK")
        #expect(caughtUp.members.count == 1)
    }

    @Test func consolePollerAgreesWithConfluentKafka() async throws {
        let kafka = try Peer.requireKafka()
        let client = KafkaClient(configuration: KafkaClientConfiguration(bootstrap: BrokerAddress.parseList(kafka)!))
        let poller = KafkaPoller(client: client)
        var model = ConsoleModel()
        _ = await poller.poll(now: { Date().timeIntervalSince1970 })   // warm: positions and coordinators
        let before = try IndependentReading.take(bootstrap: kafka, groups: Peer.groups)
        let obs = await poller.poll(now: { Date().timeIntervalSince1970 })
        let after = try IndependentReading.take(bootstrap: kafka, groups: Peer.groups)
        await client.shutdown()
        guard case .kafka = obs else { Issue.record("poll failed: \(obs)"); return }
        model.apply(obs)
        for name in Peer.groups {
            let g = try #require(model.groups.first { $0.groupId == name }, "\(name) not listed")
            #expect(!g.partitions.isEmpty)
            for p in g.partitions {
                check(committed: p.committed, endOffset: p.endOffset, lag: p.lag, group: name, topic: p.topic, partition: p.partition,
                      before: before, after: after)
            }
        }
    }

    @Test func refreshCostGrowsWithBrokersNotGroups() async throws {
        let kafka = try Peer.requireKafka()
        let client = KafkaClient(configuration: KafkaClientConfiguration(bootstrap: BrokerAddress.parseList(kafka)!))
        let poller = KafkaPoller(client: client, discoveryEvery: 5)
        let first = try await poller.snapshot(now: { Date().timeIntervalSince1970 })
        await client.resetRequestCounts()
        var last = first
        for _ in 0..<5 { last = try await poller.snapshot(now: { Date().timeIntervalSince1970 }) }
        let counts = await client.requestCounts
        await client.shutdown()
        let newGroups = Set(last.groups.map(\.groupId)).subtracting(first.groups.map(\.groupId))
        let partitions = last.topics.reduce(0) { $0 + $1.partitions.count }
        #expect(last.groups.count >= 4 && partitions >= 12)
        // One broker, one coordinator: per refresh one request of each kind, whatever the number
        // of groups and partitions; the topic and group lists are re-read once in five refreshes.
        #expect(counts[.offsetFetch] == 5, "requests: \(counts)")
        #expect(counts[.describeGroups] == 5)
        #expect(counts[.fetch] == 5)
        #expect(counts[.metadata] == 1)
        #expect(counts[.listGroups] == 1)
        #expect(counts[.listOffsets, default: 0] == 0, "positions are reused from the previous refresh")
        // Coordinators are cached: only groups that appeared since the first refresh are looked up.
        #expect(counts[.findCoordinator, default: 0] == (newGroups.isEmpty ? 0 : 1), "FindCoordinator: \(counts), new groups \(newGroups)")
    }

    @Test func lagWithoutGroupArgumentsListsEveryGroupOnTheFirstReading() throws {
        let kafka = try Peer.requireKafka()
        let r = try run(Peer.sluice, ["lag", "--kafka", kafka, "--json"])
        let doc = try JSONDecoder().decode(LagReport.Document.self, from: Data(r.stdout.utf8))
        #expect(Set(Peer.groups).isSubset(of: Set(doc.groups.map(\.group))), "listed: \(doc.groups.map(\.group)); stderr: \(r.stderr)")
        let text = try run(Peer.sluice, ["lag", "--kafka", kafka])
        #expect(text.stdout.contains("GROUP \(Peer.prefix)-lagging: state"))
    }

    @Test func unreachableBrokerFailsClearlyWithStatus2() throws {
        let started = Date()
        let r = try run(Peer.sluice, ["lag", "--kafka", "127.0.0.1:1", "--request-timeout", "2"], timeout: 30)
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot reach any bootstrap server (127.0.0.1:1)"))
        #expect(r.stderr.contains("connection refused"))
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func unknownGroupIsReportedNotInvented() throws {
        let kafka = try Peer.requireKafka()
        let r = try run(Peer.sluice, ["lag", "--kafka", kafka, "--json", "no-such-group-\(getpid())"])
        let doc = try JSONDecoder().decode(LagReport.Document.self, from: Data(r.stdout.utf8))
        let g = try #require(doc.groups.first)
        #expect(g.partitions.isEmpty)
        #expect(g.totalLag == nil)
    }
}
