#!/usr/bin/env python3
"""Produce throughput with compressed batches on one broker, measured with confluent-kafka, so
the embedded engine and tansu are measured by the same client in the same run.

  codec_bench.py --bootstrap H:P --label engine [--records 200000] [--codecs none,lz4,zstd]

Records are 512-byte JSON-like events (compressible as real ones are, not constant). Prints one
JSON line per codec: records/s and MB/s of uncompressed payload, acks=all.
"""
import argparse
import json
import random
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic


def events(n, size):
    rnd = random.Random(7)
    users = ["user-%04d" % i for i in range(500)]
    out = []
    for i in range(n):
        body = '{"event":"page_view","seq":%d,"user":"%s","path":"/shop/item/%d","ms":%d,"ok":true,"note":"' % (
            i, rnd.choice(users), rnd.randrange(10000), rnd.randrange(5000))
        out.append((body + "".join(rnd.choice("abcdefgh ") for _ in range(max(0, size - len(body) - 2))) + '"}').encode())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--codecs", default="none,lz4,zstd")
    a = ap.parse_args()
    payloads = events(20000, a.size)
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    for codec in a.codecs.split(","):
        topic = "codec-%s-%s" % (codec, uuid.uuid4().hex[:6])
        for _, f in admin.create_topics([NewTopic(topic, 4, 1)], operation_timeout=30).items():
            f.result()
        time.sleep(0.5)
        p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "linger.ms": 5, "batch.size": 1000000,
                      "compression.type": codec, "queue.buffering.max.messages": 1000000,
                      "queue.buffering.max.kbytes": 2097151, "log_level": 3})
        errors = [0]

        def count_errors(err, msg):
            if err is not None:
                errors[0] += 1

        for i in range(1000):   # warm-up, not measured
            p.produce(topic, payloads[i % len(payloads)], on_delivery=count_errors)
        p.flush(30)
        t0 = time.perf_counter()
        for i in range(a.records):
            while True:
                try:
                    p.produce(topic, payloads[i % len(payloads)], on_delivery=count_errors)
                    break
                except BufferError:
                    p.poll(0.001)
        left = p.flush(120)
        elapsed = time.perf_counter() - t0
        print(json.dumps({"bench": "broker_codec_produce", "broker": a.label, "client": "confluent-kafka", "codec": codec,
                          "records": a.records, "size": a.size, "seconds": elapsed, "records_per_s": a.records / elapsed,
                          "mb_per_s": a.records * a.size / elapsed / 1e6, "errors": errors[0], "unflushed": left}), flush=True)


if __name__ == "__main__":
    main()
