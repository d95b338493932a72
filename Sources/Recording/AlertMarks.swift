import ConsoleModel

/// Turns the model's alerts, looked at reading after reading, into markers: an alert that
/// appeared is "raised", one that went away "cleared". The console and `sluice record` both
/// mark alerts this way, so a replay's `{` `}` land where statuses changed.
public struct AlertMarks: Sendable {
    private var open: [String: String] = [:]

    public init() {}

    /// Markers for the alerts that appeared or went away since the last call.
    public mutating func changes(_ alerts: [Alert], at time: Double) -> [Marker] {
        let now = Dictionary(alerts.map { ($0.key, $0.message) }, uniquingKeysWith: { a, _ in a })
        var out: [Marker] = []
        for a in alerts where open[a.key] == nil && now[a.key] == a.message { out.append(Marker(time: time, kind: .alert, text: "raised: \(a.message)")) }
        for (key, message) in open.sorted(by: { $0.key < $1.key }) where now[key] == nil {
            out.append(Marker(time: time, kind: .alert, text: "cleared: \(message)"))
        }
        open = now
        return out
    }
}
