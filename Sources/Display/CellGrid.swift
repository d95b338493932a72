/// The frame being composed: one character and one role per cell. Views draw into it; a screen
/// sends the cells that changed. A wide character fills its cell and marks the next one as its
/// continuation. Drawing never allocates per cell.
public struct CellGrid: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var character: Character
        public var role: Role
        /// The right half of a wide character drawn in the cell to the left.
        public var isContinuation: Bool
        public static let blank = Cell(character: " ", role: .text, isContinuation: false)
    }

    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    public mutating func clear(role: Role = .text) {
        for i in cells.indices { cells[i] = Cell(character: " ", role: role, isContinuation: false) }
    }

    /// Fills a row segment with spaces in `role` (backgrounds of selected rows, bars).
    public mutating func fill(x: Int, y: Int, width w: Int, role: Role, character: Character = " ") {
        guard y >= 0, y < height else { return }
        let from = max(0, x), to = min(width, x + w)
        guard from < to else { return }
        for i in from..<to { cells[y * width + i] = Cell(character: character, role: role, isContinuation: false) }
    }

    /// Writes `text` from (x, y), clipped to `maxWidth` cells and the grid edge; returns the
    /// number of cells used. The text must already be sanitised (see ``DisplayText``).
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x &+ min(maxWidth, width))
        var col = x
        for ch in text {
            let w = DisplayText.width(of: ch)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                cells[y * width + col] = Cell(character: ch, role: role, isContinuation: false)
                if w == 2 { cells[y * width + col + 1] = Cell(character: " ", role: role, isContinuation: true) }
            }
            col += w
        }
        return col - x
    }

    /// Changes the role of a segment without touching its characters (row highlight).
    public mutating func paint(x: Int, y: Int, width w: Int, role: Role) {
        guard y >= 0, y < height else { return }
        let from = max(0, x), to = min(width, x + w)
        guard from < to else { return }
        for i in from..<to { cells[y * width + i].role = role }
    }

    /// The text of row `y` (continuation cells omitted), for tests and headless output.
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s.append(self[x, y].character) }
        return s
    }

    /// All rows joined with newlines, trailing spaces trimmed.
    public var text: String {
        (0..<height).map { y in
            var l = line(y)
            while l.last == " " { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }
}
