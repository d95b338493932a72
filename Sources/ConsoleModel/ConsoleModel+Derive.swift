extension ConsoleModel {
    /// `rates` holds each partition's produce rate in the snapshot's order (see recordHighWatermarks).
    func deriveTopics(_ s: KafkaSnapshot, rates: [[Double?]]) -> [TopicSummary] {
        zip(s.topics, rates).map { t, topicRates in
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
        }.sorted { $0.name < $1.name }
    }

    mutating func deriveGroups(_ s: KafkaSnapshot) -> [GroupSummary] {
        var live = 0
        var out: [GroupSummary] = []
        out.reserveCapacity(s.groups.count)
        for g in s.groups.sorted(by: { $0.groupId < $1.groupId }) {
            out.append(deriveGroup(g, now: s.time, live: &live))
        }
        // Forget histories of groups and partitions that are gone (not touched by this reading).
        if positions.count > live { positions = positions.filter { $0.value.seenAt == version } }
        let liveGroups = Set(s.groups.map(\.groupId))
        for key in groupReadings.keys where !liveGroups.contains(key) {
            groupReadings[key] = nil
            debouncer.forget(key)
        }
        return out
    }

    private mutating func deriveGroup(_ g: KafkaSnapshot.Group, now: Double, live: inout Int) -> GroupSummary {
        var owners: [PartitionRef: KafkaSnapshot.Member] = [:]
        for m in g.members { for p in m.assignment ?? [] { owners[p] = m } }
        // Partitions: every committed one, plus assigned ones without a commit (lag unknown there).
        var committed: [PartitionRef: Int64] = [:]
        committed.reserveCapacity(g.offsets.count)
        for o in g.offsets { committed[o.ref] = o.offset }
        var refs: [PartitionRef]
        if owners.isEmpty && committed.count == g.offsets.count {
            refs = g.offsets.map(\.ref)   // usually sorted already (the poller sorts); checked below
            if !zip(refs, refs.dropFirst()).allSatisfy({ $0 < $1 }) { refs.sort() }
        } else {
            refs = Array(committed.keys)
            for ref in owners.keys where committed[ref] == nil { refs.append(ref) }
            refs.sort()
        }
        let readable = g.error == nil
        var partitions: [PartitionLag] = []
        partitions.reserveCapacity(refs.count)
        var totalLag: Int64?
        var committedSum: Int64 = 0
        var worst = readable ? LagStatus.ok : .err
        var maxTimeLag: TimeLag.Value?
        var produce: Double?
        for ref in refs {
            let c = committed[ref]
            // One lookup serves end offset, time lag and rate: the history's newest sample is this
            // reading's high watermark when it was seen now.
            let history = highWatermarks[ref]
            let end: Int64? = history?.last.flatMap { $0.lastSeen == now ? $0.highWatermark : nil }
            var lag: Int64?
            if let c, let end { lag = max(0, end - c) }
            var timeLag: TimeLag.Value?
            var status = LagStatus.ok
            if let c {
                committedSum += c
                let key = PositionKey(group: g.groupId, partition: ref)
                live += 1
                let window = configuration.statusWindow
                let version = self.version
                // In place through the dictionary: no copy of the window per partition.
                status = positions[key, default: PositionHistory(samples: RingBuffer(capacity: window))].record(
                    StatusRules.Sample(time: now, committed: c, lag: lag), at: version) { samples in
                    StatusRules.evaluate(samples, hasMembers: !g.members.isEmpty, readable: readable, windowSize: window)
                }
                if end != nil { timeLag = history?.timeLag(committed: c, now: now) }
            }
            if let lag { totalLag = (totalLag ?? 0) + lag }
            if let t = timeLag, t.seconds > (maxTimeLag?.seconds ?? -1) { maxTimeLag = t }
            if let r = history?.rate(now: now, window: configuration.rateWindowSeconds) { produce = (produce ?? 0) + r }
            // Partition-level STALL and WARN stay on the partition; the group's own are judged below.
            if status != .stall && status != .warn { worst = max(worst, status) }
            partitions.append(PartitionLag(topic: ref.topic, partition: ref.partition, committed: c, endOffset: end, lag: lag,
                                           timeLag: timeLag, owner: owners[ref], status: status))
        }
        if readable {
            groupReadings[g.groupId, default: RingBuffer(capacity: configuration.groupHistory)]
                .append(GroupReading(time: now, committedSum: committedSum, totalLag: totalLag))
        }
        let readings = groupReadings[g.groupId] ?? RingBuffer(capacity: 1)
        let consume = consumeRate(readings, now: now)
        if readable {
            let totals = readings.suffix(configuration.statusWindow).map {
                StatusRules.Sample(time: $0.time, committed: $0.committedSum, lag: $0.totalLag)
            }
            worst = max(worst, StatusRules.evaluateGroup(totals, hasMembers: !g.members.isEmpty, windowSize: configuration.statusWindow))
        }
        let shown = debouncer.update(g.groupId, worst, at: now)
        let open = rebalances.openEvent(of: g.groupId)
        return GroupSummary(groupId: g.groupId, state: g.state, protocolType: g.protocolType, assignor: g.assignor, members: g.members,
                            membersBefore: open?.membersBefore, totalLag: totalLag, maxTimeLag: maxTimeLag,
                            lagTrend: readings.compactMap(\.totalLag), consumeRate: consume, produceRate: produce,
                            catchUp: Self.catchUp(lag: totalLag, consume: consume, produce: produce,
                                                  lagGrowth: lagGrowth(readings, now: now)),
                            status: shown.status, statusSince: shown.since, rawStatus: worst, partitions: partitions, error: g.error)
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
