#!/usr/bin/env python3
"""Load generator and independent lag reader for Sluice's tests and demo (confluent-kafka).

  kafka-load.py run  --bootstrap B [--prefix P] [--seconds S] [--rate R]
      Creates topics P-t0..t2 (4 partitions each), produces R msg/s, and runs four groups:
        P-caughtup     consumes everything, commits every second      -> lag ~ 0, OK
        P-lagging      consumes at most --lagging-rate msg/s           -> lag grows, WARN
        P-stopped      consumes for --stop-after s, then closes         -> Empty, lag grows, STOP
        P-rebalancing  one member, plus one that joins and leaves every --rebalance-every s
      Prints one JSON event per line on stdout ("ready" once every group has committed).
  kafka-load.py lag --bootstrap B --group G [--group G2 ...]
      One independent reading: committed offsets (AdminClient) and end offsets (high watermarks
      from Fetch responses of an assign()ed consumer; ListOffsets is wrong on some brokers).
"""
import argparse, json, signal, sys, threading, time
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_END, ConsumerGroupTopicPartitions
from confluent_kafka.admin import AdminClient, NewTopic


def emit(**kw):
    kw["t"] = round(time.time(), 3)
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def create_topics(admin, names, partitions):
    fs = admin.create_topics([NewTopic(n, partitions, 1) for n in names], request_timeout=15)
    for n, f in fs.items():
        try:
            f.result()
        except Exception as e:
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                raise
    deadline = time.time() + 15
    while time.time() < deadline:
        md = admin.list_topics(timeout=5)
        if all(n in md.topics and len(md.topics[n].partitions) == partitions for n in names):
            return
        time.sleep(0.1)
    raise SystemExit("topics not visible in metadata after 15 s")


def consumer(bootstrap, group, client_id, **extra):
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "client.id": client_id,
            "auto.offset.reset": "earliest", "enable.auto.commit": True, "auto.commit.interval.ms": 1000,
            "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}
    conf.update(extra)
    return Consumer(conf)


def member(args, stop, group, cid, topics, rate=None, run_for=None, committed=None):
    c = consumer(args.bootstrap, group, cid)
    c.subscribe(topics, on_assign=lambda _c, ps: emit(event="assign", group=group, member=cid, partitions=len(ps)))
    t0 = time.monotonic()
    try:
        while not stop.is_set():
            if run_for is not None and time.monotonic() - t0 >= run_for:
                break
            if rate:
                m = c.poll(0.2)
                if m is not None and not m.error():
                    stop.wait(1.0 / rate)
            else:
                c.consume(num_messages=500, timeout=0.2)
            if committed is not None and group not in committed and c.assignment():
                try:
                    if any(tp.offset >= 0 for tp in c.committed(c.assignment(), timeout=5)):
                        committed.add(group)
                except Exception:
                    pass
    finally:
        c.close()
        if run_for is not None and not stop.is_set():
            if committed is not None:
                committed.add(group + ":stopped")
            emit(event="stopped", group=group)


def rebalancer(args, stop, group, topics):
    n = 0
    while not stop.is_set():
        n += 1
        inner = threading.Event()
        th = threading.Thread(target=member, args=(args, inner, group, "%s-extra-%d" % (group, n), topics), daemon=True)
        th.start()
        emit(event="member-join", group=group, n=n)
        stop.wait(args.rebalance_every)
        inner.set()
        th.join(15)
        emit(event="member-leave", group=group, n=n)
        stop.wait(args.rebalance_every)


def producer(args, stop, topics):
    p = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 5})
    n = 0
    tick = 0.05
    nxt = time.monotonic()
    while not stop.is_set():
        for _ in range(max(1, int(args.rate * tick))):
            p.produce(topics[n % len(topics)], key=b"k%d" % (n % 64), value=b'{"seq": %d}' % n)
            n += 1
        p.poll(0)
        nxt += tick
        stop.wait(max(0, nxt - time.monotonic()))
    p.flush(10)


def cmd_run(args):
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    topics = ["%s-t%d" % (args.prefix, i) for i in range(args.topics)]
    create_topics(admin, topics, args.partitions)
    emit(event="topics", topics=topics)
    stop = threading.Event()
    committed = set()
    threads = [threading.Thread(target=producer, args=(args, stop, topics))]
    roles = {"caughtup": {}, "lagging": {"rate": args.lagging_rate}, "stopped": {"run_for": args.stop_after},
             "rebalancing": {}}
    for role, kw in roles.items():
        g = "%s-%s" % (args.prefix, role)
        threads.append(threading.Thread(target=member, args=(args, stop, g, g + "-m1", topics),
                                        kwargs=dict(kw, committed=committed)))
    threads.append(threading.Thread(target=rebalancer, args=(args, stop, "%s-rebalancing" % args.prefix, topics)))
    for th in threads:
        th.daemon = True
        th.start()
    deadline = time.monotonic() + args.seconds
    ready = False
    while not stop.is_set() and time.monotonic() < deadline:
        groups_committed = {g for g in committed if ":" not in g}
        if not ready and len(groups_committed) == len(roles) and any(g.endswith(":stopped") for g in committed):
            ready = True
            emit(event="ready", groups=sorted(groups_committed))
        stop.wait(0.2)
    stop.set()
    for th in threads:
        th.join(20)
    emit(event="done")


def cmd_lag(args):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    out = {"groups": {}}
    tps = set()
    for g in args.group:
        r = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)], request_timeout=10)[g].result()
        offs = {(tp.topic, tp.partition): tp.offset for tp in r.topic_partitions if tp.offset >= 0}
        out["groups"][g] = offs
        tps.update(offs)
    probe = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "sluice-test-probe", "enable.auto.commit": False,
                      "fetch.wait.max.ms": 10})
    probe.assign([TopicPartition(t, p, OFFSET_END) for t, p in sorted(tps)])
    hw = {}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(hw) < len(tps):
        probe.poll(0.05)
        for t, p in tps:
            lo, hi = probe.get_watermark_offsets(TopicPartition(t, p), cached=True)
            if hi >= 0:
                hw[(t, p)] = hi
    probe.close()
    result = {g: [{"topic": t, "partition": p, "committed": c, "endOffset": hw.get((t, p))}
                  for (t, p), c in sorted(offs.items())] for g, offs in out["groups"].items()}
    print(json.dumps({"groups": result}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--bootstrap", required=True)
    r.add_argument("--prefix", default="sluice")
    r.add_argument("--topics", type=int, default=3)
    r.add_argument("--partitions", type=int, default=4)
    r.add_argument("--rate", type=float, default=200)
    r.add_argument("--seconds", type=float, default=600)
    r.add_argument("--lagging-rate", type=float, default=20)
    r.add_argument("--stop-after", type=float, default=8)
    r.add_argument("--rebalance-every", type=float, default=10)
    r.set_defaults(fn=cmd_run)
    l = sub.add_parser("lag")
    l.add_argument("--bootstrap", required=True)
    l.add_argument("--group", action="append", required=True)
    l.set_defaults(fn=cmd_lag)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
