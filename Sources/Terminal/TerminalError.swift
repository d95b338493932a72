/// Why the console cannot take over the terminal; raised before anything on screen changes.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    case notATerminal(stream: String)
    case termUnset
    case dumbTerminal(term: String)
    case cannotInitialise(term: String)

    public var description: String {
        switch self {
        case let .notATerminal(stream):
            return "\(stream) is not a terminal: run sluice in an interactive terminal, or use `sluice lag` for a plain report"
        case .termUnset:
            return "TERM is not set: set it to your terminal type (e.g. TERM=xterm-256color) or use `sluice lag`"
        case let .dumbTerminal(term):
            return "TERM=\(term) cannot address the cursor: use a full-screen terminal (e.g. TERM=xterm-256color) or `sluice lag`"
        case let .cannotInitialise(term):
            return "ncurses cannot open terminal type '\(term)': check TERM and that its terminfo entry is installed"
        }
    }
}
