import KafkaProtocol
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import EngineCore

/// A member's session is over when its deadline passes, whether or not the loop has run the
/// timer yet: answers about the group never depend on the order the loop serves things in.
@Suite struct SessionExpiryTests {
    /// No partitions and no internal topic: these tests commit no offsets.
    final class NoLog: CoordinatorLog {
        let loop: EventLoop
        init(loop: EventLoop) { self.loop = loop }
        func partition(_ topic: String, _ index: Int32) -> PartitionState? { nil }
        func partitions(of topic: String) -> [PartitionState]? { nil }
        var allPartitions: [PartitionState] { [] }
        func internalTopic(_ name: String, partitions: Int32) throws -> [PartitionState] { throw KafkaProtocolError.invalidValue(field: "topic", detail: "none here") }
        func appendInternal(_ state: PartitionState, batch: [UInt8]) -> EventLoopFuture<Void> { loop.makeSucceededVoidFuture() }
    }

    @Test func anOverdueMemberIsGoneBeforeItsTimerFires() throws {
        // An embedded loop runs no timer until told to: the session timer never fires here.
        let loop = EmbeddedEventLoop()
        var config = EngineConfiguration()
        config.minSessionTimeoutMs = 1
        let groups = GroupCoordinator(log: NoLog(loop: loop), configuration: config, loop: loop, logger: Logger(label: "test"))
        let joined = try groups.join(JoinGroupRequest(groupId: "g", sessionTimeoutMs: 50, rebalanceTimeoutMs: 50, memberId: "",
                                                      protocolType: "consumer", protocols: [.init(name: "range", metadata: [])]),
                                     version: 3, clientId: "c", host: "h").wait()
        #expect(joined.errorCode == .none && joined.generationId == 1)
        #expect(groups.describe(DescribeGroupsRequest(groups: ["g"])).groups[0].members.count == 1, "within its session it is a member")
        // Past the deadline, with the timer still pending.
        let until = NIODeadline.now() + .milliseconds(80)
        while NIODeadline.now() < until { }
        // The member is gone and, with no committed offsets, so is the group (Kafka says Dead).
        let described = groups.describe(DescribeGroupsRequest(groups: ["g"])).groups[0]
        #expect(described.members.isEmpty && described.groupState == "Dead", "\(described.groupState), \(described.members.count) members")
        let deleted = try groups.delete(DeleteGroupsRequest(groupsNames: ["g"])).wait()
        #expect(deleted.results.map(\.errorCode) == [.groupIdNotFound], "not NON_EMPTY_GROUP")
        #expect(groups.list(ListGroupsRequest()).groups.isEmpty)
    }
}
