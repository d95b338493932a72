import Foundation
import Yams

/// Turns a YAML decoding failure into one line a person can act on: where (line and column) and
/// what was expected. Syntax errors carry their position; type errors are placed by finding the
/// offending key in the document.
public enum YAMLErrorText {
    public static func describe(_ error: Error, in text: String? = nil) -> String {
        if let y = error as? YamlError { return syntax(y) }
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case let .dataCorrupted(ctx) where ctx.underlyingError is YamlError:
            return syntax(ctx.underlyingError as! YamlError)
        case let .typeMismatch(type, ctx):
            return located(ctx, text: text, what: "expected \(typeName(type)), \(found(ctx.debugDescription))")
        case let .valueNotFound(type, ctx):
            return located(ctx, text: text, what: "expected \(typeName(type)), found nothing")
        case let .keyNotFound(key, ctx):
            return located(ctx, text: text, what: "missing key '\(key.stringValue)'")
        case let .dataCorrupted(ctx):
            return located(ctx, text: text, what: ctx.debugDescription)
        @unknown default:
            return "\(e)"
        }
    }

    private static func syntax(_ e: YamlError) -> String {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(while_)"
        case let .reader(problem, offset, _, _):
            return "\(problem)\(offset.map { " at byte \($0)" } ?? "")"
        default:
            return "\(e)"
        }
    }

    private static func located(_ ctx: DecodingError.Context, text: String?, what: String) -> String {
        let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
        let place = text.flatMap { mark(of: ctx.codingPath, in: $0) }.map { "line \($0.line), column \($0.column): " } ?? ""
        return "\(place)\(path.isEmpty ? "" : path + ": ")\(what)"
    }

    /// Where the node at `path` starts in the document (the closest existing ancestor's position
    /// when the node itself is missing).
    static func mark(of path: [CodingKey], in text: String) -> Mark? {
        guard var node = try? Yams.compose(yaml: text) else { return nil }
        for key in path {
            if let index = key.intValue, let seq = node.sequence, index < seq.count {
                node = seq[index]
            } else if let map = node.mapping, let child = map[key.stringValue] {
                node = child
            } else {
                break
            }
        }
        return node.mark
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type: return "a whole number"
        case is Double.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasSuffix("Scalar") { return "a single value" }
            if name.hasPrefix("Dictionary") || name.hasSuffix("Mapping") { return "a mapping (key: value)" }
            if name.hasPrefix("Array") || name.hasSuffix("Sequence") { return "a list" }
            return "a \(name)"
        }
    }

    /// "… but found a sequence instead." → "found a list".
    private static func found(_ description: String) -> String {
        let d = description.lowercased()
        if d.contains("sequence") || d.contains("array") { return "found a list" }
        if d.contains("mapping") || d.contains("dictionary") { return "found a mapping" }
        if d.contains("scalar") || d.contains("string") { return "found a scalar" }
        return description
    }
}
