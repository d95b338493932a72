/// What is wrong with a job spec and where: line and column in the YAML, the key path, the
/// reason, so the author can fix it without guessing.
public struct JobSpecError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var path: String
    public var reason: String

    public init(line: Int, column: Int, path: String, reason: String) {
        self.line = line; self.column = column; self.path = path; self.reason = reason
    }

    public var description: String {
        let place = line > 0 ? "line \(line), column \(column): " : ""
        return "\(place)\(path.isEmpty ? "" : path + ": ")\(reason)"
    }
}
