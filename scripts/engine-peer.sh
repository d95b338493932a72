#!/usr/bin/env bash
# The embedded engine (`sluice engine`) as a test peer, with the same interface as
# kafka-peer.sh, so the console's integration and UI tests run against it as against tansu.
#
#   scripts/engine-peer.sh start | stop | status
#
# Data, pid and log live in $SLUICE_STATE/engine (default /tmp/sluice-dev/engine); KAFKA_PORT
# (default 19092); REST_PORT, when set, serves the engine's jobs' REST API (Flink's paths) there.
# The binary is $SLUICE_BIN or .build/debug/sluice (build it first).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="${SLUICE_STATE:-/tmp/sluice-dev}/engine"
PORT="${KAFKA_PORT:-19092}"
BIN="${SLUICE_BIN:-$PWD/.build/debug/sluice}"
PIDFILE="$STATE/engine.pid"
LOG="$STATE/engine.log"
say() { echo "[engine-peer] $*" >&2; }

pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local p; p="$(cat "$PIDFILE")"
  kill -0 "$p" 2>/dev/null && echo "$p" || true
}

case "${1:-}" in
  start)
    [[ -x "$BIN" ]] || { say "no sluice binary at $BIN: run swift build first"; exit 1; }
    if [[ -n "$(pid)" ]]; then echo "127.0.0.1:$PORT"; exit 0; fi
    mkdir -p "$STATE"
    before=$(grep -c 'msg="engine started"' "$LOG" 2>/dev/null || true)
    rest=()
    [[ -n "${REST_PORT:-}" ]] && rest=(--rest-listen "127.0.0.1:$REST_PORT")
    "$BIN" engine --data-dir "$STATE/data" --kafka-listen "127.0.0.1:$PORT" "${rest[@]}" >>"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 300); do
      now=$(grep -c 'msg="engine started"' "$LOG" 2>/dev/null || true)
      (( now > before )) && { say "engine on 127.0.0.1:$PORT (log $LOG)"; echo "127.0.0.1:$PORT"; exit 0; }
      kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -20 "$LOG" >&2; say "engine exited"; exit 1; }
      sleep 0.1
    done
    say "engine not listening after 30 s"; tail -20 "$LOG" >&2; exit 1 ;;
  stop)
    p="$(pid)"
    if [[ -n "$p" ]]; then
      kill -TERM "$p"
      for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    fi
    rm -f "$PIDFILE" ;;
  status) [[ -n "$(pid)" ]] && echo "running on 127.0.0.1:$PORT" || { echo "stopped"; exit 1; } ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
