import Foundation

/// Why a Flink REST call failed, in words an operator can act on.
public enum FlinkClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No HTTP answer: connection refused, reset, DNS, TLS.
    case unreachable(url: String, reason: String)
    /// No answer within the timeout.
    case timeout(url: String, seconds: Double)
    /// Flink answered with an error status; `messages` is its `{"errors": [...]}` list.
    case http(status: Int, method: String, path: String, messages: [String])
    /// Flink answered, but not with the JSON this call expects.
    case malformed(path: String, detail: String)
    /// A savepoint (or stop-with-savepoint) ended without one; `cause` is Flink's.
    case savepointFailed(job: String, cause: String)
    /// An action Flink accepted has not finished within the time given to it.
    case stillInProgress(job: String, action: String, seconds: Double)

    public var description: String {
        switch self {
        case let .unreachable(url, reason): return "Flink at \(url) unreachable: \(reason)"
        case let .timeout(url, seconds): return "Flink at \(url) did not answer within \(Self.seconds(seconds))"
        case let .http(status, method, path, messages):
            let why = Self.summary(messages)
            return "Flink \(method) \(path) failed (HTTP \(status))" + (why.isEmpty ? "" : ": \(why)")
        case let .malformed(path, detail): return "Flink \(path): unexpected answer (\(detail))"
        case let .savepointFailed(job, cause): return "savepoint of job \(job) failed: \(cause)"
        case let .stillInProgress(job, action, seconds):
            return "\(action) of job \(job) still in progress after \(Self.seconds(seconds)); Flink may yet finish it"
        }
    }

    /// The HTTP status when Flink answered with one.
    public var status: Int? { if case let .http(status, _, _, _) = self { status } else { nil } }

    /// The most telling line of Flink's error messages, which are often whole Java stack traces
    /// wrapped in "<Exception on server side: …>": the deepest "Caused by" or the first exception
    /// line, without the exception's package-qualified class name.
    public static func summary(_ messages: [String]) -> String {
        var best: String?
        for message in messages {
            let lines = message.split(separator: "\n", omittingEmptySubsequences: true).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            for line in lines {
                if line == "Internal server error." || line.hasPrefix("<Exception on server side") || line.hasPrefix("at ")
                    || line.hasPrefix("End of exception") || line.hasPrefix("...") { continue }
                if line.hasPrefix("Caused by: ") { best = String(line.dropFirst("Caused by: ".count)); continue }
                if best == nil { best = line }
            }
        }
        guard var text = best else { return "" }
        // "org.apache.flink.runtime.rest.handler.RestHandlerException: Jar file … does not exist" → the message.
        while let colon = text.range(of: ": "), Self.isQualifiedClassName(text[..<colon.lowerBound]) {
            text = String(text[colon.upperBound...])
        }
        return text
    }

    static func isQualifiedClassName(_ s: Substring) -> Bool {
        s.contains(".") && !s.contains(" ") && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "$" || $0 == "_" }
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : "\(s) s" }
}
