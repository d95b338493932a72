#!/usr/bin/env python3
"""One broker's produce and consume speed, measured with confluent-kafka (librdkafka), so the
embedded engine and tansu are measured by the same client in the same run.

  broker_bench.py --bootstrap H:P --label engine [--records 200000] [--size 1024]

Prints one JSON line per measurement:
  produce: N records of SIZE bytes, acks=all, as fast as the client batches them (records/s, MB/s)
  latency: records sent one at a time at a steady rate, acks=all; p50/p99 of produce-to-ack
  consume: the N records read back from the beginning by a fresh consumer (records/s, MB/s)
"""
import argparse
import json
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--latency-records", type=int, default=2000)
    ap.add_argument("--latency-rate", type=float, default=500)
    a = ap.parse_args()

    topic = "bench-%s" % uuid.uuid4().hex[:8]
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    for _, f in admin.create_topics([NewTopic(topic, a.partitions, 1)], operation_timeout=30).items():
        f.result()
    time.sleep(0.5)   # let metadata settle on brokers that create topics asynchronously

    payload = b"x" * a.size
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 5, "batch.size": 1000000,
                  "queue.buffering.max.messages": 1000000, "queue.buffering.max.kbytes": 2097151, "log_level": 3})
    errors = [0]

    def count_errors(err, msg):
        if err is not None:
            errors[0] += 1

    # Warm-up: connections and metadata, not measured.
    for _ in range(1000):
        p.produce(topic, payload, on_delivery=count_errors)
    p.flush(30)
    t0 = time.perf_counter()
    for _ in range(a.records):
        while True:
            try:
                p.produce(topic, payload, on_delivery=count_errors)
                break
            except BufferError:
                p.poll(0.001)
    left = p.flush(120)
    elapsed = time.perf_counter() - t0
    print(json.dumps({"bench": "broker_produce", "broker": a.label, "client": "confluent-kafka", "records": a.records, "size": a.size,
                      "seconds": elapsed, "records_per_s": a.records / elapsed, "mb_per_s": a.records * a.size / elapsed / 1e6,
                      "errors": errors[0], "unflushed": left}), flush=True)

    # Latency: one record at a time at a steady rate, so queueing in the client does not count.
    lat = []
    lp = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 0, "log_level": 3})
    lp.produce(topic, payload)
    lp.flush(10)
    interval = 1.0 / a.latency_rate
    next_at = time.perf_counter()
    for _ in range(a.latency_records):
        sent = time.perf_counter()
        lp.produce(topic, payload, on_delivery=lambda err, msg, sent=sent: lat.append(time.perf_counter() - sent) if err is None else None)
        next_at += interval
        while time.perf_counter() < next_at:
            lp.poll(max(0, min(0.0005, next_at - time.perf_counter())))
    lp.flush(30)
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else None
    print(json.dumps({"bench": "broker_latency", "broker": a.label, "client": "confluent-kafka", "records": len(lat), "rate": a.latency_rate,
                      "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": lat[-1] * 1000 if lat else None}), flush=True)

    # Consume everything produced by the throughput run (and the rest) from the beginning.
    total = 1000 + a.records + 1 + a.latency_records
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "bench-" + uuid.uuid4().hex[:6], "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 10485760, "log_level": 3})
    c.assign([TopicPartition(topic, i, 0) for i in range(a.partitions)])
    got = 0
    t0 = time.perf_counter()
    deadline = t0 + 180
    while got < total and time.perf_counter() < deadline:
        msgs = c.consume(10000, 1.0)
        got += sum(1 for m in msgs if not m.error())
    elapsed = time.perf_counter() - t0
    c.close()
    print(json.dumps({"bench": "broker_consume", "broker": a.label, "client": "confluent-kafka", "records": got, "expected": total, "seconds": elapsed,
                      "records_per_s": got / elapsed, "mb_per_s": got * a.size / elapsed / 1e6}), flush=True)


if __name__ == "__main__":
    main()
