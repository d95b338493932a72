#!/usr/bin/env bash
# make demo: a real Kafka-protocol broker (tansu) with a load generator making four consumer
# groups — caught up, lagging, stopped, rebalancing — and the console opened on it. Quitting the
# console (q) stops the broker and the load. (Until the embedded engine lands, this is the demo.)
set -euo pipefail
cd "$(dirname "$0")/.."
export SLUICE_STATE="${SLUICE_STATE:-/tmp/sluice-demo}"
export KAFKA_PORT="${KAFKA_PORT:-19092}"
LOAD_PID=""
cleanup() {
  set +e
  [[ -n "$LOAD_PID" ]] && kill -TERM "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  scripts/kafka-peer.sh stop
}
trap cleanup EXIT
swift build -c release --product sluice 2>&1 | grep -E "error|Compiling sluice|Build complete" >&2 || true
BIN="$(swift build -c release --show-bin-path)/sluice"
[[ -x "$BIN" ]] || { echo "build failed" >&2; exit 1; }
echo "starting the broker (tansu, memory storage) on 127.0.0.1:$KAFKA_PORT…" >&2
BOOT="$(scripts/kafka-peer.sh start)"
mkdir -p "$SLUICE_STATE"
scripts/kafka-peer.sh python scripts/kafka-load.py run --bootstrap "$BOOT" --prefix demo --seconds 86400 \
  >"$SLUICE_STATE/load.jsonl" 2>"$SLUICE_STATE/load.err" &
LOAD_PID=$!
echo "waiting for the four demo groups to commit…" >&2
for _ in $(seq 1 300); do grep -q '"ready"' "$SLUICE_STATE/load.jsonl" 2>/dev/null && break; sleep 0.1; done
"$BIN" --kafka "$BOOT" --view groups "$@"
