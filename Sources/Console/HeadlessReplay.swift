import ConsoleModel
import Display

/// The console on recorded readings without a terminal or a clock: readings are applied one at a
/// time, keys pressed between them, and each frame composed by the ``FrameComposer`` the live
/// loop uses. The same readings and keys give the same frames, every time (an export, a test).
public struct HeadlessReplay {
    public private(set) var model = ConsoleModel()
    public private(set) var ui: UIState
    private var frames: FrameComposer
    /// Time of the last reading applied: the replay's "now".
    public private(set) var now: Double = 0

    public init(ui: UIState, kafkaLabel: String, flinkLabel: String?, width: Int, height: Int) {
        self.ui = ui
        frames = FrameComposer(renderer: Renderer(bootstrap: kafkaLabel, flink: flinkLabel), width: width, height: height)
    }

    public mutating func apply(_ observation: Observation) {
        model.apply(observation)
        now = max(now, observation.time)
    }

    /// Presses `key`; false when it quits. What needs a live console (job actions, recording,
    /// replay controls, themes) is declined on the status line, as a read-only console would.
    public mutating func press(_ key: Key) -> Bool {
        switch frames.handle(key, ui: &ui, model: model) {
        case .quit: return false
        case .none, .refreshChanged: break
        case .runJobAction: ui.message = "job actions are refused: this is a replay"
        case .toggleRecording, .addMarker: ui.message = "recording is not available in a replay"
        case .replay: ui.message = "replay keys act in sluice replay; an export plays the whole recording"
        case .switchTheme: ui.message = "an export keeps its theme (--theme)"
        case let .switchContext(name): ui.message = "a replay has no contexts to switch to (\(name))"
        }
        return true
    }

    /// The frame for the readings and keys so far.
    public mutating func frame() -> CellGrid { frames.compose(model: model, ui: &ui, now: now) }
}

