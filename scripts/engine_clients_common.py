"""Helpers shared by the engine client scenarios (engine-clients.py)."""
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.admin import NewTopic


def check(cond, why):
    if not cond:
        print("CHECK FAILED: " + why, file=sys.stderr)
        sys.exit(1)


def create(admin, name, partitions, config=None):
    fs = admin.create_topics([NewTopic(name, partitions, 1, config=config or {})], operation_timeout=10)
    for _, f in fs.items():
        f.result()


def consume_all(bootstrap, topic, expected, group=None, isolation="read_uncommitted", timeout=30, extra=None):
    """Reads from the beginning until `expected` records arrived (or the timeout), returns them."""
    conf = {"bootstrap.servers": bootstrap, "group.id": group or "reader-" + uuid.uuid4().hex[:8],
            "auto.offset.reset": "earliest", "enable.auto.commit": False, "isolation.level": isolation}
    conf.update(extra or {})
    c = Consumer(conf)
    c.subscribe([topic])
    out = []
    deadline = time.time() + timeout
    while len(out) < expected and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise KafkaException(m.error())
        out.append(m)
    # A little more, to see anything beyond what was expected.
    end = time.time() + 1.0
    while time.time() < end:
        m = c.poll(0.2)
        if m is not None and not m.error():
            out.append(m)
    c.close()
    return out
