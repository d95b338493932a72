extension ConsoleModel {
    /// `rates` holds each partition's produce rate in the snapshot's order (see recordHighWatermarks).
    mutating func deriveTopics(_ s: KafkaSnapshot, rates: [[Double?]]) -> [TopicSummary] {
        var cache: [String: TopicCacheEntry] = [:]
        cache.reserveCapacity(s.topics.count)
        let out = zip(s.topics, rates).map { t, topicRates in
            // Idle topics (same partitions, same rates) keep last reading's summary.
            if let hit = topicCache[t.name], hit.rates == topicRates, hit.topic == t {
                cache[t.name] = hit
                return hit.summary
            }
            let summary = Self.topicSummary(t, rates: topicRates)
            cache[t.name] = TopicCacheEntry(topic: t, rates: topicRates, summary: summary)
            return summary
        }.sorted { $0.name < $1.name }
        topicCache = cache
        return out
    }

    static func topicSummary(_ t: KafkaSnapshot.Topic, rates topicRates: [Double?]) -> TopicSummary {
        var parts = zip(t.partitions, topicRates).map { p, rate -> PartitionSummary in
            PartitionSummary(partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr,
                             logStartOffset: p.logStartOffset, highWatermark: p.highWatermark,
                             produceRate: rate, skew: nil, error: p.error)
        }
        if !zip(parts, parts.dropFirst()).allSatisfy({ $0.partition < $1.partition }) { parts.sort { $0.partition < $1.partition } }
        let rates = parts.compactMap(\.produceRate)
        let total = rates.isEmpty ? nil : rates.reduce(0, +)
        if let total, !rates.isEmpty {
            let mean = total / Double(rates.count)
            if mean > 0 { for i in parts.indices { parts[i].skew = parts[i].produceRate.map { $0 / mean } } }
        }
        var messages: Int64?
        for p in parts { if let hw = p.highWatermark { messages = (messages ?? 0) + hw - (p.logStartOffset ?? 0) } }
        return TopicSummary(name: t.name, isInternal: t.isInternal, partitions: parts, produceRate: total, messages: messages,
                            maxSkew: parts.compactMap(\.skew).max())
    }

    mutating func deriveGroups(_ s: KafkaSnapshot) -> [GroupSummary] {
        var out: [GroupSummary] = []
        out.reserveCapacity(s.groups.count)
        let sorted = zip(s.groups, s.groups.dropFirst()).allSatisfy { $0.groupId < $1.groupId }
        for g in sorted ? s.groups : s.groups.sorted(by: { $0.groupId < $1.groupId }) {
            out.append(deriveGroup(g, now: s.time))
        }
        // Forget the histories of groups this reading no longer has.
        if groupHistories.count > s.groups.count {
            let version = self.version
            for (id, h) in groupHistories where h.seenAt != version {
                groupHistories[id] = nil
                debouncer.forget(id)
            }
        }
        return out
    }

    private mutating func deriveGroup(_ g: KafkaSnapshot.Group, now: Double) -> GroupSummary {
        var owners: [PartitionRef: KafkaSnapshot.Member] = [:]
        for m in g.members { for p in m.assignment ?? [] { owners[p] = m } }
        // Partitions: every committed one, plus assigned ones without a commit (lag unknown there).
        let window = configuration.statusWindow
        // Out of the dictionary while it is worked on, so nothing in it is copied.
        var history = groupHistories.removeValue(forKey: g.groupId)
            ?? GroupHistory(readings: RingBuffer(capacity: configuration.groupHistory))
        var committed: [Int64?]
        if owners.isEmpty && g.offsets.count == history.refs.count
            && zip(g.offsets, history.refs).allSatisfy({ $0.partition == $1.partition && $0.topic == $1.topic }) {
            // The usual reading: the same partitions as last time.
            committed = g.offsets.map(\.offset)
        } else {
            var refs: [PartitionRef] = g.offsets.map(\.ref)   // sorted already when the poller made it; checked
            committed = g.offsets.map(\.offset)
            let inOrder = zip(refs, refs.dropFirst()).allSatisfy { $0 < $1 }
            if !inOrder || !owners.isEmpty {
                var byRef: [PartitionRef: Int64] = [:]
                for o in g.offsets { byRef[o.ref] = o.offset }
                refs = Array(byRef.keys)
                for ref in owners.keys where byRef[ref] == nil { refs.append(ref) }
                refs.sort()
                committed = refs.map { byRef[$0] }
            }
            if history.refs != refs {
                // Partitions came or went: keep the positions of those still here.
                let old = Dictionary(zip(history.refs, history.positions), uniquingKeysWith: { a, _ in a })
                history.positions = refs.map { old[$0] ?? RingBuffer(capacity: window) }
                history.refs = refs
            }
        }
        let refs = history.refs
        history.seenAt = version

        let readable = g.error == nil
        let hasMembers = !g.members.isEmpty
        var partitions: [PartitionLag] = []
        partitions.reserveCapacity(refs.count)
        var totalLag: Int64?
        var committedSum: Int64 = 0
        var worst = readable ? LagStatus.ok : .err
        var maxTimeLag: TimeLag.Value?
        var produce: Double?
        var topicName: String?
        var topicHistories: [HighWatermarkHistory?]?
        for (i, ref) in refs.enumerated() {
            let c = committed[i]
            if ref.topic != topicName {
                topicName = ref.topic
                topicHistories = highWatermarks[ref.topic]
            }
            // One lookup serves end offset, time lag and rate: the history's newest sample is this
            // reading's high watermark when it was seen now.
            let hw = Self.history(topicHistories, ref.partition)
            let end: Int64? = hw?.last.flatMap { $0.lastSeen == now ? $0.highWatermark : nil }
            var lag: Int64?
            if let c, let end { lag = max(0, end - c) }
            var timeLag: TimeLag.Value?
            var status = LagStatus.ok
            if let c {
                committedSum += c
                history.positions[i].append(StatusRules.Sample(time: now, committed: c, lag: lag))
                status = StatusRules.evaluate(history.positions[i], hasMembers: hasMembers, readable: readable, windowSize: window)
                if status == .pending && !configuration.reportsPending { status = .ok }
                if end != nil { timeLag = hw?.timeLag(committed: c, now: now) }
            }
            if let lag { totalLag = (totalLag ?? 0) + lag }
            if let t = timeLag, t.seconds > (maxTimeLag?.seconds ?? -1) { maxTimeLag = t }
            if let r = hw?.rate(now: now, window: configuration.rateWindowSeconds) { produce = (produce ?? 0) + r }
            // Partition-level STALL, WARN and PENDING stay on the partition; the group's own are judged below.
            if status != .stall && status != .warn && status != .pending { worst = max(worst, status) }
            partitions.append(PartitionLag(topic: ref.topic, partition: ref.partition, committed: c, endOffset: end, lag: lag,
                                           timeLag: timeLag, owner: owners.isEmpty ? nil : owners[ref], status: status))
        }
        if readable { history.readings.append(GroupReading(time: now, committedSum: committedSum, totalLag: totalLag)) }
        let readings = history.readings
        groupHistories[g.groupId] = history
        let consume = consumeRate(readings, now: now)
        if readable && hasMembers {
            let totals = readings.suffix(window).map {
                StatusRules.Sample(time: $0.time, committed: $0.committedSum, lag: $0.totalLag)
            }
            var group = StatusRules.evaluateGroup(totals, hasMembers: hasMembers, windowSize: window)
            if group == .pending && !configuration.reportsPending { group = .ok }
            worst = max(worst, group)
        }
        let shown = debouncer.update(g.groupId, worst, at: now)
        let open = rebalances.openEvent(of: g.groupId)
        return GroupSummary(groupId: g.groupId, state: g.state, protocolType: g.protocolType, assignor: g.assignor, members: g.members,
                            membersBefore: open?.membersBefore, totalLag: totalLag, maxTimeLag: maxTimeLag,
                            lagTrend: readings.compactMap(\.totalLag), consumeRate: consume, produceRate: produce,
                            catchUp: Self.catchUp(lag: totalLag, consume: consume, produce: produce,
                                                  lagGrowth: lagGrowth(readings, now: now)),
                            status: shown.status, statusSince: shown.since, rawStatus: worst, readings: min(readings.count, window),
                            partitions: partitions, error: g.error)
    }

    private func consumeRate(_ readings: RingBuffer<GroupReading>, now: Double) -> Double? {
        guard let newest = readings.last, readings.count >= 2 else { return nil }
        var base = readings[readings.count - 2]
        for i in stride(from: readings.count - 2, through: 0, by: -1) {
            if now - readings[i].time > configuration.rateWindowSeconds { break }
            base = readings[i]
        }
        guard newest.time > base.time, newest.committedSum >= base.committedSum else { return nil }
        return Double(newest.committedSum - base.committedSum) / (newest.time - base.time)
    }

    /// Total lag change per second over the rate window.
    private func lagGrowth(_ readings: RingBuffer<GroupReading>, now: Double) -> Double? {
        guard let newest = readings.last, let lagNow = newest.totalLag else { return nil }
        var base: GroupReading?
        for i in stride(from: readings.count - 1, through: 0, by: -1) {
            if now - readings[i].time > configuration.rateWindowSeconds { break }
            base = readings[i]
        }
        guard let b = base, let lagThen = b.totalLag, newest.time > b.time else { return nil }
        return Double(lagNow - lagThen) / (newest.time - b.time)
    }

    /// ETA to zero lag at the net rate (consume − produce). A group that keeps pace — lag not
    /// growing by more than a second's worth of consumption over the window — has nothing to
    /// catch up on rather than "never".
    static func catchUp(lag: Int64?, consume: Double?, produce: Double?, lagGrowth: Double? = nil) -> CatchUpEstimate {
        guard let lag else { return .unknown }
        if lag == 0 { return .caughtUp }
        guard let consume else { return .unknown }
        // Less than ten seconds of the group's own work behind: it is keeping up, whatever the
        // momentary difference of rates says.
        if consume > 0 && Double(lag) < consume * 10 { return .keepingUp }
        let net = consume - (produce ?? 0)
        if net > 0 { return .seconds(Double(lag) / net) }
        if let growth = lagGrowth, consume > 0, growth <= max(1, consume * 0.05) { return .keepingUp }
        return .never
    }
}
