import ConsoleModel
import Connectors
import Display
import Foundation
import Services

/// The interactive console: one UI loop that sleeps until a key, a resize or new data (and, while
/// the cluster is unreachable, a one-second tick for the "disconnected for" banner), and a
/// ``LiveFeed`` running the connection's observation sources. It draws to a ``Screen`` and reads
/// time from a ``ConsoleClock``, so a run can be driven without a terminal.
public final class ConsoleApp: Sendable {
    public struct Options: Sendable {
        public var contextName: String
        public var themeName: String
        public var refresh: RefreshPolicy
        /// What to attach to first.
        public var connection: Connection
        /// Other contexts, for `:ctx NAME`.
        public var connector: any ContextConnector
        /// Job actions refused when true.
        public var readonly = false
        /// Said when a job action is refused; the default names --readonly.
        public var readonlyReason: String?
        public var initialRoute: Route
        /// Shown on the status line at start (what is being replayed, a damaged file).
        public var message: String?
        /// Where `R` writes recordings; `nil` turns the key off (a replay).
        public var recordingDirectory: String? = SessionRecorder.defaultDirectory()
        public init(contextName: String, themeName: String, refresh: RefreshPolicy, connection: Connection, connector: any ContextConnector,
                    initialRoute: Route = .overview) {
            self.contextName = contextName; self.themeName = themeName; self.refresh = refresh
            self.connection = connection; self.connector = connector; self.initialRoute = initialRoute
        }
    }

    private let options: Options
    private let clock: any ConsoleClock
    private let ledgerPath: String

    public init(options: Options, clock: any ConsoleClock = SystemClock(), ledgerPath: String = JobLedger.defaultPath()) {
        self.options = options
        self.clock = clock
        self.ledgerPath = ledgerPath
    }

    /// Runs until the user quits or a signal arrives; returns the process exit status. The
    /// screen (made by `makeScreen` with the chosen theme) is restored on every path out,
    /// including thrown errors.
    public func run(makeScreen: (Theme) throws -> any Screen) throws -> Int32 {
        var theme: Theme
        var startupMessage: String?
        do { theme = try ThemeLoader.load(name: options.themeName) } catch {
            theme = Theme.builtinMono
            startupMessage = "\(error); using mono"
        }
        let screen = try makeScreen(theme)
        defer { screen.restore() }

        let feed = LiveFeed(policy: options.refresh, wake: screen.waker)
        var connection = options.connection
        feed.attach(connection.sources)
        defer { feed.stop() }

        var ui = UIState(contextName: options.contextName, contexts: options.connector.contextNames, themeName: theme.name,
                         themes: ThemeLoader.available(), refreshSeconds: options.refresh.pinned ?? RefreshPolicy.autoFloor,
                         refreshAuto: options.refresh.isAuto, initial: options.initialRoute)
        ui.message = startupMessage ?? options.message
        ui.readonly = options.readonly
        if let reason = options.readonlyReason { ui.readonlyReason = reason }
        ui.savepointDir = connection.savepointDir
        let runner = JobActionRunner(ledgerPath: ledgerPath, wake: screen.waker)
        var lastReported = 0
        var frames = FrameComposer(renderer: Renderer(bootstrap: connection.kafkaLabel, flink: connection.flinkLabel),
                                   width: screen.width, height: screen.height)
        var frozenModel: ConsoleModel?
        var recorder = SessionRecorder(directory: options.recordingDirectory)
        defer {
            feed.setRecorder(nil)
            _ = recorder.stop()
        }

        while true {
            // The frame's model copy must not outlive the frame: while the loop sleeps, the feed
            // applies new readings in place, and a copy held here would force it to duplicate
            // every history (copy-on-write) on each reading.
            var tick: Int32 = 60_000
            do {
                if ui.refreshAuto { ui.refreshSeconds = feed.interval }
                ui.actionLog = runner.entries
                // A finished action's result goes to the status line once (and into a recording).
                if let e = runner.entries.first, e.id > lastReported, e.state != .running {
                    lastReported = e.id
                    ui.message = e.summary
                    recorder.mark(.action, e.summary, at: clock.now())
                }
                // Detail is read for the job on screen (or selected in Jobs), exceptions only when shown.
                let focus = ui.route.jobId ?? (ui.route == .jobs ? ui.tableState(.jobs).selectedId : nil)
                feed.setFocus(jobs: focus.map { [$0] } ?? [], exceptions: ui.route.jobId.flatMap { if case .exceptions = ui.route { [$0] } else { nil } } ?? [])
                let model = ui.frozen ? (frozenModel ?? feed.current) : feed.current
                // A recording that can no longer be written (a full disk) stops; the console goes on.
                if let w = recorder.writer, let reason = w.failureReason {
                    feed.setRecorder(nil)
                    _ = recorder.stop()
                    ui.message = "recording stopped: \(reason); \(w.path) keeps what was written before (it replays)"
                }
                // Live alerts (not a frozen frame's), and only while recording: a copy of the model costs.
                if recorder.isRecording { recorder.noteAlerts(feed.current.alerts, at: clock.now()) }
                ui.replay = connection.replay?.status
                ui.recording = recorder.isRecording
                ui.recordingNote = recorder.note
                screen.draw(frames.compose(model: model, ui: &ui, now: clock.now()))
                // Nothing on screen changes with time except the banner's "disconnected for".
                if !model.health.connected { tick = 1000 }
            }

            switch screen.nextEvent(timeoutMilliseconds: tick) {
            case let .key(key):
                let wasFrozen = ui.frozen
                let model = ui.frozen ? (frozenModel ?? feed.current) : feed.current
                let effect = frames.handle(key, ui: &ui, model: model)
                if ui.frozen && !wasFrozen { frozenModel = model }
                if !ui.frozen { frozenModel = nil }
                switch effect {
                case .none: break
                case .quit: return 0
                case let .refreshChanged(s): feed.setPolicy(RefreshPolicy(pinned: s))
                case let .runJobAction(action):
                    if let control = connection.jobControl { runner.run(action, control: control) } else { ui.message = "no Flink connection for job actions (--flink URL)" }
                case .toggleRecording:
                    if let done = recorder.stop() {
                        feed.setRecorder(nil)
                        ui.message = "recording saved: \(done.path) (\(Format.bytes(done.size))); replay it with: sluice replay \(done.path)"
                    } else if options.recordingDirectory == nil {
                        ui.message = "recording is not available here"
                    } else {
                        do {
                            let path = try recorder.start(context: ui.contextName, connection: connection,
                                                          terminal: .init(width: screen.width, height: screen.height), now: clock.now())
                            feed.setRecorder(recorder.writer)
                            ui.message = "recording to \(path) (R stops, M marks a moment)"
                        } catch { ui.message = "cannot record: \(error)" }
                    }
                case let .replay(key):
                    if let control = connection.replay { ui.message = Self.perform(key, on: control) }
                case let .addMarker(note):
                    recorder.mark(.user, note, at: clock.now())
                    ui.message = "marker added: \(note)"
                case let .switchTheme(name):
                    do {
                        let t = try ThemeLoader.load(name: name)
                        screen.applyTheme(t)
                        ui.themeName = name
                        ui.message = "theme \(name)"
                    } catch { ui.message = "\(error)" }
                case let .switchContext(name):
                    do { connection = try options.connector.connect(context: name) } catch {
                        ui.message = "\(error)"
                        break
                    }
                    feed.attach(connection.sources)
                    frames.renderer.bootstrap = connection.kafkaLabel
                    frames.renderer.flink = connection.flinkLabel
                    ui.savepointDir = connection.savepointDir
                    ui.contextName = name
                    ui.stack = [.overview]
                    ui.message = "context \(name): " + connection.summary
                    recorder.mark(.context, ui.message ?? name, at: clock.now())
                    frames.forgetRows()
                }
            case let .resize(width, height):
                frames.resize(width: width, height: height)
            case let .signal(signo):
                return 128 + signo
            case .wake, .timeout:
                break
            }
        }
    }
}

extension ConsoleApp {
    /// Carries out a replay key; returns what to tell the user.
    static func perform(_ key: ReplayKey, on control: ReplayControl) -> String {
        switch key {
        case .togglePause: return control.togglePause() ? "paused (P resumes, . steps one reading)" : "playing"
        case .faster, .slower: return "speed \(Format.speedFactor(control.changeSpeed(faster: key == .faster)))"
        case .step:
            guard control.status.paused else { return "playing: P pauses, then . steps one reading at a time" }
            control.step()
            return "one reading on"
        case .nextMarker, .previousMarker:
            guard let m = control.seekMarker(next: key == .nextMarker) else { return key == .nextMarker ? "no marker after this" : "no marker before this" }
            return "marker \(Format.clock(m.time)): \(DisplayText.sanitize(m.text))"
        case let .seek(text):
            guard let t = control.target(of: text) else {
                return "cannot seek to '\(DisplayText.cell(text, width: 30))': use 03:12:30, +5m, -30s, start or end"
            }
            control.seek(to: t)
            return "at \(Format.clock(min(max(t, control.status.start), control.status.end)))"
        }
    }
}

/// Rows are rebuilt only when the data, the view, the filter or the sort changed; scrolling a
/// 10,000-row table re-draws visible rows without re-formatting all of them.
struct RowCache {
    private struct Key: Equatable {
        var version: Int
        var route: Route
        var filter: String
        var sortColumn: Int
        var ascending: Bool
    }
    private var key: Key?
    private var rows: [TableRow] = []

    mutating func rows(for ui: UIState, model: ConsoleModel) -> [TableRow] {
        let state = ui.tableState(ui.route)
        let k = Key(version: model.version, route: ui.route, filter: ui.filters[ui.route] ?? "", sortColumn: state.sortColumn,
                    ascending: state.ascending)
        if k != key {
            rows = ui.visibleRows(ui.route, model: model)
            key = k
        }
        return rows
    }
}
