#!/usr/bin/env bash
# make test: unit tests, then integration and tmux UI tests against real peers: a Kafka-protocol
# broker (tansu) with a load generator making four groups (caught up, lagging, stopped,
# rebalancing), an Apache Flink 2.3 session cluster with the project's test job, and the
# embedded engine (`sluice engine`) driven by confluent-kafka and kcat; then the console's Kafka
# integration and UI tests once more, against the engine with the same load.
#
# With CI=true a peer that cannot start fails the run; otherwise the integration tests are
# reported as skipped (never silently passed).
set -euo pipefail
cd "$(dirname "$0")/.."
# Runtime state of this run only (pid files, logs); the peer install is cached separately.
export SLUICE_STATE="$(mktemp -d /tmp/sluice-test.XXXXXX)"
export KAFKA_PORT="${KAFKA_PORT:-$(( 20000 + RANDOM % 20000 ))}"
export FLINK_REST_PORT="${FLINK_REST_PORT:-$(( 40000 + RANDOM % 10000 ))}"
export FLINK_RPC_PORT="${FLINK_RPC_PORT:-$(( 50000 + RANDOM % 10000 ))}"
ENGINE_PORT="${ENGINE_PORT:-$(( 30000 + RANDOM % 10000 ))}"
ENGINE_REST_PORT="${ENGINE_REST_PORT:-$(( ENGINE_PORT + 1 ))}"
LOAD_PID=""
stop_load() {
  [[ -n "$LOAD_PID" ]] && kill -TERM "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  LOAD_PID=""
}
cleanup() {
  local status=$?
  set +e
  # A failed run shows what its peers logged last (a peer that died says why here), before the
  # state directory goes.
  if (( status != 0 )); then
    for log in "$SLUICE_STATE"/*/engine.log; do
      [[ -f "$log" ]] || continue
      echo "== last lines of $log" >&2
      grep -nE 'Fatal error|Crash|fatal|level=critical|Stack dump' "$log" | tail -20 >&2
      tail -40 "$log" >&2
    done
  fi
  stop_load
  scripts/kafka-peer.sh stop
  KAFKA_PORT="$ENGINE_PORT" scripts/engine-peer.sh stop
  scripts/flink-peer.sh stop
  rm -rf "$SLUICE_STATE"
}
trap cleanup EXIT

echo "== layering" >&2
bash scripts/check-layers.sh

echo "== build" >&2
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift build --build-tests >/dev/null   # fail here if the build failed

echo "== unit tests" >&2
swift test --skip-build --skip IntegrationTests --skip ConsoleUITests --skip RequestFuzzTests
# Alone, so its busy cores do not slow the timing checks of the unit tests above.
echo "== request fuzzing (${SLUICE_FUZZ_SECONDS:-5} s per target)" >&2
swift test --skip-build --filter RequestFuzzTests

echo "== peers: tansu on 127.0.0.1:$KAFKA_PORT" >&2
# Starts the load generator against $1 and waits until its groups exist.
start_load() {
  mkdir -p "$SLUICE_STATE"
  scripts/kafka-peer.sh python scripts/kafka-load.py run --bootstrap "$1" --prefix it --seconds 1500 \
    >"$SLUICE_STATE/load.jsonl" 2>"$SLUICE_STATE/load.err" &
  LOAD_PID=$!
  for _ in $(seq 1 600); do
    grep -q '"ready"' "$SLUICE_STATE/load.jsonl" 2>/dev/null && return 0
    kill -0 "$LOAD_PID" 2>/dev/null || { cat "$SLUICE_STATE/load.err" >&2; echo "load generator died" >&2; exit 1; }
    sleep 0.1
  done
  echo "load generator not ready after 60 s" >&2; exit 1
}

# confluent-kafka (and the venv it lives in) is what the engine's client tests drive.
if PY="$(scripts/kafka-peer.sh venv-python)"; then
  export SLUICE_TEST_PYTHON="$PY" SLUICE_TEST_ASCIINEMA="$(dirname "$PY")/asciinema"
elif [[ "${CI:-}" == "true" ]]; then
  echo "FAIL: confluent-kafka could not be installed; the client tests cannot run" >&2
  exit 1
fi

if BOOT="$(scripts/kafka-peer.sh start)"; then
  export SLUICE_TEST_KAFKA="$BOOT"
  start_load "$BOOT"
  export SLUICE_TEST_PREFIX=it
elif [[ "${CI:-}" == "true" ]]; then
  echo "FAIL: the Kafka peer (tansu) could not start; integration tests cannot run" >&2
  exit 1
else
  echo "WARNING: Kafka peer unavailable; integration tests will report as skipped" >&2
fi

echo "== peers: Flink 2.3 on 127.0.0.1:$FLINK_REST_PORT" >&2
if FLINK="$(scripts/flink-peer.sh start)" && JOB_JAR="$(scripts/flink-peer.sh build-job)"; then
  export SLUICE_TEST_FLINK="$FLINK" SLUICE_TEST_FLINK_JAR="$JOB_JAR"
elif [[ "${CI:-}" == "true" ]]; then
  echo "FAIL: the Flink peer could not start; Flink integration tests cannot run" >&2
  exit 1
else
  echo "WARNING: Flink peer unavailable; Flink integration tests will report as skipped" >&2
fi

# One after the other: the UI tests create groups that would change what the integration tests count.
echo "== integration tests" >&2
# ReplayFrameTests records the engine and Flink (as make demo runs them): it runs in the engine phase.
swift test --skip-build --filter IntegrationTests --skip IntegrationTests.ReplayFrameTests
echo "== UI tests (tmux)" >&2
swift test --skip-build --filter ConsoleUITests

# The console attaches to the embedded engine with no special case: the same Kafka suites again.
echo "== engine on 127.0.0.1:$ENGINE_PORT: console integration and UI tests" >&2
if [[ -n "${SLUICE_TEST_KAFKA:-}" ]]; then
  stop_load
  scripts/kafka-peer.sh stop
fi
if ENGINE="$(KAFKA_PORT="$ENGINE_PORT" REST_PORT="$ENGINE_REST_PORT" scripts/engine-peer.sh start)"; then
  export SLUICE_TEST_KAFKA="$ENGINE" SLUICE_TEST_PREFIX=it SLUICE_TEST_PEER_SCRIPT=scripts/engine-peer.sh
  start_load "$ENGINE"
  swift test --skip-build --filter 'IntegrationTests.LagAgreementTests'
  swift test --skip-build --filter 'IntegrationTests.ReplayFrameTests'
  swift test --skip-build --filter 'ConsoleUITests.ConsoleUITests/'
  # The Flink connector's tests, unchanged, against the engine's own jobs (its REST API;
  # scripts/flink-job/sluice-test-job.yaml mirrors the Flink test job's graph and arguments): every
  # Flink integration and UI test — backpressure and its bottleneck, checkpoints that expire with
  # Flink's cause, bad input, and job control (run, savepoint, stop with savepoint, resume with
  # state, cancel) through the CLI and from the keyboard under tmux.
  SLUICE_TEST_FLINK="http://127.0.0.1:$ENGINE_REST_PORT" SLUICE_TEST_FLINK_JAR="$PWD/scripts/flink-job/sluice-test-job.yaml" \
    swift test --skip-build --filter 'IntegrationTests.(FlinkPollerTests|FlinkJobTests)'
  SLUICE_TEST_FLINK="http://127.0.0.1:$ENGINE_REST_PORT" SLUICE_TEST_FLINK_JAR="$PWD/scripts/flink-job/sluice-test-job.yaml" \
    swift test --skip-build --filter 'ConsoleUITests.FlinkUITests'
else
  echo "FAIL: the engine could not start" >&2
  exit 1
fi

# librdkafka's own integration tests (Debian's librdkafka 2.0.2 source, built once and cached):
# a short list of them against a fresh engine of their own; `make compat` runs the whole suite.
echo "== librdkafka's test suite against the engine (quick list; make compat runs all)" >&2
stop_load
SLUICE_BIN="$PWD/.build/debug/sluice" scripts/compat.sh --quick
