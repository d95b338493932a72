#!/usr/bin/env python3
"""Real-client scenarios against a Kafka-protocol broker (the embedded engine in tests).

Each scenario drives unmodified confluent-kafka (librdkafka) clients, checks what it saw with
assertions, and prints one JSON line of findings for the Swift test that ran it. Exit status 0
means every check held; a failed check exits 1 with the reason on stderr.

  engine-clients.py acks --bootstrap H:P
  engine-clients.py groups --bootstrap H:P --assignor range|cooperative-sticky
  engine-clients.py idempotent --bootstrap H:P          (through a proxy dropping produce answers)
  engine-clients.py transactions --bootstrap H:P
  engine-clients.py retention --bootstrap H:P
  engine-clients.py codecs --bootstrap H:P              (every codec, confluent-kafka and kafka-python)
  engine-clients.py compressed-compaction --bootstrap H:P --topic lz4
  engine-clients.py compaction --bootstrap H:P
  engine-clients.py acls --bootstrap H:P                (engine with users admin, alice, bob; admin a super user)
  engine-clients.py acls-after-restart --bootstrap H:P
  engine-clients.py produce-acked --bootstrap H:P --topic T --count N --out FILE   (crash test, part 1)
  engine-clients.py verify-acked --bootstrap H:P --topic T --acked FILE            (crash test, part 2)
  engine-clients.py job-windows --bootstrap H:P --rest URL  (tumbling, sliding, session vs a reference)
  engine-clients.py job-dedupe --bootstrap H:P --rest URL
  engine-clients.py job-join --bootstrap H:P --rest URL
"""
import argparse
import json
import sys
import threading
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from engine_acl_scenarios import scenario_acls, scenario_acls_after_restart  # noqa: F401
from engine_clients_common import check, consume_all, create
from engine_capture_scenarios import scenario_capture_read  # noqa: F401
from engine_codec_scenarios import scenario_codecs, scenario_compressed_compaction  # noqa: F401
from engine_job_scenarios import (scenario_job_dedupe, scenario_job_eos_start, scenario_job_eos_verify,  # noqa: F401
                                  scenario_job_join, scenario_job_pg_reference, scenario_job_pg_start, scenario_job_windows)
# Found by name in main(), like the scenarios defined here.
from engine_log_scenarios import (scenario_compaction, scenario_grow_and_trim, scenario_produce_acked,  # noqa: F401
                                  scenario_retention, scenario_verify_acked)


def scenario_acks(a):
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    found = {}
    for acks in ("0", "1", "all"):
        topic = "acks-%s-%s" % (acks, uuid.uuid4().hex[:6])
        create(admin, topic, 3)
        p = Producer({"bootstrap.servers": a.bootstrap, "acks": acks, "linger.ms": 2})
        delivered = []
        errors = []
        for i in range(300):
            p.produce(topic, key=str(i), value=b"x" * 1000 + str(i).encode(),
                      on_delivery=lambda e, m: errors.append(e) if e else delivered.append(m))
            p.poll(0)
        check(p.flush(20) == 0, "acks=%s: messages left unflushed" % acks)
        check(not errors, "acks=%s: delivery errors %s" % (acks, errors[:3]))
        check(len(delivered) == 300, "acks=%s: %d delivered" % (acks, len(delivered)))
        if acks != "0":
            offsets = {}
            for m in delivered:
                offsets.setdefault(m.partition(), []).append(m.offset())
            for part, offs in offsets.items():
                check(sorted(offs) == list(range(len(offs))), "acks=%s partition %d offsets %s…" % (acks, part, sorted(offs)[:5]))
        got = consume_all(a.bootstrap, topic, 300)
        values = sorted(int(m.value()[1000:]) for m in got)
        check(values == list(range(300)), "acks=%s: consumed %d records, first missing %s" % (
            acks, len(values), next((i for i in range(300) if i not in set(values)), None)))
        found[acks] = len(got)
    return {"consumed": found}


def scenario_groups(a):
    """Members join, leave and time out; the group rebalances each time and every partition
    ends up owned by exactly one live member."""
    import signal
    import subprocess
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    topic = "grp-%s" % uuid.uuid4().hex[:6]
    group = "g-%s-%s" % (a.assignor, uuid.uuid4().hex[:6])
    create(admin, topic, 6)
    lock = threading.Lock()
    assignments = {}
    rebalances = []

    def make(name):
        def on_assign(c, parts):
            with lock:
                rebalances.append((name, "assign", sorted(p.partition for p in parts)))
                if a.assignor == "cooperative-sticky":
                    assignments.setdefault(name, set()).update(p.partition for p in parts)
                else:
                    assignments[name] = set(p.partition for p in parts)

        def on_revoke(c, parts):
            with lock:
                rebalances.append((name, "revoke", sorted(p.partition for p in parts)))
                if a.assignor == "cooperative-sticky":
                    assignments.setdefault(name, set()).difference_update(p.partition for p in parts)
                else:
                    assignments[name] = set()

        c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": group, "partition.assignment.strategy": a.assignor,
                      "session.timeout.ms": 6000, "heartbeat.interval.ms": 300, "auto.offset.reset": "earliest"})
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return c

    def pump(consumers, seconds, until):
        end = time.time() + seconds
        while time.time() < end:
            for c in consumers:
                c.poll(0.05)
            if until():
                return True
        return False

    def owned():
        with lock:
            return {n: sorted(s) for n, s in assignments.items() if s}

    def split(names, others=0):
        """The in-process members `names` own disjoint, non-empty sets; with `others` members
        elsewhere, the in-process ones own fewer than all six."""
        o = owned()
        parts = [p for n in names for p in o.get(n, [])]
        if len(parts) != len(set(parts)) or not all(o.get(n) for n in names):
            return False
        return sorted(parts) == list(range(6)) if others == 0 else 0 < len(parts) < 6

    c1 = make("c1")
    check(pump([c1], 30, lambda: split(["c1"])), "one member did not get all 6 partitions: %s" % owned())
    c2 = make("c2")
    check(pump([c1, c2], 30, lambda: split(["c1", "c2"])), "after a second member joined: %s" % owned())
    two = owned()
    # c2 leaves cleanly (LeaveGroup): c1 gets everything back.
    c2.close()
    with lock:
        assignments.pop("c2", None)
    check(pump([c1], 30, lambda: split(["c1"])), "after c2 left: %s" % owned())
    # A member in another process joins, then is killed: no LeaveGroup, so only its session
    # timeout (3 s) can hand its partitions back.
    child = subprocess.Popen([sys.executable, __file__, "member", "--bootstrap", a.bootstrap, "--group", group,
                              "--topic", topic, "--assignor", a.assignor], stdout=subprocess.PIPE)
    try:
        check(pump([c1], 40, lambda: split(["c1"], others=1)), "c1 kept all partitions after a third member joined: %s" % owned())
        shared = owned()
        child.send_signal(signal.SIGKILL)
        child.wait()
        killed_at = time.time()
        check(pump([c1], 40, lambda: split(["c1"])), "partitions of the killed member never came back: %s" % owned())
        recovered = time.time() - killed_at
    finally:
        if child.poll() is None:
            child.kill()
    c1.close()
    return {"two_members": two, "with_remote_member": shared, "recovered_after_kill_s": round(recovered, 2),
            "rebalance_callbacks": len(rebalances), "group": group}


def scenario_member(a):
    """A plain group member, run in a child process by the groups scenario (and killed)."""
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": a.group, "partition.assignment.strategy": a.assignor,
                  "session.timeout.ms": 3000, "heartbeat.interval.ms": 300, "auto.offset.reset": "earliest"})
    c.subscribe([a.topic])
    while True:
        c.poll(0.1)


def scenario_idempotent(a):
    """A proxy drops the connection after the engine appended some produce requests, so
    the producer retries batches that were already written; none may be written twice."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    topic = "idem-%s" % uuid.uuid4().hex[:6]
    create(admin, topic, 2)
    p = Producer({"bootstrap.servers": a.bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5,
                  "batch.num.messages": 50, "retry.backoff.ms": 50})
    errors = []
    n = a.count
    for i in range(n):
        p.produce(topic, key=str(i % 2), value=str(i).encode(), partition=i % 2,
                  on_delivery=lambda e, m: errors.append(e) if e else None)
        if i % 100 == 0:
            p.poll(0)
    check(p.flush(60) == 0, "messages left unflushed")
    check(not errors, "delivery errors: %s" % errors[:3])
    got = consume_all(a.bootstrap, topic, n)
    values = [int(m.value()) for m in got]
    dups = len(values) - len(set(values))
    check(dups == 0, "%d duplicates written" % dups)
    check(sorted(values) == list(range(n)), "%d of %d records" % (len(set(values)), n))
    for part in (0, 1):
        seq = [int(m.value()) for m in got if m.partition() == part]
        check(seq == sorted(seq), "partition %d out of order" % part)
    return {"records": len(values), "duplicates": dups}


def scenario_transactions(a):
    """A consume-transform-produce loop with send_offsets_to_transaction; an aborted transaction
    that read_committed consumers never see; fencing of a zombie producer."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    tag = uuid.uuid4().hex[:6]
    src, dst, app = "tx-in-" + tag, "tx-out-" + tag, "tx-app-" + tag
    create(admin, src, 2)
    create(admin, dst, 2)
    n = 200
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all"})
    for i in range(n):
        p.produce(src, key=str(i), value=str(i).encode())
    check(p.flush(20) == 0, "input not written")

    tid = "tx-" + tag
    tp = Producer({"bootstrap.servers": a.bootstrap, "transactional.id": tid, "transaction.timeout.ms": 30000})
    tp.init_transactions(20)
    # An aborted transaction first: its records must never reach a read_committed reader.
    tp.begin_transaction()
    for i in range(25):
        tp.produce(dst, key=str(i), value=("ABORTED-%d" % i).encode())
    tp.flush(20)
    tp.abort_transaction(20)

    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": app, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "isolation.level": "read_committed"})
    c.subscribe([src])
    done = 0
    txns = 0
    deadline = time.time() + 60
    while done < n and time.time() < deadline:
        msgs = c.consume(50, 1.0)
        msgs = [m for m in msgs if not m.error()]
        if not msgs:
            continue
        tp.begin_transaction()
        for m in msgs:
            tp.produce(dst, key=m.key(), value=b"T-" + m.value())
        tp.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 20)
        tp.commit_transaction(20)
        txns += 1
        done += len(msgs)
    check(done == n, "transformed %d of %d" % (done, n))
    committed = c.committed([TopicPartition(src, 0), TopicPartition(src, 1)], 10)
    c.close()

    # Offsets committed in the transactions cover the whole input.
    ends = []
    for tpo in committed:
        lo, hi = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "x"}).get_watermark_offsets(tpo, 10)
        ends.append(hi)
        check(tpo.offset == hi, "group %s committed %d on %s-%d, end is %d" % (app, tpo.offset, src, tpo.partition, hi))

    seen = consume_all(a.bootstrap, dst, n, isolation="read_committed")
    values = [m.value().decode() for m in seen]
    check(not [v for v in values if v.startswith("ABORTED")], "read_committed saw aborted records")
    check(sorted(values) == sorted("T-%d" % i for i in range(n)), "read_committed saw %d records, expected %d" % (len(values), n))
    raw = consume_all(a.bootstrap, dst, n + 25, isolation="read_uncommitted")
    aborted_visible = len([m for m in raw if m.value().startswith(b"ABORTED")])
    check(aborted_visible == 25, "read_uncommitted saw %d aborted records, expected 25 (they were written, then aborted)" % aborted_visible)

    # A second instance with the same transactional.id fences the first.
    zombie = tp
    fresh = Producer({"bootstrap.servers": a.bootstrap, "transactional.id": tid})
    fresh.init_transactions(20)
    fenced = False
    try:
        zombie.begin_transaction()
        zombie.produce(dst, value=b"zombie")
        zombie.commit_transaction(10)
    except KafkaException as e:
        fenced = e.args[0].fatal() or "fenced" in str(e).lower()
    check(fenced, "the old producer was not fenced")
    after = consume_all(a.bootstrap, dst, n, isolation="read_committed")
    check(not [m for m in after if m.value() == b"zombie"], "a fenced producer's record became visible")
    return {"transactions": txns, "read_committed": len(values), "aborted_written": aborted_visible, "fenced": fenced}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--assignor", default="range")
    ap.add_argument("--group")
    ap.add_argument("--topic")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--out")
    ap.add_argument("--acked")
    ap.add_argument("--cycle", default="0")
    ap.add_argument("--rest", help="the engine's REST API, e.g. http://127.0.0.1:8081 (job scenarios)")
    ap.add_argument("--postgres", help="a Postgres URL for the upsert sink (job-pg-start)")
    a = ap.parse_args()
    fn = globals().get("scenario_" + a.scenario.replace("-", "_"))
    if fn is None:
        print("unknown scenario " + a.scenario, file=sys.stderr)
        sys.exit(2)
    result = fn(a)
    print(json.dumps({k: v for k, v in (result or {}).items() if not k.startswith("_")}))


if __name__ == "__main__":
    main()
