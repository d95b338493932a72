"""make bench: change capture from Postgres 15 into the engine, read by confluent-kafka as any
consumer would (docs/capture.md). The capture is added to the running engine through
`sluice capture add`; then:
  - throughput: 200,000 rows inserted in 1,000-row transactions as fast as Postgres takes them;
    changes per second from the first insert until the consumer has the last record (Postgres's
    own insert rate beside it, the ceiling),
  - latency: rows inserted at 5,000 a second (50-row transactions every 10 ms, paced inside
    Postgres) for 20 s; per record, the consumer's receive time minus the commit time Postgres
    stamped in it (source.ts_ms): commit → topic → consumer, p50 and p99.
Prints one JSON line."""
import argparse
import json
import os
import statistics
import subprocess
import threading
import time

from confluent_kafka import Consumer, TopicPartition

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def psql(port, sql):
    env = dict(os.environ, PG_PORT=str(port))
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts/postgres-peer.sh"), "psql", "-Atq", "-c", sql],
                       env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise SystemExit("psql: " + r.stderr)
    return r.stdout


def consume(bootstrap, topic, expected, received, done):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "capture-bench-%d" % os.getpid(), "enable.auto.commit": False,
                  "fetch.wait.max.ms": 10, "fetch.min.bytes": 1})
    # From the end as it is now, read before anything is inserted (OFFSET_END would be resolved
    # later, on a fetch, and could skip the first records).
    _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.assign([TopicPartition(topic, 0, high)])
    done.set()
    deadline = time.time() + 300
    while len(received) < expected and time.time() < deadline:
        for m in c.consume(1000, 0.2):
            if m.error() or m.value() is None:
                continue
            now = time.time() * 1000
            v = json.loads(m.value())
            received.append((now, v["source"]["ts_ms"]))
    c.close()


def phase(bootstrap, topic, expected, insert):
    received, ready = [], threading.Event()
    t = threading.Thread(target=consume, args=(bootstrap, topic, expected, received, ready))
    t.start()
    ready.wait(30)
    start = time.time()
    insert()
    inserted = time.time() - start
    t.join()
    return start, inserted, received


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-port", type=int, required=True)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--rest", required=True)
    ap.add_argument("--sluice", required=True)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=20)
    a = ap.parse_args()
    psql(a.pg_port, "CREATE TABLE bench (id bigserial PRIMARY KEY, v int, pad text); CREATE PUBLICATION bench_pub FOR TABLE bench;")
    url = "postgres://sluice:sluice@127.0.0.1:%d/sluice?sslmode=disable" % a.pg_port
    subprocess.run([a.sluice, "capture", "add", "bench", "--url", url, "--publication", "bench_pub", "--slot", "bench_slot",
                    "--flink", a.rest], check=True, stdout=subprocess.DEVNULL)
    topic = "bench.public.bench"

    per_tx = 1000
    start, inserted, got = phase(a.bootstrap, topic, a.rows, lambda: psql(a.pg_port, """
        DO $$ BEGIN FOR i IN 1..%d LOOP
          INSERT INTO bench (v, pad) SELECT g, 'throughput' FROM generate_series(1, %d) g; COMMIT;
        END LOOP; END $$;""" % (a.rows // per_tx, per_tx)))
    if len(got) < a.rows:
        raise SystemExit("throughput: %d of %d changes arrived" % (len(got), a.rows))
    changes_per_s = a.rows / (got[-1][0] / 1000 - start)

    batch = a.rate // 100
    ticks = a.seconds * 100
    _, _, lat = phase(a.bootstrap, topic, batch * ticks, lambda: psql(a.pg_port, """
        DO $$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN FOR i IN 1..%d LOOP
          INSERT INTO bench (v, pad) SELECT g, 'paced' FROM generate_series(1, %d) g; COMMIT;
          PERFORM pg_sleep(GREATEST(0, extract(epoch FROM (t0 + i * interval '10 ms' - clock_timestamp()))));
        END LOOP; END $$;""" % (ticks, batch)))
    if len(lat) < batch * ticks:
        raise SystemExit("latency: %d of %d changes arrived" % (len(lat), batch * ticks))
    delays = sorted(max(0.0, now - ts) for now, ts in lat)
    print(json.dumps({"bench": "capture", "changes_per_s": round(changes_per_s), "postgres_insert_per_s": round(a.rows / inserted),
                      "rows": a.rows, "rate": a.rate, "latency_p50_ms": round(statistics.median(delays), 1),
                      "latency_p99_ms": round(delays[int(len(delays) * 0.99) - 1], 1), "changes": len(delays)}))


if __name__ == "__main__":
    main()
