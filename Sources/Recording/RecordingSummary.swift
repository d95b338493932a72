import Foundation
import ConsoleModel

/// What happened in a recording, for a postmortem draft (`sluice record`'s file, replayed through
/// the same model the console uses, so a status here is the one the console showed then).
public struct RecordingSummary: Codable, Sendable, Equatable {
    public struct StatusChange: Codable, Sendable, Equatable {
        public var time: Double
        public var group: String
        public var status: String
        public var totalLag: Int64?
        public var members: Int
    }

    public struct Rebalance: Codable, Sendable, Equatable {
        public var detectedAt: Double
        public var group: String
        public var membersBefore: Int
        public var membersAfter: Int?
        public var durationSeconds: Double?
        public var cause: String
    }

    public struct FailedCheckpoint: Codable, Sendable, Equatable {
        public var time: Double
        public var job: String
        public var id: Int64
        public var cause: String
    }

    public var started: Double
    public var ended: Double
    public var readings: Int
    public var sources: [RecordingHeader.Source]
    /// Groups whose shown status changed away from (or back to) OK, in time order.
    public var statusChanges: [StatusChange]
    public var rebalances: [Rebalance]
    public var failedCheckpoints: [FailedCheckpoint]
    public var markers: [Marker]
    /// Set when the file was damaged: the summary covers what came before.
    public var damage: String?

    public static func make(header: RecordingHeader, events: [RecordingEvent], damage: RecordingDamage? = nil) -> RecordingSummary {
        var model = ConsoleModel()
        var shown: [String: LagStatus] = [:]
        var changes: [StatusChange] = []
        var failed: [String: FailedCheckpoint] = [:]
        var markers: [Marker] = []
        var readings = 0
        for event in events {
            switch event {
            case let .marker(m): markers.append(m)
            case let .observation(o):
                model.apply(o)
                if case .kafka = o { readings += 1 }
                if case .flink = o { readings += 1 }
                if case .kafka = o {
                    for g in model.groups where g.status != .pending {
                        let before = shown[g.groupId] ?? .ok
                        guard g.status != before else { continue }
                        shown[g.groupId] = g.status
                        changes.append(StatusChange(time: g.statusSince, group: g.groupId, status: g.status.rawValue, totalLag: g.totalLag,
                                                    members: g.members.count))
                    }
                }
                if case let .flink(s) = o {
                    let names = Dictionary(s.jobs.map { ($0.jid, $0.name) }, uniquingKeysWith: { a, _ in a })
                    for d in s.details {
                        for c in (d.checkpoints?.history ?? []) + [d.checkpoints?.latestFailed].compactMap({ $0 }) where c.status == "FAILED" {
                            let key = "\(d.jid)#\(c.id)"
                            guard failed[key] == nil else { continue }
                            failed[key] = FailedCheckpoint(time: c.failureTime ?? c.triggerTime ?? s.time, job: names[d.jid] ?? d.jid, id: c.id,
                                                           cause: c.failureMessage ?? "no cause given")
                        }
                    }
                }
            }
        }
        let rebalances = model.rebalances.events.map {
            Rebalance(detectedAt: $0.detectedAt, group: $0.groupId, membersBefore: $0.membersBefore, membersAfter: $0.membersAfter,
                      durationSeconds: $0.duration, cause: $0.cause)
        }
        return RecordingSummary(started: header.started, ended: events.last?.time ?? header.started, readings: readings, sources: header.sources,
                                statusChanges: changes.sorted { $0.time < $1.time }, rebalances: rebalances.sorted { $0.detectedAt < $1.detectedAt },
                                failedCheckpoints: failed.values.sorted { ($0.time, $0.id) < ($1.time, $1.id) }, markers: markers,
                                damage: damage?.description)
    }

    /// The summary as text, times as UTC clock times, one line per thing that happened.
    public func text() -> String {
        func clock(_ t: Double) -> String {
            let s = Int(t.rounded(.down)) % 86_400
            return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        }
        func span(_ seconds: Double) -> String {
            let s = Int(seconds.rounded())
            return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
        }
        var out = "Recording \(clock(started)) → \(clock(ended)) UTC (\(span(ended - started))), \(readings) readings"
        out += sources.isEmpty ? "\n" : ", from " + sources.map { "\($0.name) \($0.address)" }.joined(separator: " · ") + "\n"
        if let damage { out += "Damaged at \(damage)\n" }
        out += "\nGroups (status changes)\n"
        out += statusChanges.isEmpty ? "  none: every group stayed OK\n" : statusChanges.map { c in
            "  \(clock(c.time))  \(c.group)  \(c.status)  lag \(c.totalLag.map(String.init) ?? "unknown"), \(c.members) member\(c.members == 1 ? "" : "s")\n"
        }.joined()
        out += "\nRebalances\n"
        out += rebalances.isEmpty ? "  none\n" : rebalances.map { r in
            "  \(clock(r.detectedAt))  \(r.group)  \(r.membersBefore) → \(r.membersAfter.map(String.init) ?? "?") members"
                + (r.durationSeconds.map { ", took \(span($0))" } ?? ", still open") + "  (\(r.cause))\n"
        }.joined()
        out += "\nFailed checkpoints\n"
        out += failedCheckpoints.isEmpty ? "  none\n" : failedCheckpoints.map { "  \(clock($0.time))  \($0.job)  #\($0.id)  \($0.cause)\n" }.joined()
        out += "\nMarkers and job actions\n"
        out += markers.isEmpty ? "  none\n" : markers.map { "  \(clock($0.time))  \($0.kind.rawValue): \($0.text)\n" }.joined()
        return out
    }
}
