#!/usr/bin/env bash
# make demo: the embedded engine (`sluice engine`, a Kafka-protocol broker) with a load generator
# making four consumer groups — caught up, lagging, stopped, rebalancing — and Apache Flink 2.3
# running two jobs (one held back by a slow operator, one whose checkpoints expire), with the
# console opened on both. Quitting the console (q) stops everything.
# SLUICE_DEMO_FLINK=0 leaves Flink out; SLUICE_DEMO_BROKER=tansu uses tansu instead of the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
export SLUICE_STATE="${SLUICE_STATE:-/tmp/sluice-demo}"
export KAFKA_PORT="${KAFKA_PORT:-19092}"
LOAD_PID=""
if [[ "${SLUICE_DEMO_BROKER:-engine}" == tansu ]]; then PEER=scripts/kafka-peer.sh; else PEER=scripts/engine-peer.sh; fi
cleanup() {
  set +e
  [[ -n "$LOAD_PID" ]] && kill -TERM "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  SLUICE_BIN="${BIN:-}" "$PEER" stop
  [[ "${SLUICE_DEMO_FLINK:-1}" == 1 ]] && scripts/flink-peer.sh stop
}
trap cleanup EXIT
swift build -c release --product sluice 2>&1 | grep -E "error|Compiling sluice|Build complete" >&2 || true
BIN="$(swift build -c release --show-bin-path)/sluice"
[[ -x "$BIN" ]] || { echo "build failed" >&2; exit 1; }
if [[ "$PEER" == scripts/engine-peer.sh ]]; then
  echo "starting the embedded engine on 127.0.0.1:$KAFKA_PORT (data in $SLUICE_STATE/engine, fresh each demo)…" >&2
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
FLINK_ARGS=()
if [[ "${SLUICE_DEMO_FLINK:-1}" == 1 ]]; then
  echo "starting Flink 2.3 (first time: ~320 MB from PyPI) and two demo jobs…" >&2
  # The demo's job ledger stays with the demo: resume (r) works on jobs paused here.
  export XDG_STATE_HOME="$SLUICE_STATE/state"
  FLINK="$(scripts/flink-peer.sh start)"
  JAR="$(scripts/flink-peer.sh build-job)"
  "$BIN" job run "$JAR" -p 2 --flink "$FLINK" -- --name demo-backpressure --rate 2000 --slowMs 8 >/dev/null
  "$BIN" job run "$JAR" -p 2 --flink "$FLINK" -- --name demo-checkpoints-expire --rate 100 --checkpointMs 2000 \
    --failCheckpoints true --checkpointTimeoutMs 1500 >/dev/null
  FLINK_ARGS=(--flink "$FLINK")
fi
echo "waiting for the four demo groups to commit…" >&2
for _ in $(seq 1 300); do grep -q '"ready"' "$SLUICE_STATE/load.jsonl" 2>/dev/null && break; sleep 0.1; done
"$BIN" --kafka "$BOOT" "${FLINK_ARGS[@]}" --view groups "$@"
