import NIOCore

/// What the group and transaction coordinators need of the log, and no more: find a partition,
/// and write records to the engine's internal topics. ``PartitionTable`` is the implementation;
/// the coordinators never see the engine or the wire.
protocol CoordinatorLog: AnyObject {
    func partition(_ topic: String, _ index: Int32) -> PartitionState?
    func partitions(of topic: String) -> [PartitionState]?
    /// Every partition of every topic (for rebuilding state on start).
    var allPartitions: [PartitionState] { get }
    /// The internal topic `name`, created (compacted, kept forever) on first use.
    func internalTopic(_ name: String, partitions: Int32) throws -> [PartitionState]
    /// Appends a batch the engine itself writes; resolves once durable under the flush policy.
    func appendInternal(_ state: PartitionState, batch: [UInt8]) -> EventLoopFuture<Void>
}
