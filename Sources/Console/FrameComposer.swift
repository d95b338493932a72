import ConsoleModel
import Display

/// One frame of the console from a model and the UI state, and one key against the rows that
/// frame showed. The live loop and a headless replay (an export) both go through it, so a
/// replayed frame is the frame the live console drew from the same readings and keys.
public struct FrameComposer {
    public var renderer: Renderer
    public private(set) var grid: CellGrid
    /// Table rows shown on the last frame (the page size for PgUp/PgDn).
    public private(set) var page = 1
    private var cache = RowCache()

    public init(renderer: Renderer, width: Int, height: Int) {
        self.renderer = renderer
        grid = CellGrid(width: width, height: height)
    }

    /// Draws `model` as `ui` shows it; `now` only matters for "disconnected for" banners.
    @discardableResult
    public mutating func compose(model: ConsoleModel, ui: inout UIState, now: Double) -> CellGrid {
        if ui.route == .jobs || ui.route.jobId != nil {
            ui.jobNames = Dictionary(model.flink.jobs.map { ($0.job.jid, $0.job.name) }, uniquingKeysWith: { a, _ in a })
        }
        let rows = cache.rows(for: ui, model: model)
        page = renderer.render(model: model, ui: &ui, rows: rows, into: &grid, now: now)
        return grid
    }

    /// Hands `key` to `ui` with the rows `model` gives the current view.
    public mutating func handle(_ key: Key, ui: inout UIState, model: ConsoleModel) -> Effect {
        ui.handle(key, rows: cache.rows(for: ui, model: model), page: page)
    }

    public mutating func resize(width: Int, height: Int) { grid = CellGrid(width: width, height: height) }

    /// Forgets cached rows (a new context's model restarts its versions).
    public mutating func forgetRows() { cache = RowCache() }
}
