#!/usr/bin/env bash
# make bench: Sluice's measurements beside the peer's, same machine, same run, printed as a table.
#   1. model apply+derive on a synthetic cluster (1,000 groups over 10,000 partitions)
#   2. frame render of a 10,000-row view
#   3. a full refresh against tansu seeded with 1,000 groups, beside a confluent-kafka script
#      computing the same lag (3 alternating rounds, medians)
#   4. the console (release build) under tmux: CPU and RSS while idle on the 1,000-group cluster
#      and on a small one (4 groups)
#   5. Flink 2.3: a reading's cost (requests, ms) for 1 job × 10 vertices and for 50 jobs, and how
#      fast the console answers keys while a savepoint is in progress
#   6. recordings: size per minute at the demo load (sluice record, 60 s) and at 1,000 groups,
#      the writer's CPU on real 1,000-group readings, seek to the end of 1-hour recordings, and
#      headless export speed
#   7. the embedded engine beside tansu, each measured by the same clients in the same run:
#      SluiceBench's pipelining client (produce 1 KB records with acks=all, p99 produce latency,
#      consume; 3 alternating rounds, medians) and confluent-kafka from Python (1 round, where
#      the Python client itself is the limit); compressed produce (none, lz4, zstd; 3 rounds)
#   8. compaction of a 1 GB lz4-compressed topic (the engine's log in-process)
#   9. engine jobs beside Flink 2.3: a keyed 1 s tumbling count over 20M generated events at
#      parallelism 2 (3 alternating rounds, medians; events per CPU second: the engine process
#      against Flink's TaskManager), the same job over 5M JSON records in an engine topic, and
#      the REST reading cost of engine jobs (1 job × 10 vertices, 50 jobs); the same count
#      checkpointed every 1 s (its throughput cost, engine and Flink)
#  10. keyed state of 1M keys, engine beside Flink 2.3 through the same REST script
#      (Benchmarks/state_bench.py): checkpoint duration and size, savepoint time and size on disk,
#      restore time from the savepoint and from the latest checkpoint
#  11. change capture from Postgres 15 into the engine (Benchmarks/capture_bench.py, confluent-kafka
#      reading): changes per second, and commit → topic → consumer latency at 5,000 changes/s
set -euo pipefail
cd "$(dirname "$0")/.."
export SLUICE_STATE="$(mktemp -d /tmp/sluice-bench.XXXXXX)"
export KAFKA_PORT="${KAFKA_PORT:-$(( 20000 + RANDOM % 20000 ))}"
SMALL_PORT=$(( KAFKA_PORT + 1 ))
BROKER_PORT=$(( KAFKA_PORT + 2 ))
ENGINE_PORT=$(( KAFKA_PORT + 3 ))
PG_PORT=$(( 45000 + RANDOM % 4000 ))
export FLINK_REST_PORT="${FLINK_REST_PORT:-$(( 40000 + RANDOM % 10000 ))}"
export FLINK_RPC_PORT="${FLINK_RPC_PORT:-$(( 50000 + RANDOM % 10000 ))}"
OUT="$SLUICE_STATE/results.jsonl"
TMUX_SOCKET="sluice-bench-$$"
cleanup() {
  set +e
  tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
  [[ -n "${LOAD_PID:-}" ]] && kill -TERM "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  scripts/kafka-peer.sh stop
  KAFKA_PORT=$SMALL_PORT SLUICE_STATE="$SLUICE_STATE/small" scripts/kafka-peer.sh stop
  KAFKA_PORT=$BROKER_PORT SLUICE_STATE="$SLUICE_STATE/brokers" scripts/kafka-peer.sh stop
  KAFKA_PORT=$ENGINE_PORT SLUICE_STATE="$SLUICE_STATE/brokers" SLUICE_BIN="${BIN:-}/sluice" scripts/engine-peer.sh stop
  KAFKA_PORT=$ENGINE_PORT SLUICE_STATE="$SLUICE_STATE/jobs" SLUICE_BIN="${BIN:-}/sluice" scripts/engine-peer.sh stop
  scripts/flink-peer.sh stop
  PG_PORT=$PG_PORT scripts/postgres-peer.sh clean
}
trap cleanup EXIT
say() { echo "[bench] $*" >&2; }

say "building release"
swift build -c release --product sluice >/dev/null
swift build -c release --product SluiceBench >/dev/null
BIN="$(swift build -c release --show-bin-path)"

say "model and render"
"$BIN/SluiceBench" model | tee -a "$OUT" >&2
"$BIN/SluiceBench" render | tee -a "$OUT" >&2
say "recordings: size, seek and export (synthetic clusters)"
"$BIN/SluiceBench" recording | tee -a "$OUT" >&2

say "broker with 1,000 groups over 10,000 partitions (seeding takes about a minute)"
BOOT="$(scripts/kafka-peer.sh start)"
scripts/kafka-peer.sh python Benchmarks/seed_cluster.py --bootstrap "$BOOT" 2>&1 | tail -1 >&2
for round in 1 2 3; do
  "$BIN/SluiceBench" refresh "$BOOT" 7 | tee -a "$OUT" >&2
  scripts/kafka-peer.sh python Benchmarks/confluent_lag.py --bootstrap "$BOOT" --cycles 3 | tee -a "$OUT" >&2
done
"$BIN/SluiceBench" recording-live "$BOOT" | tee -a "$OUT" >&2

# CPU% and RSS of a console left alone for SECONDS after a warm-up; EXTRA flags go to sluice.
# The refresh interval the header shows at the end is recorded beside them.
console_idle() {
  local boot="$1" label="$2" extra="${3:-}" seconds=60
  tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
  tmux -L "$TMUX_SOCKET" new-session -d -s t -x 160 -y 45 "env TERM=tmux-256color LANG=C.UTF-8 $BIN/sluice --kafka $boot --view groups $extra"
  sleep 10
  local pid; pid="$(pgrep -nf "^$BIN/sluice --kafka $boot")"
  local t0 t1; t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  sleep "$seconds"
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  local hz; hz=$(getconf CLK_TCK)
  local refresh; refresh="$(tmux -L "$TMUX_SOCKET" capture-pane -p | head -1 | grep -o '⟳ [0-9.]*s\( auto\)\?' | sed 's/⟳ //')"
  python3 -c "import json; print(json.dumps({'bench': 'console_idle', 'cluster': '$label', 'refresh': '$refresh', 'pinned': bool('$extra'), 'cpu_percent': ($t1-$t0)*100.0/$hz/$seconds, 'rss_mb': $rss/1024.0, 'seconds': $seconds}))" | tee -a "$OUT" >&2
  tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
}
say "console idle on the 1,000-group cluster, default refresh (70 s)"
console_idle "$BOOT" "1000 groups / 10,000 partitions"
say "console idle on the 1,000-group cluster, refresh pinned at 2 s (70 s)"
console_idle "$BOOT" "1000 groups / 10,000 partitions" "--refresh 2"

say "console idle on a small cluster: 4 groups, 200 msg/s (70 s)"
SMALL="$(KAFKA_PORT=$SMALL_PORT SLUICE_STATE="$SLUICE_STATE/small" scripts/kafka-peer.sh start)"
scripts/kafka-peer.sh python scripts/kafka-load.py run --bootstrap "$SMALL" --prefix bench --seconds 600 \
  >"$SLUICE_STATE/load.jsonl" 2>/dev/null &
LOAD_PID=$!
for _ in $(seq 1 600); do grep -q '"ready"' "$SLUICE_STATE/load.jsonl" 2>/dev/null && break; sleep 0.1; done
console_idle "$SMALL" "4 groups / 12 partitions"

say "Flink 2.3: reading cost and key latency during a savepoint"
FLINK="$(scripts/flink-peer.sh start)"
JAR="$(scripts/flink-peer.sh build-job)"
"$BIN/SluiceBench" flink "$FLINK" "$JAR" | tee -a "$OUT" >&2
BP="$(XDG_STATE_HOME="$SLUICE_STATE" "$BIN/sluice" job run "$JAR" -p 2 --flink "$FLINK" -- --name bench-bp --rate 2000 --slowMs 8)"
python3 Benchmarks/key_latency.py --sluice "$BIN/sluice" --flink "$FLINK" --job bench-bp --state "$SLUICE_STATE" | tee -a "$OUT" >&2
say "sluice record at the demo load: 4 groups at 200 msg/s and a Flink job, default refresh (60 s)"
"$BIN/sluice" record -o "$SLUICE_STATE/demo.jsonl.gz" --kafka "$SMALL" --flink "$FLINK" --duration 60s 2>/dev/null
python3 -c "import json, os; print(json.dumps({'bench': 'recording_demo', 'bytes_per_min': os.path.getsize('$SLUICE_STATE/demo.jsonl.gz')}))" \
  | tee -a "$OUT" >&2
"$BIN/sluice" job cancel "$BP" --flink "$FLINK" >/dev/null || true

say "embedded engine beside tansu: produce, latency and consume with confluent-kafka"
kill -TERM "$LOAD_PID" 2>/dev/null; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
scripts/kafka-peer.sh stop
KAFKA_PORT=$SMALL_PORT SLUICE_STATE="$SLUICE_STATE/small" scripts/kafka-peer.sh stop
scripts/flink-peer.sh stop
TANSU="$(KAFKA_PORT=$BROKER_PORT SLUICE_STATE="$SLUICE_STATE/brokers" scripts/kafka-peer.sh start)"
ENGINE="$(KAFKA_PORT=$ENGINE_PORT SLUICE_STATE="$SLUICE_STATE/brokers" SLUICE_BIN="$BIN/sluice" scripts/engine-peer.sh start)"
for round in 1 2 3; do
  "$BIN/SluiceBench" broker "$TANSU" tansu 200000 | tee -a "$OUT" >&2
  "$BIN/SluiceBench" broker "$ENGINE" engine 200000 | tee -a "$OUT" >&2
done
scripts/kafka-peer.sh python Benchmarks/broker_bench.py --bootstrap "$TANSU" --label tansu --records 100000 | tee -a "$OUT" >&2
scripts/kafka-peer.sh python Benchmarks/broker_bench.py --bootstrap "$ENGINE" --label engine --records 100000 | tee -a "$OUT" >&2
say "compressed produce (none, lz4, zstd) beside tansu, and compaction of a 1 GB lz4 topic"
for round in 1 2 3; do
  scripts/kafka-peer.sh python Benchmarks/codec_bench.py --bootstrap "$TANSU" --label tansu --records 200000 | tee -a "$OUT" >&2
  scripts/kafka-peer.sh python Benchmarks/codec_bench.py --bootstrap "$ENGINE" --label engine --records 200000 | tee -a "$OUT" >&2
done
"$BIN/SluiceBench" compaction 1 lz4 | tee -a "$OUT" >&2

say "engine jobs beside Flink 2.3: keyed 1 s tumbling count (3 rounds), the same from a topic, REST reading cost"
FLINK="$(scripts/flink-peer.sh start)"
for round in 1 2 3; do
  "$BIN/SluiceBench" window-count 20000000 generator | tee -a "$OUT" >&2
  python3 Benchmarks/flink_window_bench.py --flink "$FLINK" --jar "$JAR" --events 20000000 | tee -a "$OUT" >&2
done
# The cost of checkpointing every 1 s: runs long enough for several checkpoints, with and
# without, back to back in pairs (the cost is each pair's ratio; the median is reported).
for round in 1 2 3; do
  "$BIN/SluiceBench" window-count 80000000 generator 0 | sed 's/"checkpoint_ms":0/"checkpoint_ms":0,"pair":'$round'/' | tee -a "$OUT" >&2
  "$BIN/SluiceBench" window-count 80000000 generator 1000 | sed 's/"checkpoint_ms":1000/"checkpoint_ms":1000,"pair":'$round'/' | tee -a "$OUT" >&2
done
for round in 1 2; do
  python3 Benchmarks/flink_window_bench.py --flink "$FLINK" --jar "$JAR" --events 40000000 --pair $round | tee -a "$OUT" >&2
  python3 Benchmarks/flink_window_bench.py --flink "$FLINK" --jar "$JAR" --events 40000000 --checkpoint-ms 1000 --pair $round | tee -a "$OUT" >&2
done
say "keyed state of 1M keys: checkpoint, savepoint, restore (Flink 2.3, then the engine)"
python3 Benchmarks/state_bench.py --rest "$FLINK" --label flink --jar "$JAR" --dir "$SLUICE_STATE/state-bench" | tee -a "$OUT" >&2
scripts/flink-peer.sh stop
"$BIN/SluiceBench" window-count 5000000 topic | tee -a "$OUT" >&2
REST_PORT=$(( ENGINE_PORT + 10 ))
KAFKA_PORT=$ENGINE_PORT SLUICE_STATE="$SLUICE_STATE/brokers" SLUICE_BIN="$BIN/sluice" scripts/engine-peer.sh stop
KAFKA_PORT=$ENGINE_PORT REST_PORT=$REST_PORT SLUICE_STATE="$SLUICE_STATE/jobs" SLUICE_BIN="$BIN/sluice" scripts/engine-peer.sh start >/dev/null
"$BIN/SluiceBench" engine-rest "http://127.0.0.1:$REST_PORT" scripts/flink-job/sluice-test-job.yaml | tee -a "$OUT" >&2
python3 Benchmarks/state_bench.py --rest "http://127.0.0.1:$REST_PORT" --label engine --dir "$SLUICE_STATE/state-bench" | tee -a "$OUT" >&2
say "change capture from Postgres 15: changes per second, commit-to-topic latency at 5,000 changes/s"
PG_PORT=$PG_PORT scripts/postgres-peer.sh start >/dev/null
scripts/kafka-peer.sh python Benchmarks/capture_bench.py --pg-port "$PG_PORT" --bootstrap "127.0.0.1:$ENGINE_PORT" \
  --rest "http://127.0.0.1:$REST_PORT" --sluice "$BIN/sluice" | tee -a "$OUT" >&2
PG_PORT=$PG_PORT scripts/postgres-peer.sh clean
KAFKA_PORT=$ENGINE_PORT SLUICE_STATE="$SLUICE_STATE/jobs" SLUICE_BIN="$BIN/sluice" scripts/engine-peer.sh stop

python3 Benchmarks/table.py "$OUT"
