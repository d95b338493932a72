#!/usr/bin/env bash
# make demo: the embedded engine (`sluice engine`, a Kafka-protocol broker that also runs jobs)
# with a load generator making four consumer groups — caught up, lagging, stopped, rebalancing —
# and the engine's sample jobs: revenue per customer in event-time windows with late data, orders
# enriched from a customers table, a slow sink that backpressures its job, and a job whose
# checkpoints expire now and then and complete in between. The console opens on all of it;
# quitting it (q) stops everything. No Java needed.
#
# When Postgres 15 is installed (scripts/install-deps.sh installs it), the customers table comes
# from a private Postgres cluster through the engine's change capture (docs/capture.md), a writer
# changes a customer twice a second, and the console's Slots view (6) shows the capture's slot;
# SLUICE_DEMO_POSTGRES=0 uses generated customers instead.
#
# SLUICE_DEMO_FLINK=1 runs the jobs on Apache Flink 2.3 instead (two: one held back by a slow
# operator, one whose checkpoints expire). SLUICE_DEMO_BROKER=tansu uses tansu as the broker (the
# jobs then run on Flink). SLUICE_BIN uses that sluice binary instead of building a release one.
# Arguments go to the console (e.g. --refresh 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
export SLUICE_STATE="${SLUICE_STATE:-/tmp/sluice-demo}"
export KAFKA_PORT="${KAFKA_PORT:-19092}"
export REST_PORT="${ENGINE_REST_PORT:-$(( KAFKA_PORT + 1 ))}"
FLINK_ON="${SLUICE_DEMO_FLINK:-0}"
export PG_PORT="${PG_PORT:-$(( KAFKA_PORT + 2 ))}"
PG_ON=0
LOAD_PID=""
WRITER_PID=""
if [[ "${SLUICE_DEMO_BROKER:-engine}" == tansu ]]; then PEER=scripts/kafka-peer.sh; FLINK_ON=1; else PEER=scripts/engine-peer.sh; fi
cleanup() {
  set +e
  [[ -n "$LOAD_PID" ]] && kill -TERM "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  [[ -n "$WRITER_PID" ]] && kill -TERM "$WRITER_PID" 2>/dev/null && wait "$WRITER_PID" 2>/dev/null
  [[ "$PG_ON" == 1 ]] && scripts/postgres-peer.sh clean
  SLUICE_BIN="${BIN:-}" "$PEER" stop
  [[ "$FLINK_ON" == 1 ]] && scripts/flink-peer.sh stop
}
trap cleanup EXIT
if [[ -n "${SLUICE_BIN:-}" ]]; then
  BIN="$SLUICE_BIN"
else
  echo "building sluice (release; the first build takes several minutes)…" >&2
  swift build -c release --product sluice 2>&1 | grep -E "error|Compiling sluice|Build complete" >&2 || true
  BIN="$(swift build -c release --show-bin-path)/sluice"
fi
[[ -x "$BIN" ]] || { echo "build failed: no sluice binary at $BIN" >&2; exit 1; }
# The demo's job ledger stays with the demo: resume (r) works on jobs paused here.
export XDG_STATE_HOME="$SLUICE_STATE/state"
if [[ "$PEER" == scripts/engine-peer.sh ]]; then
  echo "starting the embedded engine on 127.0.0.1:$KAFKA_PORT, jobs' REST API on 127.0.0.1:$REST_PORT (data in $SLUICE_STATE/engine, fresh each demo)…" >&2
  SLUICE_BIN="$BIN" scripts/engine-peer.sh stop
  rm -rf "$SLUICE_STATE/engine/data"
  BOOT="$(SLUICE_BIN="$BIN" scripts/engine-peer.sh start)"
else
  echo "starting the broker (tansu, memory storage) on 127.0.0.1:$KAFKA_PORT…" >&2
  BOOT="$(scripts/kafka-peer.sh start)"
fi
mkdir -p "$SLUICE_STATE"
scripts/kafka-peer.sh python scripts/kafka-load.py run --bootstrap "$BOOT" --prefix demo --seconds 86400 \
  >"$SLUICE_STATE/load.jsonl" 2>"$SLUICE_STATE/load.err" &
LOAD_PID=$!
if [[ "$FLINK_ON" == 1 ]]; then
  echo "starting Flink 2.3 (first time: ~320 MB from PyPI) and two demo jobs…" >&2
  JOBS="$(scripts/flink-peer.sh start)"
  JAR="$(scripts/flink-peer.sh build-job)"
  "$BIN" job run "$JAR" -p 2 --flink "$JOBS" -- --name demo-backpressure --rate 2000 --slowMs 8 >/dev/null
  "$BIN" job run "$JAR" -p 2 --flink "$JOBS" -- --name demo-checkpoints-expire --rate 100 --checkpointMs 2000 \
    --failCheckpoints true --checkpointTimeoutMs 1500 >/dev/null
else
  JOBS="http://127.0.0.1:$REST_PORT"
  CUSTOMERS=customers
  PG_ARGS=()
  if [[ "${SLUICE_DEMO_POSTGRES:-1}" != 0 && -x /usr/lib/postgresql/15/bin/postgres ]]; then
    echo "starting a private Postgres 15 on 127.0.0.1:$PG_PORT; its customers table is captured into the engine…" >&2
    scripts/postgres-peer.sh clean
    if PGURL="$(scripts/postgres-peer.sh start)?sslmode=disable"; then
      PG_ON=1
      scripts/postgres-peer.sh psql -q -c "CREATE TABLE customers (id text PRIMARY KEY, name text NOT NULL, credit int, tier int)"
      scripts/postgres-peer.sh psql -q -c "INSERT INTO customers SELECT 'k' || g, 'Customer K' || g, floor(random() * 10000), floor(random() * 4) FROM generate_series(0, 19) g"
      scripts/postgres-peer.sh psql -q -c "CREATE PUBLICATION demo_pub FOR TABLE customers"
      "$BIN" capture add demo --url "$PGURL" --publication demo_pub --slot demo_customers --flink "$JOBS" >/dev/null
      # A customer's credit and tier change twice a second, as a shop's would.
      ( while true; do
          scripts/postgres-peer.sh psql -q -c "UPDATE customers SET credit = floor(random() * 10000), tier = floor(random() * 4) WHERE id = 'k' || floor(random() * 20)" >/dev/null 2>&1 || exit 0
          sleep 0.5
        done ) &
      WRITER_PID=$!
      CUSTOMERS=customers-from-postgres
      PG_ARGS=(--postgres "$PGURL")
    else
      echo "Postgres did not start: the demo's customers are generated instead" >&2
    fi
  fi
  echo "running the engine's sample jobs…" >&2
  # The customers table first: the enrichment join needs its topic.
  for sample in $CUSTOMERS orders-enriched revenue-per-customer slow-sink flaky-checkpoints; do
    "$BIN" job run "sample_$sample.yaml" -p 2 --flink "$JOBS" >/dev/null
  done
fi
echo "waiting for the four demo groups to commit…" >&2
for _ in $(seq 1 300); do grep -q '"ready"' "$SLUICE_STATE/load.jsonl" 2>/dev/null && break; sleep 0.1; done
"$BIN" --kafka "$BOOT" --flink "$JOBS" ${PG_ARGS[@]+"${PG_ARGS[@]}"} --view groups "$@"
