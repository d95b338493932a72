/// A decoded key.
public enum Key: Sendable, Equatable, Hashable {
    case character(Character)
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    case function(Int)
}

/// What wakes the UI loop.
public enum TerminalEvent: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// Another thread called the screen's waker (new data, an action finished).
    case wake
    /// SIGINT, SIGTERM, SIGHUP or SIGQUIT arrived.
    case signal(Int32)
    case timeout
}
