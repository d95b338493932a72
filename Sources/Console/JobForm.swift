import Foundation
import Display
import Services

/// The confirmation (and, for launch, the form) shown before a job action runs: what will
/// happen, the editable fields, and an error line when the input does not make sense.
public struct JobForm: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case savepoint, pause, resume, launch, cancel }

    public struct Field: Sendable, Equatable {
        public var label: String
        public var value: String
        public var isToggle: Bool
        public init(_ label: String, _ value: String = "", toggle: Bool = false) { self.label = label; self.value = value; self.isToggle = toggle }
        public var isOn: Bool { value == "yes" }
    }

    public enum Outcome: Sendable, Equatable { case editing, cancelled, submit(JobAction) }

    public var kind: Kind
    public var jid: String
    public var name: String
    public var fields: [Field]
    public var focus = 0
    public var error: String?

    public init(kind: Kind, jid: String = "", name: String = "", savepointDir: String? = nil) {
        self.kind = kind; self.jid = jid; self.name = name
        switch kind {
        case .savepoint: fields = [Field("target directory", savepointDir ?? "")]
        case .pause: fields = [Field("target directory", savepointDir ?? ""), Field("drain first", "no", toggle: true)]
        case .resume, .cancel: fields = []
        case .launch:
            fields = [Field("jar (uploaded id or local path)"), Field("entry class"), Field("arguments"), Field("parallelism", "1"),
                      Field("from savepoint"), Field("allow non-restored state", "no", toggle: true)]
        }
    }

    public var title: String {
        switch kind {
        case .savepoint: "Savepoint \(name)"
        case .pause: "Pause \(name): stop with a savepoint"
        case .resume: "Resume \(name)"
        case .launch: "Launch a job"
        case .cancel: "Cancel \(name)"
        }
    }

    /// What will happen, in words, above the fields.
    public var preview: [String] {
        switch kind {
        case .savepoint: ["Takes a savepoint of job \(jid); the job keeps running.", "Empty directory: the cluster's default savepoint directory."]
        case .pause: ["Stops job \(jid) with a savepoint; it can be resumed from it (r).",
                      "Drain advances event time to the end first: windows fire, timers run."]
        case .resume: ["Runs the jar, entry class, arguments and parallelism job \(jid) was launched with,",
                       "from the latest savepoint Sluice took of it, as a new job."]
        case .launch: ["Runs a jar on the cluster (a local path is uploaded first)."]
        case .cancel: ["Cancels job \(jid) without a savepoint: its state since the last checkpoint is lost.",
                       "Pause (p) keeps it instead."]
        }
    }

    /// True for the actions that end a job (shown with the error role).
    public var isDestructive: Bool { kind == .pause || kind == .cancel }

    /// The last line of the box: how to confirm.
    public var hint: String {
        fields.isEmpty ? "y or ⏎ \(kind == .cancel ? "cancel the job" : "go") · n or Esc keep as is"
                       : "Tab next field · Space toggles · ⏎ \(kind == .launch ? "launch" : "go") · Esc back out"
    }

    public mutating func handle(_ key: Key) -> Outcome {
        error = nil
        switch key {
        case .escape: return .cancelled
        case .tab, .down: if !fields.isEmpty { focus = (focus + 1) % fields.count }
        case .up: if !fields.isEmpty { focus = (focus + fields.count - 1) % fields.count }
        case .enter: return submit()
        case .backspace:
            if fields.indices.contains(focus), !fields[focus].isToggle { fields[focus].value = String(fields[focus].value.dropLast()) }
        case let .character(c):
            if fields.isEmpty {
                // Confirmation-only forms (resume, cancel): y runs, n cancels.
                if c == "y" { return submit() }
                if c == "n" { return .cancelled }
            }
            guard fields.indices.contains(focus) else { return .editing }
            if fields[focus].isToggle {
                if c == " " { fields[focus].value = fields[focus].isOn ? "no" : "yes" }
            } else if fields[focus].value.count < 4096 {
                fields[focus].value.append(c)
            }
        default: break
        }
        return .editing
    }

    private mutating func submit() -> Outcome {
        func text(_ i: Int) -> String? {
            let v = fields[i].value.trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }
        switch kind {
        case .savepoint: return .submit(.savepoint(jid: jid, name: name, directory: text(0)))
        case .pause: return .submit(.pause(jid: jid, name: name, directory: text(0), drain: fields[1].isOn))
        case .resume: return .submit(.resume(jid: jid, name: name))
        case .cancel: return .submit(.cancel(jid: jid, name: name))
        case .launch:
            guard let jar = text(0) else { error = "a jar is needed: an uploaded jar's id, or a local .jar path"; focus = 0; return .editing }
            guard let p = Int(fields[3].value.trimmingCharacters(in: .whitespaces)), (1...32768).contains(p) else {
                error = "parallelism must be a number from 1 to 32768"; focus = 3; return .editing
            }
            let args: [String]
            do { args = try Self.splitArguments(fields[2].value) } catch {
                self.error = "arguments: \(error)"; focus = 2; return .editing
            }
            return .submit(.launch(LaunchRequest(jar: jar, entryClass: text(1), arguments: args, parallelism: p, savepoint: text(4),
                                                 allowNonRestoredState: fields[5].isOn)))
        }
    }

    struct UnbalancedQuote: Error, CustomStringConvertible { var description: String { "a quote is not closed" } }

    /// Splits like a shell: spaces separate, single or double quotes group, backslash escapes.
    static func splitArguments(_ s: String) throws -> [String] {
        var out: [String] = [], current = "", quote: Character?, escaped = false, inWord = false
        for ch in s {
            if escaped { current.append(ch); escaped = false; inWord = true; continue }
            if ch == "\\" && quote != "'" { escaped = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
                continue
            }
            if ch == "'" || ch == "\"" { quote = ch; inWord = true; continue }
            if ch == " " || ch == "\t" {
                if inWord { out.append(current); current = ""; inWord = false }
                continue
            }
            current.append(ch); inWord = true
        }
        if quote != nil || escaped { throw UnbalancedQuote() }
        if inWord { out.append(current) }
        return out
    }
}
