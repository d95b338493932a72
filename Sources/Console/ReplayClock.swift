import Connectors
import Display

/// A replay's "now" is the time of the reading on screen, so "disconnected for" reads as it did.
public struct ReplayClock: ConsoleClock {
    let control: ReplayControl
    public init(_ control: ReplayControl) { self.control = control }
    public func now() -> Double { control.status.position }
}
