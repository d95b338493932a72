import FlinkClient
import Foundation
import ConsoleModel
import KafkaClient
import Terminal

/// The interactive console: one UI loop that sleeps until a key, a resize or new data (and, while
/// the cluster is unreachable, a one-second tick for the "disconnected for" banner), and a
/// ``LiveFeed`` that polls the cluster.
public final class ConsoleApp {
    public struct Options: Sendable {
        public var contextName: String
        public var bootstrapText: String
        public var clientConfiguration: KafkaClientConfiguration
        /// Bootstrap text per context name, for `:ctx NAME`.
        public var contexts: [String: String]
        public var themeName: String
        public var refresh: RefreshPolicy
        /// Flink REST address, when the console watches Flink too.
        public var flinkURL: String?
        /// False when only Flink was asked for (no Kafka address given anywhere).
        public var kafkaEnabled = true
        /// Job actions refused when true.
        public var readonly = false
        /// Default savepoint directory for job actions (the context's `savepoints:`).
        public var savepointDir: String?
        /// Flink address and savepoint directory per context name, for `:ctx NAME`.
        public var flinkContexts: [String: (flink: String?, savepoints: String?)] = [:]
        public var initialRoute: Route
        public init(contextName: String, bootstrapText: String, clientConfiguration: KafkaClientConfiguration, contexts: [String: String],
                    themeName: String, refresh: RefreshPolicy, initialRoute: Route = .overview) {
            self.contextName = contextName; self.bootstrapText = bootstrapText; self.clientConfiguration = clientConfiguration
            self.contexts = contexts; self.themeName = themeName; self.refresh = refresh; self.initialRoute = initialRoute
        }
    }

    private let options: Options
    public init(options: Options) { self.options = options }

    /// Runs until the user quits or a signal arrives; returns the process exit status. The
    /// terminal is restored on every path out, including thrown errors.
    public func run() throws -> Int32 {
        var theme: Theme
        var startupMessage: String?
        do { theme = try ThemeLoader.load(name: options.themeName) } catch {
            theme = Theme.builtinMono
            startupMessage = "\(error); using mono"
        }
        let environment = ProcessInfo.processInfo.environment
        let screen = try NCursesScreen(theme: theme, environment: environment)
        defer { screen.restore() }

        let feed = LiveFeed(policy: options.refresh, wake: { NCursesScreen.wake() })
        if options.kafkaEnabled { feed.start(options.clientConfiguration) }
        if let flink = options.flinkURL { feed.startFlink(flink, timeoutSeconds: options.clientConfiguration.requestTimeoutSeconds) }
        defer { feed.stop(); feed.stopFlink() }

        var ui = UIState(contextName: options.contextName, contexts: Array(Set(options.contexts.keys).union(options.flinkContexts.keys)), themeName: theme.name,
                         themes: ThemeLoader.available(), refreshSeconds: options.refresh.pinned ?? RefreshPolicy.autoFloor,
                         refreshAuto: options.refresh.isAuto, initial: options.initialRoute)
        ui.message = startupMessage
        ui.readonly = options.readonly
        ui.savepointDir = options.savepointDir
        let runner = JobActionRunner(wake: { NCursesScreen.wake() })
        var actionClient = options.flinkURL.map { FlinkClient(baseURL: $0, timeoutSeconds: max(10, options.clientConfiguration.requestTimeoutSeconds)) }
        var lastReported = 0
        var renderer = Renderer(bootstrap: options.kafkaEnabled ? options.bootstrapText : "", flink: options.flinkURL)
        var grid = CellGrid(width: screen.width, height: screen.height)
        var frozenModel: ConsoleModel?
        var cache = RowCache()

        while true {
            // The frame's model copy must not outlive the frame: while the loop sleeps, the feed
            // applies new readings in place, and a copy held here would force it to duplicate
            // every history (copy-on-write) on each reading.
            var page = 1
            var tick: Int32 = 60_000
            do {
                if ui.refreshAuto { ui.refreshSeconds = feed.interval }
                ui.actionLog = runner.entries
                // A finished action's result goes to the status line once.
                if let e = runner.entries.first, e.id > lastReported, e.state != .running {
                    lastReported = e.id
                    ui.message = e.summary
                }
                // Detail is read for the job on screen (or selected in Jobs), exceptions only when shown.
                let focus = ui.route.jobId ?? (ui.route == .jobs ? ui.tableState(.jobs).selectedId : nil)
                feed.setFlinkFocus(focus.map { [$0] } ?? [], exceptions: ui.route.jobId.flatMap { if case .exceptions = ui.route { [$0] } else { nil } } ?? [])
                let model = ui.frozen ? (frozenModel ?? feed.current) : feed.current
                if ui.route == .jobs || ui.route.jobId != nil {
                    ui.jobNames = Dictionary(model.flink.jobs.map { ($0.job.jid, $0.job.name) }, uniquingKeysWith: { a, _ in a })
                }
                let rows = cache.rows(for: ui, model: model)
                page = renderer.render(model: model, ui: &ui, rows: rows, into: &grid, now: Date().timeIntervalSince1970)
                screen.draw(grid)
                // Nothing on screen changes with time except the banner's "disconnected for".
                if !model.health.connected { tick = 1000 }
            }

            switch screen.nextEvent(timeoutMilliseconds: tick) {
            case let .key(key):
                let wasFrozen = ui.frozen
                let model = ui.frozen ? (frozenModel ?? feed.current) : feed.current
                let effect = ui.handle(key, rows: cache.rows(for: ui, model: model), page: page)
                if ui.frozen && !wasFrozen { frozenModel = model }
                if !ui.frozen { frozenModel = nil }
                switch effect {
                case .none: break
                case .quit: return 0
                case let .refreshChanged(s): feed.setPolicy(RefreshPolicy(pinned: s))
                case let .runJobAction(action):
                    if let c = actionClient { runner.run(action, client: c) } else { ui.message = "no Flink connection for job actions (--flink URL)" }
                case let .switchTheme(name):
                    do {
                        let t = try ThemeLoader.load(name: name)
                        screen.applyTheme(t)
                        ui.themeName = name
                        ui.message = "theme \(name)"
                    } catch { ui.message = "\(error)" }
                case let .switchContext(name):
                    // A context may name Kafka, Flink or both; each feed follows it.
                    let kafkaText = options.contexts[name]
                    let flinkSide = options.flinkContexts[name]
                    let addrs = kafkaText.flatMap(BrokerAddress.parseList)
                    guard addrs != nil || flinkSide?.flink != nil else {
                        ui.message = "context \(name) has no valid kafka bootstrap and no flink address"
                        break
                    }
                    feed.stop()
                    feed.stopFlink()
                    if let addrs, let kafkaText {
                        var conf = options.clientConfiguration
                        conf.bootstrap = addrs
                        feed.start(conf)
                        renderer.bootstrap = kafkaText
                    } else {
                        feed.resetModel()
                        renderer.bootstrap = ""
                    }
                    renderer.flink = flinkSide?.flink
                    actionClient = flinkSide?.flink.map { FlinkClient(baseURL: $0, timeoutSeconds: max(10, options.clientConfiguration.requestTimeoutSeconds)) }
                    if let f = flinkSide?.flink { feed.startFlink(f, timeoutSeconds: options.clientConfiguration.requestTimeoutSeconds) }
                    ui.savepointDir = flinkSide?.savepoints
                    ui.contextName = name
                    ui.stack = [.overview]
                    ui.message = "context \(name): " + [kafkaText.map { "kafka \($0)" }, flinkSide?.flink.map { "flink \($0)" }].compactMap { $0 }.joined(separator: " · ")
                    cache = RowCache()
                }
            case let .resize(width, height):
                grid = CellGrid(width: width, height: height)
            case let .signal(signo):
                return 128 + signo
            case .wake, .timeout:
                break
            }
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
