import Foundation
import Synchronization

/// A screen without a terminal: frames are kept as text, input is a queue fed by the caller.
/// Tests drive the console loop with it; an export renders frames with it.
public final class HeadlessScreen: Screen, @unchecked Sendable {   // state behind `state`
    private struct State {
        var events: [TerminalEvent] = []
        var woken = false
        var frames = 0
        var last: CellGrid?
        var theme: Theme
        var restored = false
    }
    private let state: Mutex<State>
    private let signal = DispatchSemaphore(value: 0)
    public let width: Int
    public let height: Int

    public init(width: Int = 80, height: Int = 24, theme: Theme = .builtinMono) {
        self.width = width
        self.height = height
        state = Mutex(State(theme: theme))
    }

    public func draw(_ grid: CellGrid) { state.withLock { $0.last = grid; $0.frames += 1 } }

    public func nextEvent(timeoutMilliseconds: Int32) -> TerminalEvent {
        while true {
            let next: TerminalEvent? = state.withLock { s in
                if !s.events.isEmpty { return s.events.removeFirst() }
                if s.woken { s.woken = false; return .wake }
                return nil
            }
            if let next { return next }
            if timeoutMilliseconds < 0 { signal.wait() } else if signal.wait(timeout: .now() + .milliseconds(Int(timeoutMilliseconds))) == .timedOut {
                return .timeout
            }
        }
    }

    public func applyTheme(_ theme: Theme) { state.withLock { $0.theme = theme } }
    public func restore() { state.withLock { $0.restored = true } }

    public var waker: @Sendable () -> Void {
        { [self] in
            state.withLock { $0.woken = true }
            signal.signal()
        }
    }

    /// Queues input (keys, a resize, a signal) for the loop.
    public func send(_ events: TerminalEvent...) {
        state.withLock { $0.events += events }
        signal.signal()
    }

    /// The last frame drawn, one string per row; empty before the first.
    public var lines: [String] {
        guard let grid = state.withLock({ $0.last }) else { return [] }
        return (0..<grid.height).map { grid.line($0) }
    }

    public var framesDrawn: Int { state.withLock { $0.frames } }
    public var isRestored: Bool { state.withLock { $0.restored } }
    public var theme: Theme { state.withLock { $0.theme } }
}
