#!/usr/bin/env python3
"""The peer side of the refresh benchmark: the same lag as `sluice lag` computes, with
confluent-kafka, the way an operator's script would (and the anchor figures measured it):
ListGroups, one OffsetFetch per group (the Python API allows one group per call), end offsets
from Fetch responses of a long-lived assign()ed probe consumer (ListOffsets is wrong on tansu),
then lag. Prints one JSON line with per-cycle wall time and client CPU.

  confluent_lag.py --bootstrap B [--cycles 5]
"""
import argparse, json, os, resource, time
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING, ConsumerGroupTopicPartitions
from confluent_kafka.admin import AdminClient

ap = argparse.ArgumentParser()
ap.add_argument("--bootstrap", required=True)
ap.add_argument("--cycles", type=int, default=5)
a = ap.parse_args()
admin = AdminClient({"bootstrap.servers": a.bootstrap})
probe = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "bench-probe-%d" % os.getpid(), "enable.auto.commit": False,
                  "fetch.wait.max.ms": 10, "queued.max.messages.kbytes": 4096})
assigned = set()


def cycle():
    groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=30).result().valid]
    committed = {}
    for g in groups:
        r = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)], request_timeout=30)[g].result()
        committed[g] = {(tp.topic, tp.partition): tp.offset for tp in r.topic_partitions if tp.offset >= 0}
    tps = set()
    for offs in committed.values():
        tps.update(offs)
    new = [tp for tp in tps if tp not in assigned]
    if new:
        probe.incremental_assign([TopicPartition(t, p, OFFSET_BEGINNING) for t, p in new])
        assigned.update(new)
    hw = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        probe.consume(num_messages=10000, timeout=0.05)
        missing = 0
        for t, p in tps:
            lo, hi = probe.get_watermark_offsets(TopicPartition(t, p), cached=True)
            if hi < 0:
                missing += 1
            else:
                hw[(t, p)] = hi
        if missing == 0:
            break
    lag = {g: sum(max(0, hw.get(tp, 0) - c) for tp, c in offs.items()) for g, offs in committed.items()}
    return len(groups), sum(len(o) for o in committed.values()), lag


cycle()  # warm: the probe's assignment and first fetches, as a long-running script would have
times, cpus = [], []
for _ in range(a.cycles):
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    n, parts, _ = cycle()
    times.append((time.monotonic() - t0) * 1000)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpus.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
probe.close()
times.sort()
print(json.dumps({"bench": "refresh_cycle_confluent_kafka", "groups": n, "group_partitions": parts,
                  "median_ms": times[len(times) // 2], "cpu_s_per_cycle": sorted(cpus)[len(cpus) // 2], "runs": a.cycles}))
