"""Engine job scenarios: input written and results read with confluent-kafka, jobs uploaded and
run through the engine's REST API (Flink's paths), results compared with a reference computed
here from the same input. Run through engine-clients.py with --rest http://H:P."""
import json
import random
import time
import urllib.request
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from engine_clients_common import check, consume_all, create

MIN = -(1 << 63)


def _rest(a, method, path, body=None, content_type="application/json"):
    req = urllib.request.Request(a.rest + path, data=body, method=method, headers={"Content-Type": content_type} if body is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise AssertionError("%s %s: %d %s" % (method, path, e.code, e.read()[:300]))


def run_spec(a, text):
    """Uploads `text` as a job spec (multipart, field jarfile) and runs it; returns the job id."""
    boundary = "b-" + uuid.uuid4().hex
    body = ("--%s\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"job.yaml\"\r\nContent-Type: application/x-yaml\r\n\r\n"
            % boundary).encode() + text.encode() + ("\r\n--%s--\r\n" % boundary).encode()
    up = _rest(a, "POST", "/jars/upload", body, "multipart/form-data; boundary=" + boundary)
    jar = up["filename"].split("/")[-1]
    return _rest(a, "POST", "/jars/%s/run" % jar, json.dumps({"parallelism": 2}).encode())["jobid"]


def cancel(a, jid):
    _rest(a, "PATCH", "/jobs/%s?mode=cancel" % jid)


def produce(a, topic, rows, key=None, timestamps=None):
    p = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 5, "acks": "all"})
    for i, r in enumerate(rows):
        kw = {}
        if timestamps:
            kw["timestamp"] = timestamps[i]
        p.produce(topic, key=key(r) if key else None, value=None if r is None else json.dumps(r).encode(), partition=0, **kw)
        if i % 500 == 0:
            p.poll(0)
    check(p.flush(30) == 0, "%s: not all delivered" % topic)


def make_input(seed, n=2500):
    """Keyed events with out-of-order ones (within 500 ms) and late ones (0.5–6 s back)."""
    rnd = random.Random(seed)
    t = 1_000_000
    out = []
    for _ in range(n):
        t += rnd.randint(0, 40)
        roll = rnd.randint(0, 99)
        at = t
        if roll < 10:
            at -= rnd.randint(0, 500)
        elif roll < 14:
            at -= rnd.randint(501, 6000)
        out.append({"k": "u%d" % rnd.randint(0, 5), "at": at, "v": rnd.randint(1, 9)})
    out.append({"k": "zz", "at": t + 100_000, "v": 0})  # moves the watermark past every real window
    return out


def reference_windows(rows, kind, size, slide, ooo, lateness):
    """What keyed event-time windows with count() and sum(v) emit for rows read in order from one
    partition, with the watermark after each record = max time − ooo − 1 (Flink's semantics)."""
    wm = MIN
    emitted, late = [], []
    panes = {}  # (key, start, end) -> [n, s, fired]
    sessions = {}  # key -> list of [start, end, n, s, fired]

    def is_late(end):
        return wm != MIN and end - 1 + lateness <= wm

    def emit(k, start, end, n, s):
        emitted.append((k, start, end, n, s))

    for r in rows:
        k, t, v = r["k"], r["at"], r["v"]
        if kind == "session":
            lst = sessions.setdefault(k, [])
            start, end = t, t + size
            over = [x for x in lst if x[0] <= end and x[1] >= start]
            for x in over:
                start, end = min(start, x[0]), max(end, x[1])
            if is_late(end):
                late.append(t)
            else:
                n = 1 + sum(x[2] for x in over)
                s = v + sum(x[3] for x in over)
                fired = any(x[4] for x in over)
                for x in over:
                    lst.remove(x)
                w = [start, end, n, s, fired]
                lst.append(w)
                if end - 1 <= wm:
                    emit(k, start, end, n, s)
                    w[4] = True
        else:
            starts = []
            st = t - (t % slide)
            while st > t - size:
                starts.append(st)
                st -= slide
            placed = False
            for st in starts:
                if is_late(st + size):
                    continue
                placed = True
                p = panes.setdefault((k, st, st + size), [0, 0, st + size - 1 <= wm])
                p[0] += 1
                p[1] += v
                if st + size - 1 <= wm:
                    emit(k, st, st + size, p[0], p[1])
            if not placed:
                late.append(t)
        nxt = t - ooo - 1
        if nxt > wm:
            wm = nxt
            if kind == "session":
                for key, lst in sessions.items():
                    for w in lst:
                        if not w[4] and w[1] - 1 <= wm:
                            emit(key, w[0], w[1], w[2], w[3])
                            w[4] = True
                    lst[:] = [w for w in lst if not is_late(w[1])]
            else:
                for (key, st, en), p in sorted(panes.items()):
                    if not p[2] and en - 1 <= wm:
                        emit(key, st, en, p[0], p[1])
                        p[2] = True
                for pk in [pk for pk in panes if is_late(pk[2])]:
                    del panes[pk]
    return emitted, late


def scenario_job_windows(a):
    """Tumbling, sliding and session windows over the same kind of input, each job's results and
    late output equal to the reference."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    found = {}
    cases = [("tumbling", "tumbling: 1s", 1000, 1000), ("sliding", "sliding: 2s, every: 500ms", 2000, 500), ("session", "session: 300ms", 300, 300)]
    for i, (kind, window, size, slide) in enumerate(cases):
        tag = "%s-%s" % (kind, uuid.uuid4().hex[:6])
        src, out, late_topic = "in-" + tag, "out-" + tag, "late-" + tag
        create(admin, src, 1)
        rows = make_input(17 + i)
        produce(a, src, rows)
        expected, late = reference_windows(rows, kind, size, slide, 500, 1000)
        check(len(late) > 10 and len(expected) > 50, "%s: the input exercises late data (%d late, %d results)" % (kind, len(late), len(expected)))
        jid = run_spec(a, """
name: w-%s
source: {topic: %s, timestamp: at, watermark: {outOfOrderness: 500ms}}
steps:
  - keyBy: k
  - window: {%s, allowedLateness: 1s, lateOutput: %s}
  - aggregate: {n: count(), s: sum(v)}
sink: {topic: %s}
""" % (tag, src, window, late_topic, out))
        got = consume_all(a.bootstrap, out, len(expected), timeout=60)
        got_late = consume_all(a.bootstrap, late_topic, len(late), timeout=30)
        cancel(a, jid)
        results = sorted((json.loads(m.value())["k"], json.loads(m.value())["windowStart"], json.loads(m.value())["windowEnd"],
                          json.loads(m.value())["n"], json.loads(m.value())["s"]) for m in got)
        check(results == sorted(expected), "%s: %d results, %d expected; first differences %s" % (
            kind, len(results), len(expected), sorted(set(results) ^ set(expected))[:5]))
        check(all(m.key().decode() == json.loads(m.value())["k"] for m in got), "%s: results are keyed by their key" % kind)
        check(all(m.timestamp()[1] == json.loads(m.value())["windowEnd"] - 1 for m in got), "%s: results carry windowEnd - 1" % kind)
        check(sorted(json.loads(m.value())["at"] for m in got_late) == sorted(late), "%s: late output differs" % kind)
        found[kind] = {"results": len(results), "late": len(late)}
    return found


def scenario_job_dedupe(a):
    """Repeats within the TTL (event time) are dropped; after it they pass again."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    tag = uuid.uuid4().hex[:6]
    src, out = "dd-in-" + tag, "dd-out-" + tag
    create(admin, src, 1)
    rnd = random.Random(5)
    rows, t = [], 0
    for i in range(1500):
        t += rnd.randint(1, 30)
        rows.append({"id": "e%d" % rnd.randint(0, 40), "at": t, "seq": i})
    produce(a, src, rows)
    ttl = 1000
    first, expected = {}, []
    for r in rows:
        f = first.get(r["id"])
        if f is not None and f - ttl <= r["at"] < f + ttl:
            continue
        first[r["id"]] = r["at"]
        expected.append(r["seq"])
    check(len(expected) < len(rows) / 2 and len(expected) > 60, "the input repeats ids within and beyond the TTL")
    jid = run_spec(a, """
name: dd-%s
source: {topic: %s, timestamp: at}
steps:
  - dedupe: {key: id, ttl: 1s}
sink: {topic: %s}
""" % (tag, src, out))
    got = consume_all(a.bootstrap, out, len(expected), timeout=60)
    cancel(a, jid)
    seqs = sorted(json.loads(m.value())["seq"] for m in got)
    check(seqs == sorted(expected), "dedupe passed %d, expected %d: %s" % (len(seqs), len(expected), sorted(set(seqs) ^ set(expected))[:8]))
    return {"passed": len(seqs), "input": len(rows)}


def scenario_job_join(a):
    """Orders meet the customer row current at their time; a tombstone removes the customer
    (inner join: its later orders are dropped)."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    tag = uuid.uuid4().hex[:6]
    table, src, out = "cust-" + tag, "ord-" + tag, "enr-" + tag
    create(admin, table, 1, {"cleanup.policy": "compact"})
    create(admin, src, 1)
    base = 1_700_000_000_000
    versions = []  # (customer, time, row or None)
    for c in range(5):
        versions.append(("c%d" % c, base + 1000, {"tier": "silver", "v": 1}))
        versions.append(("c%d" % c, base + 5000, {"tier": "gold", "v": 2}))
    versions.append(("c3", base + 7000, None))  # c3 deleted at 7 s
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all"})
    for c, t, row in versions:
        p.produce(table, key=c.encode(), value=None if row is None else json.dumps(row).encode(), partition=0, timestamp=t)
    check(p.flush(30) == 0, "table not delivered")
    rnd = random.Random(9)
    orders = []
    for i in range(400):
        orders.append({"order": i, "customer": "c%d" % rnd.randint(0, 5), "at": base + 500 + i * 25})
    orders.append({"order": -1, "customer": "c0", "at": base + 60_000})  # moves the watermark
    produce(a, src, orders)
    wm = base + 60_000 - 1
    expected = {}
    for o in orders:
        if o["at"] > wm:
            continue
        cur = None
        for c, t, row in versions:
            if c == o["customer"] and t <= o["at"]:
                cur = row
        if cur is not None:
            expected[o["order"]] = cur["tier"]
    check(any(v == "silver" for v in expected.values()) and any(v == "gold" for v in expected.values()), "orders meet both versions")
    check(not any(o["customer"] == "c3" and o["at"] >= base + 7000 and o["order"] in expected for o in orders), "the tombstone removes c3")
    jid = run_spec(a, """
name: join-%s
source: {topic: %s, timestamp: at}
steps:
  - join: {table: %s, key: customer, as: info}
sink: {topic: %s}
""" % (tag, src, table, out))
    got = consume_all(a.bootstrap, out, len(expected), timeout=60)
    cancel(a, jid)
    joined = {json.loads(m.value())["order"]: json.loads(m.value())["info"]["tier"] for m in got}
    check(joined == expected, "join: %d joined, %d expected; differences %s" % (
        len(joined), len(expected), sorted(set(joined.items()) ^ set(expected.items()))[:6]))
    return {"joined": len(joined), "orders": len(orders)}


def _eos_names(a):
    tag = a.topic or "eos"
    return "in-" + tag, "out-" + tag, "eos-" + tag


def _eos_input():
    """One partition of keyed events, out of order within 500 ms, some late; a last event far
    ahead fires every window."""
    return make_input(41, n=6000)


def _start_crash_job(a, sink, attempts):
    """Writes the crash scenarios' input and runs their windowed job into `sink`, checkpoints every
    200 ms, paced (1 ms a record) so that it runs for several seconds while the test kills the engine."""
    src, _, name = _eos_names(a)
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    create(admin, src, 1)
    produce(a, src, _eos_input())
    return run_spec(a, """
name: %s
source: {topic: %s, timestamp: at, watermark: {outOfOrderness: 500ms}}
steps:
  - delay: 1ms
  - keyBy: k
  - window: {tumbling: 1s}
  - aggregate: {n: count(), s: sum(v)}
sink: %s
checkpoints: 200ms
restart: {fixedDelay: {attempts: %d, delay: 100ms}}
""" % (name, src, sink, attempts))


def scenario_job_eos_start(a):
    """The windowed job with an exactly-once sink into topic out-<tag>."""
    _, out, _ = _eos_names(a)
    return {"job": _start_crash_job(a, "{topic: %s, delivery: exactly-once}" % out, 100)}


def scenario_job_eos_verify(a):
    """Reads the job's output read_committed: every window result of the reference, each once."""
    src, out, name = _eos_names(a)
    expected, _ = reference_windows(_eos_input(), "tumbling", 1000, 1000, 500, 0)
    got = consume_all(a.bootstrap, out, len(expected), isolation="read_committed", timeout=120)
    results = sorted((json.loads(m.value())["k"], json.loads(m.value())["windowStart"], json.loads(m.value())["windowEnd"],
                      json.loads(m.value())["n"], json.loads(m.value())["s"]) for m in got)
    missing = sorted(set(expected) - set(results))[:5]
    repeated = sorted({r for r in results if results.count(r) > 1})[:5]
    check(results == sorted(expected), "%d committed results, %d expected; missing %s; repeated %s; extra %s" % (
        len(results), len(expected), missing, repeated, sorted(set(results) - set(expected))[:5]))
    uncommitted = consume_all(a.bootstrap, out, len(expected) + 1, isolation="read_uncommitted", timeout=5)
    return {"results": len(results), "written": len(uncommitted)}


def scenario_job_pg_start(a):
    """The same windowed job, written to Postgres table w_<tag> by the upsert sink (the test
    creates the table); restarts enough to outlast Postgres being away."""
    sink = '{postgres: {url: "%s", table: w_%s}}' % (a.postgres, a.topic.replace("-", "_"))
    return {"job": _start_crash_job(a, sink, 1000)}


def scenario_job_pg_reference(a):
    """The rows the upsert sink's table must end with: the reference windows (k, windowStart,
    windowEnd, n, s)."""
    expected, _ = reference_windows(_eos_input(), "tumbling", 1000, 1000, 500, 0)
    return {"rows": sorted([list(r) for r in expected])}
