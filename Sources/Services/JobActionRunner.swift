import Foundation
import Synchronization

/// Runs the console's job actions in the background — the UI stays responsive — and keeps the
/// action log the status line and the Actions view show.
public final class JobActionRunner: Sendable {
    public struct Entry: Sendable, Equatable {
        public enum State: Sendable, Equatable { case running, done(String), failed(String) }
        public var id: Int
        public var started: Double
        public var finished: Double?
        public var title: String
        public var state: State
        public init(id: Int, started: Double, finished: Double? = nil, title: String, state: State) {
            self.id = id; self.started = started; self.finished = finished; self.title = title; self.state = state
        }
        /// "savepoint of orders: done — file:/sp/savepoint-1".
        public var summary: String {
            switch state {
            case .running: "\(title): in progress…"
            case let .done(detail): "\(title): done — \(detail)"
            case let .failed(reason): "\(title): failed — \(reason)"
            }
        }
    }

    private let log = Mutex<[Entry]>([])
    private let wake: @Sendable () -> Void
    public let ledgerPath: String

    public init(ledgerPath: String = JobLedger.defaultPath(), wake: @escaping @Sendable () -> Void) {
        self.ledgerPath = ledgerPath
        self.wake = wake
    }

    /// Newest first.
    public var entries: [Entry] { log.withLock { $0.reversed() } }

    public func run(_ action: JobAction, control: any JobControl) {
        let id = log.withLock { l -> Int in
            let id = (l.last?.id ?? 0) + 1
            l.append(Entry(id: id, started: Date().timeIntervalSince1970, title: action.title, state: .running))
            if l.count > 200 { l.removeFirst(l.count - 200) }
            return id
        }
        wake()
        let ledger = ledgerPath
        Task {
            let state: Entry.State
            do {
                state = .done(try await control.perform(action, ledger: ledger))
            } catch {
                state = .failed(String(describing: error))
            }
            self.log.withLock { l in
                if let i = l.firstIndex(where: { $0.id == id }) { l[i].state = state; l[i].finished = Date().timeIntervalSince1970 }
            }
            self.wake()
        }
    }
}
