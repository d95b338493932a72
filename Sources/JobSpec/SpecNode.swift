import Yams

/// A YAML node with the path that led to it, so every error can say where it is.
struct SpecNode {
    let node: Node
    let path: String

    func fail(_ reason: String) -> JobSpecError {
        JobSpecError(line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, path: path, reason: reason)
    }

    var kindName: String {
        switch node {
        case .scalar: return "a single value"
        case .mapping: return "a mapping (key: value)"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The mapping's entries, refusing keys outside `allowed` (a typo would otherwise be ignored).
    func mapping(allowed: [String]) throws -> [String: SpecNode] {
        guard let map = node.mapping else { throw fail("expected a mapping (key: value), found \(kindName)") }
        var out: [String: SpecNode] = [:]
        for (k, v) in map {
            guard let name = k.scalar?.string else { throw SpecNode(node: k, path: path).fail("keys must be plain names") }
            guard allowed.contains(name) else {
                throw SpecNode(node: k, path: path).fail("unknown key '\(name)' (expected \(allowed.map { "'\($0)'" }.joined(separator: ", ")))")
            }
            out[name] = SpecNode(node: v, path: path.isEmpty ? name : "\(path).\(name)")
        }
        return out
    }

    func sequence() throws -> [SpecNode] {
        guard let seq = node.sequence else { throw fail("expected a list, found \(kindName)") }
        return seq.enumerated().map { SpecNode(node: $1, path: "\(path)[\($0)]") }
    }

    func string() throws -> String {
        guard let s = node.scalar?.string else { throw fail("expected a single value, found \(kindName)") }
        return s
    }

    func name() throws -> String {
        let s = try string()
        guard !s.isEmpty, s.count <= 249, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw fail("'\(s.prefix(60))' is not a usable name (letters, digits, '.', '_' and '-', at most 249)")
        }
        return s
    }

    func int(in range: ClosedRange<Int>) throws -> Int {
        let s = try string()
        guard let v = Int(s) else { throw fail("'\(s)' is not a whole number") }
        guard range.contains(v) else { throw fail("\(v) is outside \(range.lowerBound)…\(range.upperBound)") }
        return v
    }

    func fraction() throws -> Double {
        let s = try string()
        guard let v = Double(s), v >= 0, v <= 1 else { throw fail("'\(s)' is not a fraction between 0 and 1") }
        return v
    }

    func duration() throws -> Int64 {
        let s = try string()
        guard let v = SpecValues.duration(s) else { throw fail("'\(s)' is not a duration (write 500ms, 5s, 1m, 2h or 1d)") }
        return v
    }

    func positiveDuration() throws -> Int64 {
        let v = try duration()
        guard v > 0 else { throw fail("the duration must be more than 0") }
        return v
    }

    func rate() throws -> Double {
        let s = try string()
        guard let v = SpecValues.rate(s) else { throw fail("'\(s)' is not a rate (write 200/s, 50/m or a number per second)") }
        return v
    }

    func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T where T.RawValue == String {
        let s = try string()
        guard let v = T(rawValue: s) else { throw fail("'\(s)' is not one of \(T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))") }
        return v
    }
}
