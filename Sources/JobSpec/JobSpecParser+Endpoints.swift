import Dataflow
import Foundation

/// A spec's source (a topic or the generator) and sink (a topic, a Postgres table or discard).
extension JobSpecParser {
    static let sourceKeys = ["topic", "format", "timestamp", "watermark", "partitions", "startFrom", "generator", "name"]

    static func parseSource(_ node: SpecNode) throws -> JobDefinition.Source {
        let m = try node.mapping(allowed: sourceKeys)
        if let g = m["generator"] {
            guard m.keys.allSatisfy({ $0 == "generator" || $0 == "name" }) else { throw node.fail("a generator source takes no other keys but name") }
            return .generator(try parseGenerator(g))
        }
        guard let topic = m["topic"] else { throw node.fail("a source needs 'topic' (an engine topic) or 'generator'") }
        var t = JobDefinition.TopicSource(topic: try topic.name())
        if let f = m["format"] { t.format = try f.choice(JobDefinition.Format.self) }
        if let ts = m["timestamp"] {
            let e = try expression(ts)
            guard case .field(let path, _) = e.tree else { throw ts.fail("timestamp names a field (e.g. ts or event.time), not an expression") }
            t.timestampField = path
        }
        if let w = m["watermark"] {
            let wm = try w.mapping(allowed: ["outOfOrderness", "idleAfter"])
            t.watermark = JobDefinition.WatermarkSpec(outOfOrderness: try wm["outOfOrderness"]?.duration() ?? 0,
                                                      idleAfter: try wm["idleAfter"]?.positiveDuration())
        }
        if let p = m["partitions"] {
            let list = try p.sequence().map { Int32(try $0.int(in: 0...100_000)) }
            guard !list.isEmpty, Set(list).count == list.count else { throw p.fail("list each partition once, at least one") }
            t.partitions = list
        }
        if let s = m["startFrom"] {
            let v = try s.string()
            guard let pos = JobDefinition.StartPosition(rawValue: v) else { throw s.fail("'\(v)' is not 'earliest' or 'latest'") }
            t.startFrom = pos
        }
        return .topic(t)
    }

    static func parseGenerator(_ node: SpecNode) throws -> JobDefinition.GeneratorSource {
        let m = try node.mapping(allowed: ["rate", "keys", "late", "outOfOrder", "maxDelay", "count", "seed", "startTime", "timeStep"])
        var g = JobDefinition.GeneratorSource()
        if let r = m["rate"] { g.rate = try r.rate() }
        if let k = m["keys"] { g.keys = try k.int(in: 1...100_000_000) }
        if let l = m["late"] { g.lateFraction = try l.fraction() }
        if let o = m["outOfOrder"] { g.outOfOrderFraction = try o.fraction() }
        if let d = m["maxDelay"] { g.maxDelay = try d.duration() }
        if let c = m["count"] { g.count = Int64(try c.int(in: 1...Int.max)) }
        if let s = m["seed"] { g.seed = UInt64(try s.int(in: 0...Int.max)) }
        if let s = m["startTime"] {
            let text = try s.string()
            guard let t = Int64(text) ?? TimeText.parse(text) else { throw s.fail("'\(text)' is not a time (ms since the epoch or ISO-8601)") }
            g.startTime = t
        }
        if let s = m["timeStep"] {
            let text = try s.string()
            if text.hasSuffix("us"), let us = Double(text.dropLast(2)), us >= 0 { g.timeStep = us / 1000 } else { g.timeStep = Double(try s.duration()) }
        }
        if g.lateFraction + g.outOfOrderFraction > 1 { throw node.fail("late and outOfOrder add up to more than 1") }
        if (g.lateFraction > 0 || g.outOfOrderFraction > 0) && g.maxDelay == 0 { throw node.fail("late or out-of-order events need a maxDelay") }
        return g
    }

    static func parseSink(_ node: SpecNode) throws -> JobDefinition.Sink {
        let m = try node.mapping(allowed: ["topic", "discard", "postgres", "format", "key", "throttle", "parallelism", "name", "delivery", "transactionalIdPrefix"])
        var s: JobDefinition.Sink
        if let pg = m["postgres"] {
            if m["topic"] != nil || m["discard"] != nil { throw node.fail("a sink writes a topic, a Postgres table or discards: give one") }
            for k in ["format", "key", "transactionalIdPrefix"] where m[k] != nil {
                throw m[k]!.fail("a Postgres sink writes each record's fields into the columns of the same names: '\(k)' has no effect")
            }
            s = JobDefinition.Sink(topic: nil)
            s.postgres = try parsePostgres(pg)
        } else if let d = m["discard"] {
            guard try d.string() == "true" else { throw d.fail("discard is true (or leave it out and name a topic)") }
            if m["topic"] != nil { throw node.fail("a sink either writes a topic or discards, not both") }
            for k in ["format", "key"] where m[k] != nil { throw m[k]!.fail("a discarding sink writes nothing: '\(k)' has no effect") }
            s = JobDefinition.Sink(topic: nil)
        } else {
            guard let topic = m["topic"] else { throw node.fail("a sink needs 'topic' (or 'discard: true')") }
            s = JobDefinition.Sink(topic: try topic.name())
        }
        if let f = m["format"] { s.format = try f.choice(JobDefinition.Format.self) }
        if let k = m["key"] { s.key = try expression(k) }
        if let t = m["throttle"] {
            let r = try t.rate()
            guard r > 0 else { throw t.fail("a throttle must be above 0 per second") }
            s.throttle = r
        }
        if let p = m["parallelism"] { s.parallelism = try p.int(in: 1...256) }
        if let n = m["name"] { s.name = try n.string() }
        if let d = m["delivery"] {
            switch try d.string() {
            case "exactly-once" where s.postgres != nil:
                throw d.fail("a Postgres sink upserts by key, so a replay rewrites the same rows: leave delivery at-least-once")
            case "exactly-once": s.exactlyOnce = true
            case "at-least-once": s.exactlyOnce = false
            case let other: throw d.fail("delivery is exactly-once or at-least-once, not '\(other)'")
            }
            if s.exactlyOnce && s.topic == nil { throw d.fail("a discarding sink writes nothing: exactly-once has no effect") }
        }
        if let p = m["transactionalIdPrefix"] {
            guard s.exactlyOnce else { throw p.fail("transactionalIdPrefix names an exactly-once sink's transactions: add delivery: exactly-once") }
            s.transactionalIdPrefix = try p.name()
        }
        return s
    }

    /// `postgres: {url: postgres://user:pw@host:port/db, table: schema.table, key: [col, …]}`.
    static func parsePostgres(_ node: SpecNode) throws -> JobDefinition.PostgresTarget {
        let m = try node.mapping(allowed: ["url", "table", "key"])
        guard let url = m["url"], let table = m["table"] else { throw node.fail("a Postgres sink needs 'url' (postgres://user:password@host:5432/db) and 'table'") }
        let u = try url.string()
        guard u.hasPrefix("postgres://") || u.hasPrefix("postgresql://") else { throw url.fail("'\(u.prefix(60))' is not a postgres:// URL") }
        let t = try table.string()
        let identifier = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(identifier.count), identifier.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
            throw table.fail("'\(t.prefix(60))' is not a table name (table or schema.table: letters, digits, _)")
        }
        var key: [String]? = nil
        if let k = m["key"] {
            let names = try (k.node.sequence != nil ? k.sequence().map { try $0.string() } : [k.string()])
            guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
                throw k.fail("key lists the columns that identify a row (a unique index), e.g. [customer, windowStart]")
            }
            key = names
        }
        return .init(url: u, table: t, key: key)
    }
}
