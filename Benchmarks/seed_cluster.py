#!/usr/bin/env python3
"""Seeds a broker for the refresh benchmark: TOPICS × PARTITIONS partitions with a few records
each, and GROUPS consumer groups with committed offsets on 10 partitions each (no members).

  seed_cluster.py --bootstrap B [--topics 100] [--partitions 100] [--groups 1000]
"""
import argparse, sys, time
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ap = argparse.ArgumentParser()
ap.add_argument("--bootstrap", required=True)
ap.add_argument("--topics", type=int, default=100)
ap.add_argument("--partitions", type=int, default=100)
ap.add_argument("--groups", type=int, default=1000)
ap.add_argument("--records", type=int, default=5, help="records per partition")
a = ap.parse_args()

admin = AdminClient({"bootstrap.servers": a.bootstrap})
names = ["bench-t%d" % i for i in range(a.topics)]
for n, f in admin.create_topics([NewTopic(n, a.partitions, 1) for n in names], request_timeout=60).items():
    try:
        f.result()
    except Exception as e:
        if "TOPIC_ALREADY_EXISTS" not in str(e):
            raise
p = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 20, "batch.num.messages": 10000})
for n in names:
    for part in range(a.partitions):
        for i in range(a.records):
            while True:
                try:
                    p.produce(n, partition=part, value=b"x" * 16)
                    break
                except BufferError:
                    p.poll(0.05)
    p.poll(0)
p.flush(120)
# One commit per group: an assign()-only consumer commits explicit offsets without joining.
for g in range(a.groups):
    topic = names[g % a.topics]
    offsets = [TopicPartition(topic, (g // a.topics * 10 + i) % a.partitions, 1 + (g % 3)) for i in range(10)]
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "bench-g%d" % g, "enable.auto.commit": False})
    c.commit(offsets=offsets, asynchronous=False)
    c.close()
    if g % 100 == 99:
        print("seeded %d groups" % (g + 1), file=sys.stderr)
print("seeded %d topics × %d partitions, %d groups" % (a.topics, a.partitions, a.groups), file=sys.stderr)
