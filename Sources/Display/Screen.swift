import Foundation

/// Where the console draws and where its input comes from: the real terminal (`NCursesScreen`
/// in the Terminal module) or a ``HeadlessScreen`` for tests and exports. The console loop
/// only ever talks to this protocol.
public protocol Screen: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Shows `grid` (the whole frame; a screen may send only what changed).
    func draw(_ grid: CellGrid)
    /// Blocks until a key, a resize, a wake-up, a signal or the timeout (-1: none).
    func nextEvent(timeoutMilliseconds: Int32) -> TerminalEvent
    func applyTheme(_ theme: Theme)
    /// Gives the terminal back as it was; safe to call more than once.
    func restore()
    /// Called from any thread to end a blocked ``nextEvent(timeoutMilliseconds:)`` with `.wake`.
    var waker: @Sendable () -> Void { get }
}

/// The console's notion of now (epoch seconds), injected so a run can be replayed or tested
/// without waiting for real time.
public protocol ConsoleClock: Sendable {
    func now() -> Double
}

/// Wall-clock time.
public struct SystemClock: ConsoleClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
}
