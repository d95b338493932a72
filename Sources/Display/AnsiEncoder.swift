/// Turns frames into what an xterm needs to show them: the first frame whole, each later one as
/// the rows that changed, styles as SGR sequences from the theme. For exports (asciicast), where
/// no ncurses runs. Cell text is already sanitised, so the only escapes are the encoder's own.
public struct AnsiEncoder {
    private let theme: Theme
    private var previous: CellGrid?

    public init(theme: Theme) { self.theme = theme }

    /// The bytes that take the terminal from the last frame to `grid`; empty when nothing changed.
    public mutating func encode(_ grid: CellGrid) -> String {
        var out = ""
        let whole = previous.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if whole { out += "\u{1B}[?25l\u{1B}[0m\u{1B}[2J" }   // cursor hidden, as the console runs
        for y in 0..<grid.height {
            if !whole, let p = previous, Self.rowEqual(p, grid, y) { continue }
            out += "\u{1B}[\(y + 1);1H"
            var role: Role?
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if cell.role != role {
                    out += Self.sgr(theme[cell.role])
                    role = cell.role
                }
                out.append(cell.character)
            }
            out += "\u{1B}[0m"
        }
        previous = grid
        return out
    }

    private static func rowEqual(_ a: CellGrid, _ b: CellGrid, _ y: Int) -> Bool {
        let w = a.width
        return a.cells[(y * w)..<((y + 1) * w)] == b.cells[(y * w)..<((y + 1) * w)]
    }

    /// Reset, then the style's attributes and colours (xterm-256 palette).
    public static func sgr(_ style: Style) -> String {
        var codes = ["0"]
        if style.attributes.contains(.bold) { codes.append("1") }
        if style.attributes.contains(.dim) { codes.append("2") }
        if style.attributes.contains(.underline) { codes.append("4") }
        if style.attributes.contains(.reverse) { codes.append("7") }
        if case let .palette(n) = style.foreground { codes.append(n < 8 ? "\(30 + n)" : n < 16 ? "\(90 + n - 8)" : "38;5;\(n)") }
        if case let .palette(n) = style.background { codes.append(n < 8 ? "\(40 + n)" : n < 16 ? "\(100 + n - 8)" : "48;5;\(n)") }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}
