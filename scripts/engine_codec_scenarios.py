"""Engine client scenarios about compressed batches: every codec from confluent-kafka and
kafka-python, read back by both; compaction of a compressed compacted topic. Run through
engine-clients.py."""
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from engine_clients_common import check, consume_all, create

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
# kafka-python's codecs come from python packages: gzip (zlib), lz4, zstandard, python-snappy.
KAFKA_PYTHON_CODECS = ["gzip", "snappy", "lz4", "zstd"]


def _values(tag, n):
    return [("%s-%05d-%s" % (tag, i, "payload " * (i % 7))).encode() for i in range(n)]


def _read_back(a, topic, expected):
    """Every record of `topic` as confluent-kafka and kafka-python read it: values in order,
    offsets contiguous from 0."""
    got = consume_all(a.bootstrap, topic, len(expected), timeout=30)
    check([m.value() for m in got] == expected, "%s: confluent-kafka read %d of %d records, or out of order" % (topic, len(got), len(expected)))
    check([m.offset() for m in got] == list(range(len(expected))), "%s: offsets are not contiguous" % topic)
    from kafka import KafkaConsumer
    c = KafkaConsumer(topic, bootstrap_servers=a.bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                      group_id=None, consumer_timeout_ms=5000)
    values = []
    deadline = time.time() + 30
    while len(values) < len(expected) and time.time() < deadline:
        for m in c:
            values.append((m.offset, m.value))
            if len(values) >= len(expected):
                break
    c.close()
    check([v for _, v in values] == expected, "%s: kafka-python read %d of %d records" % (topic, len(values), len(expected)))
    check([o for o, _ in values] == list(range(len(expected))), "%s: kafka-python saw offsets that are not contiguous" % topic)


def scenario_codecs(a):
    """Each codec produced by confluent-kafka (all five) and kafka-python (all four codecs) into a
    topic of its own; both clients read every record back, offsets contiguous."""
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    n = a.count
    topics = {}
    for codec in CODECS:
        topic = "ck-%s-%s" % (codec, uuid.uuid4().hex[:6])
        create(admin, topic, 1)
        p = Producer({"bootstrap.servers": a.bootstrap, "compression.type": codec, "linger.ms": 20, "acks": "all"})
        values = _values(codec, n)
        for i, v in enumerate(values):
            p.produce(topic, key=b"k%d" % (i % 13), value=v, partition=0)
            if i % 500 == 0:
                p.poll(0)
        check(p.flush(30) == 0, "confluent-kafka %s: not all delivered" % codec)
        topics[topic] = values
    from kafka import KafkaProducer
    for codec in KAFKA_PYTHON_CODECS:
        topic = "kp-%s-%s" % (codec, uuid.uuid4().hex[:6])
        create(admin, topic, 1)
        p = KafkaProducer(bootstrap_servers=a.bootstrap, compression_type=codec, linger_ms=20, acks="all")
        values = _values("kp-" + codec, n)
        futures = [p.send(topic, key=b"k%d" % (i % 13), value=v, partition=0) for i, v in enumerate(values)]
        p.flush(30)
        offsets = [f.get(timeout=30).offset for f in futures]
        check(offsets == list(range(n)), "kafka-python %s: acknowledged offsets are not 0..%d" % (codec, n - 1))
        p.close()
        topics[topic] = values
    for topic, values in topics.items():
        _read_back(a, topic, values)
    return {"topics": {t: len(v) for t, v in topics.items()}, "records": sum(len(v) for v in topics.values())}


def scenario_compressed_compaction(a):
    """A compacted topic written compressed (--topic names the codec): old values and, after
    delete.retention.ms, deleted keys disappear from what a client reads; latest values stay."""
    codec = a.topic
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    topic = "cz-%s-%s" % (codec, uuid.uuid4().hex[:6])
    create(admin, topic, 1, {"cleanup.policy": "compact", "segment.bytes": "2048", "delete.retention.ms": "100",
                             "min.compaction.lag.ms": "0"})
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 5, "compression.type": codec})
    latest = {}
    produced = 0
    for rnd in range(60):
        for k in range(10):
            v = ("k%d-r%d-%s" % (k, rnd, "x" * 30)).encode()
            p.produce(topic, key=b"k%d" % k, value=v)
            latest[b"k%d" % k] = v
            produced += 1
        p.poll(0)
        p.flush(10)    # a batch per round, so segments roll
    p.produce(topic, key=b"k0", value=None)
    del latest[b"k0"]
    produced += 1
    p.flush(10)
    for i in range(60):    # a batch each: the segment holding the tombstone closes
        p.produce(topic, key=b"filler%d" % i, value=b"f" * 40)
        latest[b"filler%d" % i] = b"f" * 40
        produced += 1
        p.flush(10)
    check(p.flush(20) == 0, "not all produced")
    deadline = time.time() + 40
    seen = []
    while time.time() < deadline:
        seen = consume_all(a.bootstrap, topic, 1, timeout=5)
        if len(seen) < produced / 3 and b"k0" not in [m.key() for m in seen]:
            break
        time.sleep(0.3)
    final = {}
    for m in seen:
        final[m.key()] = m.value()
    check(b"k0" not in final, "%s: the deleted key k0 is still there after delete.retention.ms" % codec)
    check(len(seen) < produced / 3, "%s: little was compacted: read %d of %d" % (codec, len(seen), produced))
    check(final == latest, "%s: latest values differ" % codec)
    return {"produced": produced, "read": len(seen), "keys": len(final)}
