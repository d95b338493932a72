import Connectors
import Services
import ConsoleModel
import Display

/// What the keyboard is typing into, if anything.
public enum InputMode: Sendable, Equatable {
    case none
    case filter(String)
    case command(String)
    /// The note of a recording marker (`M`).
    case marker(String)
    /// A job action's confirmation or form.
    case form(JobForm)
}

/// Side effects the UI loop carries out after a key.
public enum Effect: Sendable, Equatable {
    case none
    case quit
    case switchContext(String)
    case switchTheme(String)
    case refreshChanged(Double)
    case runJobAction(JobAction)
    /// Start or stop recording this console's readings (`R`).
    case toggleRecording
    /// Add a marker with this note to the recording (`M`).
    case addMarker(String)
    /// Act on the replay being played.
    case replay(ReplayKey)
}

/// What the replay keys ask of a replay.
public enum ReplayKey: Sendable, Equatable {
    case togglePause, faster, slower, step, nextMarker, previousMarker
    /// `:seek 03:12:30`, `:seek +5m`, `:seek start`, `:seek end`.
    case seek(String)
}

/// Navigation and interaction state: pure, so every key can be tested without a terminal.
public struct UIState: Sendable {
    public var stack: [Route] = [.overview]
    public var tables: [Route: TableState] = [:]
    public var filters: [Route: String] = [:]
    public var input: InputMode = .none
    public var frozen = false
    /// Wide mode: every column at full width, scrolled sideways with `h`/`l`.
    public var wide = false
    /// True while this console records its readings (set by the loop).
    public var recording = false
    /// "● REC name 1.2 MB" or why recording stopped, for the header (set by the loop).
    public var recordingNote: String?
    /// Where the replay stands, when the console plays a recording (set by the loop).
    public var replay: ReplayControl.Status?
    public var refreshSeconds: Double
    /// True while the feed chooses the interval (``RefreshPolicy``); `+`/`-` pin it.
    public var refreshAuto: Bool
    public var message: String?
    public var contextName: String
    public var contexts: [String]
    public var themeName: String
    public var themes: [String]
    /// Job actions are refused (and hidden from help) when true.
    public var readonly = false
    /// What a refused job action is told (a replay says it is one).
    public var readonlyReason = "read-only console: job actions are disabled (started with --readonly)"
    /// Default savepoint directory from the context (`nil`: the cluster's own default).
    public var savepointDir: String?

    public init(contextName: String, contexts: [String] = [], themeName: String = "default", themes: [String] = [],
                refreshSeconds: Double = 2, refreshAuto: Bool = false, initial: Route = .overview) {
        self.contextName = contextName
        self.contexts = contexts
        self.themeName = themeName
        self.themes = themes
        self.refreshSeconds = refreshSeconds
        self.refreshAuto = refreshAuto
        self.stack = [initial]
    }

    public var route: Route { stack.last ?? .overview }

    /// The job actions run from this console, newest first (set by the loop).
    public var actionLog: [JobActionRunner.Entry] = []

    /// Job names by id, for the action forms (set by the loop from the model).
    public var jobNames: [String: String] = [:]

    public func tableState(_ route: Route) -> TableState {
        if let s = tables[route] { return s }
        let spec = TableSpec.forRoute(route)
        return TableState(sortColumn: spec?.defaultSort.column ?? 0, ascending: spec?.defaultSort.ascending ?? true)
    }

    /// Rows of a table view after the filter and sort, the order the user sees.
    public func visibleRows(_ route: Route, model: ConsoleModel) -> [TableRow] {
        guard let spec = TableSpec.forRoute(route) else { return [] }
        return Self.arrange(spec.rows(model), state: tableState(route), filter: filters[route] ?? "")
    }

    public static func arrange(_ rows: [TableRow], state: TableState, filter: String) -> [TableRow] {
        let needle = filter.lowercased()
        var out = needle.isEmpty ? rows : rows.filter { $0.filterText.lowercased().contains(needle) }
        let c = state.sortColumn
        out.sort { a, b in
            let ka = c < a.sortKeys.count ? a.sortKeys[c] : .none
            let kb = c < b.sortKeys.count ? b.sortKeys[c] : .none
            if ka == kb { return a.id < b.id }
            if ka == .none { return false }
            if kb == .none { return true }
            return state.ascending ? ka < kb : kb < ka
        }
        return out
    }

    /// Applies one key. `rows` are the current view's visible rows; `page` the table height.
    public mutating func handle(_ key: Key, rows: [TableRow], page: Int) -> Effect {
        switch input {
        case let .filter(text):
            return editFilter(key, text)
        case let .command(text):
            return editCommand(key, text)
        case let .marker(text):
            switch key {
            case .escape: input = .none; message = "no marker added"
            case .backspace: input = .marker(String(text.dropLast()))
            case let .character(c): input = .marker(text + String(c))
            case .enter:
                input = .none
                let note = text.trimmingCharacters(in: .whitespaces)
                return .addMarker(note.isEmpty ? "marker" : note)
            default: break
            }
            return .none
        case var .form(form):
            switch form.handle(key) {
            case .editing: input = .form(form)
            case .cancelled: input = .none; message = "\(form.title): not done"
            case let .submit(action):
                input = .none
                message = "\(action.title): started…"
                return .runJobAction(action)
            }
            return .none
        case .none:
            break
        }
        message = nil
        guard let action = KeyMap.action(for: key) else { return .none }
        return perform(action, rows: rows, page: page)
    }

    mutating func perform(_ action: Action, rows: [TableRow], page: Int) -> Effect {
        // The table state belongs to the view the key was pressed in, even if the key leaves it.
        let current = route
        var table = tableState(current)
        let ids = rows.map(\.id)
        table.reconcile(ids: ids)
        let spec = TableSpec.forRoute(route)
        switch action {
        case .moveDown: table.move(by: 1, count: rows.count, ids: ids)
        case .moveUp: table.move(by: -1, count: rows.count, ids: ids)
        case .top: table.move(by: -rows.count, count: rows.count, ids: ids)
        case .bottom: table.move(by: rows.count, count: rows.count, ids: ids)
        case .pageDown: table.move(by: max(1, page), count: rows.count, ids: ids)
        case .pageUp: table.move(by: -max(1, page), count: rows.count, ids: ids)
        case .open:
            if let spec, let id = table.selectedId, let next = spec.open(id) { stack.append(next) }
        case .back:
            if filters[route]?.isEmpty == false { filters[route] = nil } else if stack.count > 1 { stack.removeLast() }
        case let .view(r):
            stack = [r]
        case let .job(kind):
            guard !readonly else { message = readonlyReason; break }
            if kind == .launch {
                input = .form(JobForm(kind: .launch, savepointDir: savepointDir))
                break
            }
            guard let jid = route.jobId ?? (route == .jobs ? table.selectedId : nil) else {
                message = "select a job first (view 5: Jobs)"
                break
            }
            input = .form(JobForm(kind: kind, jid: jid, name: jobNames[jid] ?? String(jid.prefix(8)), savepointDir: savepointDir))
        case let .jobView(v):
            // From a job's own views, or from the Jobs list with a job selected.
            guard let jid = route.jobId ?? (route == .jobs ? table.selectedId : nil) else {
                message = "select a job first (view 5: Jobs)"
                break
            }
            let next: Route = switch v {
            case .vertices: .jobDetail(jid: jid)
            case .checkpoints: .checkpoints(jid: jid)
            case .exceptions: .exceptions(jid: jid)
            }
            if route.jobId != nil { stack[stack.count - 1] = next } else { stack.append(next) }
        case .filter:
            input = .filter(filters[route] ?? "")
        case .command:
            input = .command("")
        case .sortNext, .sortPrevious:
            if let spec {
                let n = spec.columns.count
                table.sortColumn = (table.sortColumn + (action == .sortNext ? 1 : n - 1)) % n
                table.ascending = true
            }
        case .invertSort:
            table.ascending.toggle()
        case let .replayKey(key):
            guard replay != nil else {
                message = "not a replay: these keys act on `sluice replay FILE`"
                break
            }
            tables[current] = table
            return .replay(key)
        case .toggleRecording:
            tables[current] = table
            return .toggleRecording
        case .addMarker:
            guard recording else {
                message = "not recording: R starts a recording, then M marks moments in it"
                break
            }
            input = .marker("")
        case .toggleWide:
            wide.toggle()
            message = wide ? "wide: every column at full width (h/l scroll, w back)" : "fitted to the screen"
        case .scrollColumnsLeft, .scrollColumnsRight:
            guard wide, let spec else {
                message = "h/l scroll columns in wide mode (w)"
                break
            }
            let others = spec.columns.filter { $0.priority != .identifier }.count
            table.firstColumn = max(0, min(others - 1, table.firstColumn + (action == .scrollColumnsRight ? 1 : -1)))
        case .freeze:
            frozen.toggle()
            message = frozen ? "frozen: live updates paused (space resumes)" : "live"
        case .refreshFaster, .refreshSlower:
            let steps: [Double] = [0.5, 1, 2, 5, 10, 30, 60]
            let i = steps.firstIndex { $0 >= refreshSeconds } ?? steps.count - 1
            refreshSeconds = steps[max(0, min(steps.count - 1, i + (action == .refreshFaster ? -1 : 1)))]
            refreshAuto = false
            message = "refresh every \(Format.seconds(refreshSeconds)) (pinned)"
            tables[current] = table
            return .refreshChanged(refreshSeconds)
        case .help:
            if route != .help { stack.append(.help) }
        case .quit:
            if stack.count > 1 { stack.removeLast() } else { return .quit }
        }
        tables[current] = table
        return .none
    }

    private mutating func editFilter(_ key: Key, _ text: String) -> Effect {
        switch key {
        case .enter: input = .none
        case .escape:
            input = .none
            filters[route] = nil
        case .backspace:
            let t = String(text.dropLast())
            input = .filter(t)
            filters[route] = t
        case let .character(c):
            let t = text + String(c)
            input = .filter(t)
            filters[route] = t
        default: break
        }
        var table = tableState(route)
        table.selectedIndex = 0
        table.selectedId = nil
        table.scroll = 0
        tables[route] = table
        return .none
    }

    private mutating func editCommand(_ key: Key, _ text: String) -> Effect {
        switch key {
        case .escape: input = .none
        case .backspace: input = text.isEmpty ? .none : .command(String(text.dropLast()))
        case let .character(c): input = .command(text + String(c))
        case .tab: input = .command(complete(text))
        case .enter:
            input = .none
            return run(command: text)
        default: break
        }
        return .none
    }

    /// Tab completion over view names, contexts and themes.
    func complete(_ text: String) -> String {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let candidates: [String]
        let prefix: String
        if parts.count <= 1 {
            candidates = ["overview", "topics", "groups", "rebalances", "jobs", "actions", "help", "ctx", "theme", "q"]
            prefix = ""
        } else if parts[0] == "ctx" {
            candidates = contexts; prefix = "ctx "
        } else if parts[0] == "theme" {
            candidates = themes; prefix = "theme "
        } else { return text }
        let word = parts.last ?? ""
        let matches = candidates.filter { $0.hasPrefix(word) }.sorted()
        return matches.count == 1 ? prefix + matches[0] : text
    }

    mutating func run(command text: String) -> Effect {
        let words = text.split(separator: " ").map(String.init)
        guard let verb = words.first else { return .none }
        switch verb {
        case "q", "q!", "quit", "exit": return .quit
        case "ctx", "context":
            guard words.count == 2 else {
                message = contexts.isEmpty ? "no contexts in the config file" : "contexts: \(contexts.sorted().joined(separator: ", "))"
                return .none
            }
            guard contexts.contains(words[1]) else {
                message = "no context '\(DisplayText.cell(words[1], width: 40))' (known: \(contexts.isEmpty ? "none" : contexts.sorted().joined(separator: ", ")))"
                return .none
            }
            return .switchContext(words[1])
        case "seek":
            guard replay != nil else {
                message = "not a replay: :seek moves through `sluice replay FILE`"
                return .none
            }
            guard words.count == 2 else {
                message = "seek where? :seek 03:12:30, :seek +5m, :seek -30s, :seek start, :seek end"
                return .none
            }
            return .replay(.seek(words[1]))
        case "theme":
            guard words.count == 2 else {
                message = "themes: \(themes.sorted().joined(separator: ", "))"
                return .none
            }
            return .switchTheme(words[1])
        default:
            if let r = Route(command: verb) {
                stack = [r]
                return .none
            }
            message = "unknown command ':\(DisplayText.cell(verb, width: 30))' — try :groups :topics :rebalances :jobs :ctx NAME :theme NAME :q"
            return .none
        }
    }
}
