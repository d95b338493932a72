import Dataflow
import Foundation
import Yams

/// Reads a YAML job spec (docs/jobs-engine.md) into a checked ``JobDefinition``: every
/// expression parsed and type-checked, every duration and name valid, the steps in an order
/// that can run (a window after a keyBy, an aggregate after a window). Errors carry the line.
public enum JobSpecParser {
    /// `defaultParallelism` applies when the spec sets none (a run request's `-p`, as Flink's
    /// default parallelism yields to one a program sets).
    /// `arguments` are a run's program arguments: `--name NAME` renames the job, `--PARAM VALUE`
    /// sets one of the spec's `params`, which the spec uses as `${PARAM}`.
    public static func parse(_ text: String, defaultParallelism: Int = 1, arguments: [String] = []) throws -> JobDefinition {
        let (withParams, rename) = try substitute(text, arguments: arguments)
        var job = try parseSubstituted(withParams, defaultParallelism: defaultParallelism)
        if let rename {
            if job.deadLetterTopic == "\(job.name)-dead-letter" { job.deadLetterTopic = "\(rename)-dead-letter" }
            job.name = rename
        }
        return job
    }

    static func compose(_ text: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw JobSpecError(line: 1, column: 1, path: "", reason: "the spec is empty") }
            return node
        } catch let e as YamlError {
            throw syntax(e)
        }
    }

    /// The spec with `${PARAM}` replaced: values from `arguments`, else the defaults in `params`.
    static func substitute(_ text: String, arguments: [String]) throws -> (String, rename: String?) {
        // `${x}` is not plain YAML inside {…}: read the params from a copy with each use made plain.
        let used = uses(in: text)
        var probe = text
        for name in used { probe = probe.replacingOccurrences(of: "${\(name)}", with: "param_\(name)") }
        let root = try compose(probe)
        var values: [String: String] = [:]
        if let params = root.mapping?["params"] {
            let spec = SpecNode(node: params, path: "params")
            guard let map = params.mapping else { throw spec.fail("params are a mapping of names to default values") }
            for (k, v) in map {
                guard let name = k.scalar?.string, !name.isEmpty, let value = v.scalar?.string else { throw spec.fail("each param is name: default value") }
                values[name] = value
            }
        }
        var rename: String? = nil
        var i = 0
        while i < arguments.count {
            let flag = arguments[i]
            guard flag.hasPrefix("--"), i + 1 < arguments.count else {
                throw JobSpecError(line: 0, column: 0, path: "arguments", reason: "program arguments are --PARAM VALUE pairs; '\(flag)' is not")
            }
            let name = String(flag.dropFirst(2)), value = arguments[i + 1]
            guard value.allSatisfy({ $0.isLetter || $0.isNumber || "._-:/".contains($0) }), !value.isEmpty else {
                throw JobSpecError(line: 0, column: 0, path: "arguments", reason: "--\(name) '\(value.prefix(40))': values are letters, digits and . _ - : /")
            }
            if values[name] != nil { values[name] = value } else if name == "name" { rename = value } else {
                let known = (["name"] + values.keys.filter { $0 != "name" }.sorted()).map { "--\($0)" }.joined(separator: ", ")
                throw JobSpecError(line: 0, column: 0, path: "arguments", reason: "--\(name) is not a param of this spec (it takes \(known))")
            }
            i += 2
        }
        if let missing = used.first(where: { values[$0] == nil }) {
            throw JobSpecError(line: 0, column: 0, path: "params", reason: "the spec uses ${\(missing)} but params gives it no default")
        }
        guard !values.isEmpty else { return (text, rename) }
        var out = text
        for (name, value) in values { out = out.replacingOccurrences(of: "${\(name)}", with: value) }
        return (out, rename)
    }

    /// The names used as `${name}`.
    static func uses(in text: String) -> Set<String> {
        var out: Set<String> = []
        var rest = text[...]
        while let open = rest.range(of: "${") {
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = after[..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { out.insert(String(name)) }
            rest = after[close...]
        }
        return out
    }

    /// `checkpoints: 1s` (the interval) or `{interval, timeout, minPause, tolerableFailures, retained}`.
    static func parseCheckpoints(_ node: SpecNode) throws -> JobDefinition.CheckpointSpec? {
        if case .scalar = node.node {
            if try node.string() == "0" || (try node.duration()) == 0 { return nil }  // off, as Flink's interval 0
            return .init(interval: try node.positiveDuration())
        }
        let m = try node.mapping(allowed: ["interval", "timeout", "minPause", "tolerableFailures", "retained"])
        guard let interval = m["interval"] else { throw node.fail("missing 'interval' (how often to checkpoint, e.g. 10s)") }
        if try interval.string() == "0" || (try interval.duration()) == 0 { return nil }
        var spec = JobDefinition.CheckpointSpec(interval: try interval.positiveDuration())
        if let t = m["timeout"] { spec.timeout = try t.positiveDuration() }
        if let p = m["minPause"] { spec.minPause = try p.duration() }
        if let f = m["tolerableFailures"] { spec.tolerableFailures = try f.int(in: 0...Int(Int32.max)) }
        if let r = m["retained"] { spec.retained = try r.int(in: 1...1000) }
        return spec
    }

    /// `restart: none`, `{fixedDelay: {attempts, delay}}` or
    /// `{exponentialDelay: {initialBackoff, maxBackoff, multiplier, resetAfter, attempts}}`.
    static func parseRestart(_ node: SpecNode) throws -> JobDefinition.RestartStrategy {
        if case .scalar = node.node {
            guard try node.string() == "none" else { throw node.fail("a restart strategy is none, {fixedDelay: …} or {exponentialDelay: …}") }
            return .none
        }
        let m = try node.mapping(allowed: ["fixedDelay", "exponentialDelay"])
        guard m.count == 1 else { throw node.fail("give one restart strategy: fixedDelay or exponentialDelay") }
        if let f = m["fixedDelay"] {
            let o = try f.mapping(allowed: ["attempts", "delay"])
            return .fixedDelay(attempts: try o["attempts"]?.int(in: 0...1_000_000_000) ?? 1, delay: try o["delay"]?.duration() ?? 1000)
        }
        let o = try m["exponentialDelay"]!.mapping(allowed: ["initialBackoff", "maxBackoff", "multiplier", "resetAfter", "attempts"])
        guard case .exponentialDelay(let i, let mx, let mu, let r, let a) = JobDefinition.RestartStrategy.flinkDefault else { fatalError("the default is exponential") }
        var multiplier = mu
        if let n = o["multiplier"] {
            let text = try n.string()
            guard let v = Double(text), v >= 1, v <= 100 else { throw n.fail("'\(text)' is not a multiplier from 1 to 100") }
            multiplier = v
        }
        return .exponentialDelay(initialDelay: try o["initialBackoff"]?.duration() ?? i, maxDelay: try o["maxBackoff"]?.duration() ?? mx,
                                 multiplier: multiplier, resetAfter: try o["resetAfter"]?.duration() ?? r,
                                 attempts: try o["attempts"]?.int(in: 0...1_000_000_000) ?? a)
    }

    static func parseSubstituted(_ text: String, defaultParallelism: Int) throws -> JobDefinition {
        let root = try compose(text)
        let top = try SpecNode(node: root, path: "").mapping(allowed: ["name", "parallelism", "source", "steps", "sink", "deadLetter", "params", "checkpoints", "restart"])
        guard let nameNode = top["name"] else { throw SpecNode(node: root, path: "").fail("missing 'name'") }
        let name = try nameNode.name()
        let parallelism = try top["parallelism"]?.int(in: 1...256) ?? defaultParallelism
        guard let sourceNode = top["source"] else { throw SpecNode(node: root, path: "").fail("missing 'source'") }
        let source = try parseSource(sourceNode)
        guard let sinkNode = top["sink"] else { throw SpecNode(node: root, path: "").fail("missing 'sink'") }
        let sink = try parseSink(sinkNode)
        let stepNodes = try top["steps"]?.sequence() ?? []
        var steps: [JobDefinition.Step] = []
        var stepLines: [SpecNode] = []
        var i = 0
        while i < stepNodes.count {
            let (step, consumed) = try parseStep(stepNodes, at: i)
            steps.append(step)
            stepLines.append(stepNodes[i])
            i += consumed
        }
        let job = JobDefinition(name: name, parallelism: parallelism, source: source, steps: steps, sink: sink,
                                deadLetterTopic: try top["deadLetter"]?.name(), sourceName: try sourceNode.mapping(allowed: sourceKeys)["name"]?.string(),
                                checkpoints: try top["checkpoints"].flatMap(parseCheckpoints), restart: try top["restart"].map(parseRestart))
        do {
            _ = try JobGraph(job)
        } catch let e as JobGraph.PlanError {
            throw (e.step.map { stepLines[$0] } ?? SpecNode(node: root, path: "")).fail(e.reason)
        }
        return job
    }

    static func syntax(_ e: YamlError) -> JobSpecError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return JobSpecError(line: mark.line, column: mark.column, path: "", reason: "not valid YAML: \(problem)")
        default:
            return JobSpecError(line: 0, column: 0, path: "", reason: "not valid YAML: \(e)")
        }
    }

    static func expression(_ node: SpecNode, expecting: CompiledExpression.Kind = .any) throws -> CompiledExpression {
        let text = try node.string()
        do {
            return try CompiledExpression.compile(text, expecting: expecting)
        } catch let e as ExpressionError {
            throw node.fail("in \"\(text)\": \(e)")
        }
    }

    static let stepKinds = ["filter", "map", "keyBy", "window", "aggregate", "dedupe", "join", "delay", "count"]

    /// One step (a window takes the aggregate after it too): the step and how many list items it used.
    static func parseStep(_ nodes: [SpecNode], at index: Int) throws -> (JobDefinition.Step, Int) {
        let node = nodes[index]
        let m = try node.mapping(allowed: stepKinds + ["parallelism", "name", "chain"])
        let kinds = m.keys.filter { stepKinds.contains($0) }
        guard kinds.count == 1, let kind = kinds.first, let body = m[kind] else {
            throw node.fail("a step is one of \(stepKinds.joined(separator: ", ")) (found \(kinds.isEmpty ? "none" : kinds.sorted().joined(separator: " and ")))")
        }
        let parallelism = try m["parallelism"]?.int(in: 1...256)
        let (step, used) = try parseOperation(kind, body, node: node, nodes: nodes, index: index, parallelism: parallelism)
        var out = step
        // A window's name may sit on its aggregate item too.
        out.name = try m["name"]?.string() ?? (used == 2 ? try nodes[index + 1].node.mapping?["name"].map { try SpecNode(node: $0, path: "").string() } : nil)
        if let c = m["chain"] {
            let v = try c.string()
            guard v == "true" || v == "false" else { throw c.fail("chain is true or false") }
            out.chained = v == "true"
        }
        return (out, used)
    }

    static func parseOperation(_ kind: String, _ body: SpecNode, node: SpecNode, nodes: [SpecNode], index: Int,
                               parallelism: Int?) throws -> (JobDefinition.Step, Int) {
        switch kind {
        case "filter":
            return (.init(.filter(try expression(body, expecting: .boolean)), parallelism: parallelism), 1)
        case "map":
            guard let map = body.node.mapping else { throw body.fail("map takes fields: {name: expression, …}") }
            var fields: [(String, CompiledExpression)] = []
            for (k, v) in map {
                guard let name = k.scalar?.string, !name.isEmpty else { throw body.fail("field names must be plain text") }
                fields.append((name, try expression(SpecNode(node: v, path: "\(body.path).\(name)"))))
            }
            guard !fields.isEmpty else { throw body.fail("map needs at least one field") }
            return (.init(.map(fields), parallelism: parallelism), 1)
        case "keyBy":
            return (.init(.keyBy(try expression(body)), parallelism: parallelism), 1)
        case "window":
            let w = try body.mapping(allowed: ["tumbling", "sliding", "every", "session", "allowedLateness", "lateOutput"])
            let assigner: WindowAssigner
            if let t = w["tumbling"] {
                guard w["sliding"] == nil, w["session"] == nil, w["every"] == nil else { throw body.fail("give one of tumbling, sliding (with every) or session") }
                assigner = .tumbling(size: try t.positiveDuration())
            } else if let s = w["sliding"] {
                guard w["session"] == nil else { throw body.fail("give one of tumbling, sliding (with every) or session") }
                guard let every = w["every"] else { throw s.fail("a sliding window needs 'every' (how often a window starts)") }
                let size = try s.positiveDuration(), slide = try every.positiveDuration()
                guard slide <= size else { throw every.fail("'every' must not exceed the window size, or events fall between windows") }
                assigner = .sliding(size: size, slide: slide)
            } else if let s = w["session"] {
                guard w["every"] == nil else { throw body.fail("'every' belongs to sliding windows") }
                assigner = .session(gap: try s.positiveDuration())
            } else {
                throw body.fail("a window is tumbling: 1m, sliding: 1m with every: 10s, or session: 30s")
            }
            guard index + 1 < nodes.count, let next = nodes[index + 1].node.mapping, next["aggregate"] != nil else {
                throw node.fail("a window must be followed by an aggregate step (aggregate: {count: count()})")
            }
            let aggNode = try nodes[index + 1].mapping(allowed: ["aggregate", "name"])["aggregate"]!
            guard let aggMap = aggNode.node.mapping, !aggMap.isEmpty else { throw aggNode.fail("aggregate takes outputs: {name: sum(field), …}") }
            var specs: [(name: String, text: String)] = []
            for (k, v) in aggMap {
                guard let name = k.scalar?.string, !name.isEmpty else { throw aggNode.fail("output names must be plain text") }
                specs.append((name, try SpecNode(node: v, path: "\(aggNode.path).\(name)").string()))
            }
            let aggregation: Aggregation
            do { aggregation = try Aggregation(specs) } catch let e as ExpressionError {
                throw aggNode.fail("\(e)")
            }
            let spec = JobDefinition.WindowSpec(assigner: assigner, allowedLateness: try w["allowedLateness"]?.duration() ?? 0,
                                                lateOutput: try w["lateOutput"]?.name(), aggregation: aggregation)
            return (.init(.window(spec), parallelism: parallelism), 2)
        case "aggregate":
            throw node.fail("an aggregate belongs right after a window")
        case "dedupe":
            let d = try body.mapping(allowed: ["key", "ttl"])
            guard let ttl = d["ttl"] else { throw body.fail("dedupe needs 'ttl' (how long a key is remembered)") }
            return (.init(.dedupe(key: try d["key"].map { try expression($0) }, ttl: try ttl.positiveDuration()), parallelism: parallelism), 1)
        case "join":
            let j = try body.mapping(allowed: ["table", "key", "as", "type", "format"])
            guard let table = j["table"], let key = j["key"] else { throw body.fail("join needs 'table' (a compacted topic) and 'key' (the expression matching its keys)") }
            let tableName = try table.name()
            var spec = JobDefinition.JoinSpec(table: tableName, key: try expression(key), field: try j["as"]?.string() ?? tableName)
            if let t = j["type"] {
                let v = try t.string()
                guard let kind = TemporalJoinOperator.Kind(rawValue: v) else { throw t.fail("'\(v)' is not 'inner' or 'left'") }
                spec.kind = kind
            }
            if let f = j["format"] { spec.format = try f.choice(JobDefinition.Format.self) }
            return (.init(.join(spec), parallelism: parallelism), 1)
        case "count":
            return (.init(.count(field: try body.string()), parallelism: parallelism), 1)
        default:  // delay: 8ms, or {record: 8ms, expireCheckpoints: true | false | N (every Nth)}
            guard body.node.mapping != nil else { return (.init(.delay(microseconds: try body.duration() * 1000), parallelism: parallelism), 1) }
            let d = try body.mapping(allowed: ["record", "expireCheckpoints"])
            var every = 0
            if let e = d["expireCheckpoints"] {
                let v = try e.string()
                switch v {
                case "true": every = 1
                case "false": every = 0
                default:
                    guard let n = Int(v), n >= 1 else { throw e.fail("expireCheckpoints is true, false or N (every Nth checkpoint expires), not '\(v.prefix(40))'") }
                    every = n
                }
            }
            return (.init(.delay(microseconds: (try d["record"]?.duration() ?? 0) * 1000, expireCheckpoints: every), parallelism: parallelism), 1)
        }
    }
}
