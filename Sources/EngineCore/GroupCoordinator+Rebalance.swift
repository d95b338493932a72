import KafkaProtocol
import NIOCore

/// When a rebalance completes: once every member has rejoined, when the rebalance timeout runs
/// out, or — for a group that was empty — after Kafka's group.initial.rebalance.delay.ms, so
/// consumers started together share the first generation instead of rebalancing once per arrival.
extension GroupCoordinator {
    /// Starts a rebalance: members must rejoin within the longest rebalance timeout.
    func prepareRebalance(_ group: Group, reason: String) {
        if group.state == .completingRebalance {
            // Members waiting for their assignment must rejoin instead.
            for m in group.members { m.syncPromise?.succeed(SyncGroupResponse(errorCode: .rebalanceInProgress, assignment: [])); m.syncPromise = nil }
        }
        guard group.state != .preparingRebalance else { return }
        let wasEmpty = group.state == .empty
        group.state = .preparingRebalance
        logger.info("rebalance started", metadata: ["group": "\(group.id)", "generation": "\(group.generation)", "reason": "\(reason)"])
        let timeout = group.members.map { Int64($0.rebalanceTimeoutMs) }.max() ?? 0
        group.rebalanceTimer?.cancel()
        group.initialDelay = nil
        let initial = Int64(configuration.initialRebalanceDelayMs)
        if wasEmpty && initial > 0 {
            // As Kafka's InitialDelayedJoin: wait the delay, and again (never past the rebalance
            // timeout in all) while new members keep arriving.
            group.initialDelay = (remainingMs: max(timeout - initial, 0), newMemberAdded: false)
            scheduleInitialDelay(group, afterMs: initial)
            return
        }
        group.rebalanceTimer = loop.scheduleTask(in: .milliseconds(timeout)) { [weak self, weak group] in
            guard let self, let group else { return }
            group.rebalanceTimer = nil
            // Members that did not rejoin in time are out.
            for m in group.members where m.joinPromise == nil { self.remove(m, from: group, reason: "did not rejoin within the rebalance timeout") }
            self.completeJoin(group)
        }
    }

    private func scheduleInitialDelay(_ group: Group, afterMs delay: Int64) {
        group.rebalanceTimer = loop.scheduleTask(in: .milliseconds(delay)) { [weak self, weak group] in
            guard let self, let group else { return }
            group.rebalanceTimer = nil
            if let wait = group.initialDelay, wait.newMemberAdded, wait.remainingMs > 0 {
                let next = min(Int64(self.configuration.initialRebalanceDelayMs), wait.remainingMs)
                group.initialDelay = (remainingMs: wait.remainingMs - next, newMemberAdded: false)
                self.scheduleInitialDelay(group, afterMs: next)
                return
            }
            group.initialDelay = nil
            for m in group.members where m.joinPromise == nil { self.remove(m, from: group, reason: "did not rejoin within the rebalance timeout") }
            self.completeJoin(group)
        }
    }

    /// Completes the rebalance as soon as every member has rejoined — unless an empty group is
    /// still waiting out its initial delay for more members.
    func tryCompleteJoin(_ group: Group) {
        guard group.state == .preparingRebalance, group.members.allSatisfy({ $0.joinPromise != nil }) else { return }
        if group.initialDelay != nil && group.rebalanceTimer != nil && !group.members.isEmpty { return }
        group.rebalanceTimer?.cancel()
        group.rebalanceTimer = nil
        group.initialDelay = nil
        completeJoin(group)
    }
}
