/// Something the on-call engineer should see: a group whose status is not OK, a lost connection.
public struct Alert: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable { case warning, critical }
    public var key: String
    public var severity: Severity
    public var message: String
    public var since: Double
}

/// Debounces status changes: a new status must hold for `confirmations` consecutive readings
/// before it replaces the shown one, so one noisy sample does not flash an alert.
public struct StatusDebouncer: Sendable {
    public let confirmations: Int
    private var shown: [String: (status: LagStatus, since: Double)] = [:]
    private struct Pending { var status: LagStatus; var count: Int; var since: Double }
    private var pending: [String: Pending] = [:]

    public init(confirmations: Int = 2) { self.confirmations = confirmations }

    /// Feeds the raw status of `key` at `time` and returns the debounced one. The first verdict
    /// shows at once (there is nothing to flap from: the first screen must not say OK for a
    /// stopped group), and so does the first verdict after PENDING; later changes must hold for
    /// `confirmations` readings.
    public mutating func update(_ key: String, _ status: LagStatus, at time: Double) -> (status: LagStatus, since: Double) {
        guard let current = shown[key], current.status != .pending || status == .pending else {
            shown[key] = (status, time)
            pending[key] = nil
            return (status, time)
        }
        if status == current.status {
            pending[key] = nil
            return current
        }
        var p = pending[key].flatMap { $0.status == status ? $0 : nil } ?? Pending(status: status, count: 0, since: time)
        p.count += 1
        if p.count >= confirmations {
            shown[key] = (status, p.since)
            pending[key] = nil
            return (status, p.since)
        }
        pending[key] = p
        return current
    }

    public mutating func forget(_ key: String) {
        shown[key] = nil
        pending[key] = nil
    }
}
