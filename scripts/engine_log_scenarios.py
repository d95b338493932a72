"""Engine client scenarios about the log itself: acknowledged records across kill -9, retention
and compaction as a client sees them. Run through engine-clients.py."""
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource

from engine_clients_common import check, consume_all, create


def scenario_produce_acked(a):
    """Crash test, part 1: produces values `<cycle>-<i>` with acks=all to one partition and
    appends each acknowledged (offset, value) to --out as it arrives, until --count records or
    the broker goes away (the test kills it with SIGKILL meanwhile)."""
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 1,
                  "message.timeout.ms": 4000, "socket.timeout.ms": 3000, "log_level": 0})
    out = open(a.out, "a", buffering=1)
    acked = [0]

    def done(err, msg):
        if err is None:
            out.write("%d %s\n" % (msg.offset(), msg.value().decode()))
            acked[0] += 1

    for i in range(a.count):
        while True:
            try:
                p.produce(a.topic, value=("%s-%d" % (a.cycle, i)).encode(), partition=0, on_delivery=done)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    p.flush(10)
    out.close()
    return {"acked": acked[0]}


def scenario_verify_acked(a):
    """Crash test, part 2: every acknowledged record is in the log exactly once, at the offset
    it was acknowledged with, and the log has no gaps or duplicates of acknowledged values."""
    acked = {}
    for line in open(a.acked):
        off, val = line.split()
        acked[int(off)] = val
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "verify-" + uuid.uuid4().hex[:6], "enable.auto.commit": False})
    lo, hi = c.get_watermark_offsets(TopicPartition(a.topic, 0), 10)
    c.assign([TopicPartition(a.topic, 0, 0)])
    log = {}
    deadline = time.time() + 60
    while len(log) < hi and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        log[m.offset()] = m.value().decode()
    c.close()
    check(len(log) == hi, "read %d of %d records" % (len(log), hi))
    missing = [o for o, v in acked.items() if log.get(o) != v]
    check(not missing, "%d acknowledged records missing or changed, first at offset %s (acked %s, log has %s)" % (
        len(missing), missing[:1], acked.get(missing[0]) if missing else None, log.get(missing[0]) if missing else None))
    values = list(log.values())
    dup = len(values) - len(set(values))
    check(dup == 0, "%d values written twice" % dup)
    return {"acked": len(acked), "log_end": hi}


def scenario_retention(a):
    """A topic with retention.ms=1000 and small segments: the engine deletes old segments and a
    client sees the log start offset move and reads from there."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    topic = "ret-%s" % uuid.uuid4().hex[:6]
    create(admin, topic, 1, {"retention.ms": "1000", "segment.bytes": "4096"})
    res = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
    for _, f in res.items():
        cfg = f.result()
        check(cfg["retention.ms"].value == "1000", "retention.ms reads back as %s" % cfg["retention.ms"].value)
        check(cfg["segment.bytes"].value == "4096", "segment.bytes reads back as %s" % cfg["segment.bytes"].value)
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 0, "batch.num.messages": 1})
    for i in range(200):
        p.produce(topic, value=("%05d" % i).encode() + b"r" * 200)
        p.poll(0)
    check(p.flush(20) == 0, "not all produced")
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "ret-" + uuid.uuid4().hex[:6], "auto.offset.reset": "earliest"})
    deadline = time.time() + 30
    lo = hi = 0
    while time.time() < deadline:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), 10)
        if lo > 0:
            break
        time.sleep(0.2)
    check(lo > 0, "log start offset still 0 after 30 s (high watermark %d)" % hi)
    check(hi == 200, "high watermark %d, expected 200" % hi)
    c.assign([TopicPartition(topic, 0, -2)])   # earliest
    first = None
    end = time.time() + 10
    while first is None and time.time() < end:
        m = c.poll(0.5)
        if m is not None and not m.error():
            first = m.offset()
    c.close()
    check(first == lo, "earliest record read is at %s, log start is %d" % (first, lo))
    return {"log_start": lo, "high_watermark": hi}


def scenario_compaction(a):
    """A compacted topic: old values of a key and, after delete.retention.ms, deleted keys
    disappear from what a client reads from the beginning; the latest value of every key stays."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    topic = "cmp-%s" % uuid.uuid4().hex[:6]
    create(admin, topic, 1, {"cleanup.policy": "compact", "segment.bytes": "1024", "delete.retention.ms": "100",
                             "min.compaction.lag.ms": "0"})
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 0, "batch.num.messages": 1})
    latest = {}
    produced = 0
    for rnd in range(30):
        for k in range(10):
            v = ("k%d-r%d" % (k, rnd)).encode()
            p.produce(topic, key=b"k%d" % k, value=v)
            latest[b"k%d" % k] = v
            produced += 1
        p.poll(0)
    p.produce(topic, key=b"k0", value=None)   # delete k0
    del latest[b"k0"]
    produced += 1
    for i in range(40):                       # roll the tombstone into a closed segment
        p.produce(topic, key=b"filler%d" % i, value=b"f")
        latest[b"filler%d" % i] = b"f"
        produced += 1
    check(p.flush(20) == 0, "not all produced")
    deadline = time.time() + 30
    seen = []
    while time.time() < deadline:
        seen = consume_all(a.bootstrap, topic, 1, timeout=5)
        keys = [m.key() for m in seen]
        if len(seen) < produced and b"k0" not in keys:
            break
        time.sleep(0.3)
    final = {}
    for m in seen:
        final[m.key()] = m.value()
    check(b"k0" not in final, "the deleted key k0 is still there after delete.retention.ms")
    check(len(seen) < produced, "nothing was compacted: read %d of %d" % (len(seen), produced))
    check(final == latest, "latest values differ: %s" % {k: (final.get(k), v) for k, v in latest.items() if final.get(k) != v})
    return {"produced": produced, "read": len(seen), "keys": len(final)}


def scenario_grow_and_trim(a):
    """Admin operations on the log as confluent-kafka's AdminClient does them: create_partitions
    grows a topic and a subscribed consumer is given the new partitions; fewer partitions are
    refused; delete_records moves the log start (seen through the watermarks), and an offset past
    the high watermark is refused."""
    from confluent_kafka.admin import NewPartitions
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    topic = "grow-%s" % uuid.uuid4().hex[:6]
    create(admin, topic, 2)
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 0})
    for i in range(10):
        p.produce(topic, value=b"v%d" % i, partition=0)
    check(p.flush(20) == 0, "not all produced")
    assigned = []
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "grow-" + uuid.uuid4().hex[:6], "auto.offset.reset": "earliest",
                  "topic.metadata.refresh.interval.ms": 500})
    c.subscribe([topic], on_assign=lambda _c, parts: assigned.append(sorted(tp.partition for tp in parts)))
    deadline = time.time() + 30
    while not assigned and time.time() < deadline:
        c.poll(0.2)
    check(assigned and assigned[-1] == [0, 1], "first assignment %s" % assigned)
    for _, f in admin.create_partitions([NewPartitions(topic, 4)], operation_timeout=10).items():
        f.result()
    try:
        for _, f in admin.create_partitions([NewPartitions(topic, 3)], operation_timeout=10).items():
            f.result()
        check(False, "shrinking to 3 partitions was accepted")
    except KafkaException as e:
        refused = e.args[0].name()
    check(refused == "INVALID_PARTITIONS", "shrinking refused with %s" % refused)
    # The producer learns of the new partitions from its next metadata reading.
    deadline = time.time() + 30
    while len(p.list_topics(topic, timeout=5).topics[topic].partitions) < 4 and time.time() < deadline:
        time.sleep(0.2)
    p.produce(topic, value=b"new", partition=3)
    check(p.flush(20) == 0, "not produced to the new partition")
    got_new = False
    deadline = time.time() + 30
    while not got_new and time.time() < deadline:
        m = c.poll(0.2)
        got_new = m is not None and not m.error() and m.partition() == 3
    c.close()
    check(assigned[-1] == [0, 1, 2, 3], "assignment after growing: %s" % assigned)
    check(got_new, "the consumer never read the new partition")
    res = admin.delete_records([TopicPartition(topic, 0, 6)], operation_timeout=10)
    low = [f.result().low_watermark for f in res.values()][0]
    check(low == 6, "low watermark after delete_records: %s" % low)
    w = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "w-" + uuid.uuid4().hex[:6]})
    lo, hi = w.get_watermark_offsets(TopicPartition(topic, 0), 10)
    w.close()
    check((lo, hi) == (6, 10), "watermarks after delete_records: %s" % ((lo, hi),))
    try:
        for f in admin.delete_records([TopicPartition(topic, 0, 50)], operation_timeout=10).values():
            f.result()
        check(False, "deleting past the high watermark was accepted")
    except KafkaException as e:
        beyond = e.args[0].name()
    check(beyond == "OFFSET_OUT_OF_RANGE", "past the high watermark refused with %s" % beyond)
    return {"partitions": 4, "assignments": len(assigned), "low_watermark": lo, "high_watermark": hi}
