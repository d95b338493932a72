import Services
import ConsoleModel
import Connectors
import Recording
import Synchronization

/// Runs the sources of the current connection, each on its own task, folding every observation
/// into the shared model and waking the UI loop. The UI reads value copies of the model, so the
/// two never block each other long.
public final class LiveFeed: Sendable {
    private let model = Mutex(ConsoleModel())
    private let policy: Mutex<RefreshPolicy>
    private let running = Mutex<[(source: any ObservationSource, task: Task<Void, Never>)]>([])
    private let focus = Mutex<(jobs: [String], exceptions: Set<String>)>(([], []))
    private let wake: @Sendable () -> Void
    /// When set, every observation is also written to this recording.
    private let recorder = Mutex<RecordingWriter?>(nil)

    public init(policy: RefreshPolicy, wake: @escaping @Sendable () -> Void) {
        self.policy = Mutex(policy)
        self.wake = wake
    }

    public var current: ConsoleModel { model.withLock { $0 } }

    public func setPolicy(_ p: RefreshPolicy) {
        policy.withLock { $0 = p }
        for r in running.withLock({ $0 }) { r.source.setRefresh(p) }
    }

    /// Seconds between readings now: the slowest source's (auto lengthens Kafka's on big clusters).
    public var interval: Double {
        running.withLock { $0 }.map(\.source.interval).max() ?? (policy.withLock { $0.pinned } ?? RefreshPolicy.autoFloor)
    }

    /// Replaces the running sources (a new context) and starts from an empty model.
    public func attach(_ sources: [any ObservationSource]) {
        stop()
        model.withLock { $0 = ConsoleModel() }
        let p = policy.withLock { $0 }
        let f = focus.withLock { $0 }
        let started = sources.map { source in
            source.setRefresh(p)
            source.setFocus(jobs: f.jobs, exceptions: f.exceptions)
            let task = Task { [weak self] in
                // The model takes the reading at once; the screen is woken once the source is done
                // with it (after it has handed freed memory back), not in the middle.
                await source.run(ClosureSink(receive: { [weak self] observation in
                    guard let self else { return }
                    self.model.withLock { $0.apply(observation) }
                    self.recorder.withLock { $0 }?.record(observation)
                }, settled: { [weak self] in
                    self?.wake()
                }, reset: { [weak self] in
                    self?.model.withLock { $0 = ConsoleModel() }
                }))
            }
            return (source: source, task: task)
        }
        running.withLock { $0 = started }
    }

    /// The jobs on screen, read in detail on every reading (exceptions only for `exceptions`).
    public func setFocus(jobs: [String], exceptions: Set<String>) {
        let changed = focus.withLock { old in
            defer { old = (jobs, exceptions) }
            return old.jobs != jobs || old.exceptions != exceptions
        }
        guard changed else { return }
        for r in running.withLock({ $0 }) { r.source.setFocus(jobs: jobs, exceptions: exceptions) }
    }

    /// Starts (a writer) or stops (`nil`) recording the observations as they arrive.
    public func setRecorder(_ writer: RecordingWriter?) { recorder.withLock { $0 = writer } }

    /// Stops every source and lets go of its connections.
    public func stop() {
        let old = running.withLock { r in defer { r = [] }; return r }
        for r in old {
            r.task.cancel()
            let source = r.source
            Task { await source.shutdown() }
        }
    }
}
