#!/usr/bin/env bash
# A real Apache Flink 2.3.0 session cluster (1 JobManager, 1 TaskManager) for tests and the demo,
# assembled from the PyPI wheels apache-flink-libraries and apache-flink (Java 17 runs it).
#
#   scripts/flink-peer.sh install | start | stop | status | build-job | rest PATH
#
# The install (FLINK_HOME) is shared and cached in $SLUICE_PEERS_HOME (default
# ~/.cache/sluice-peers); a running cluster's config, pids, logs, uploads, checkpoints and
# savepoints live in $SLUICE_STATE/flink (default /tmp/sluice-dev/flink), so test runs never touch
# a dev cluster. FLINK_REST_PORT (default 18081); FLINK_RPC_PORT (default 16123); FLINK_TM_SLOTS
# (default 8: test suites run side by side, each with a job or two at parallelism 2).
# `start` prints the REST base URL; `build-job` prints the path of the test job's jar.
set -euo pipefail
VERSION=2.3.0
CACHE="${SLUICE_PEERS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-peers}/flink"
FLINK_HOME="$CACHE/flink-$VERSION"
STATE="${SLUICE_STATE:-/tmp/sluice-dev}/flink"
REST_PORT="${FLINK_REST_PORT:-18081}"
RPC_PORT="${FLINK_RPC_PORT:-16123}"
SLOTS="${FLINK_TM_SLOTS:-8}"
REST="http://127.0.0.1:$REST_PORT"
JOB_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/flink-job/src"
say() { echo "[flink-peer] $*" >&2; }
die() { say "$*"; exit 1; }

export FLINK_IDENT_STRING=sluice FLINK_CONF_DIR="$STATE/conf" FLINK_LOG_DIR="$STATE/log" FLINK_PID_DIR="$STATE/run"

install() {
  [[ -f "$FLINK_HOME/.installed" ]] && return 0
  command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jdk-headless)"
  mkdir -p "$CACHE/wheels"
  # Only the Java side is used, so the wheel's Python version and platform do not matter.
  python3 -m pip download --disable-pip-version-check -q --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --python-version 3.11 -d "$CACHE/wheels" \
    "apache-flink-libraries==$VERSION" "apache-flink==$VERSION" >&2
  local tmp="$CACHE/assembling.$$"
  rm -rf "$tmp"
  # pyflink/{lib,opt,plugins,bin,licenses} come from the libraries wheel, pyflink/{bin,conf} from the other.
  python3 - "$CACHE/wheels" "$tmp" "$VERSION" <<'PY'
import glob, os, shutil, sys, zipfile
wheels, dest, version = sys.argv[1:]
wanted = {"libraries": ("lib/", "opt/", "plugins/", "licenses/", "bin/"), "flink": ("bin/", "conf/")}
for kind, pattern in (("libraries", "apache_flink_libraries-%s-*.whl"), ("flink", "apache_flink-%s-*.whl")):
    found = glob.glob(os.path.join(wheels, pattern % version))
    if not found: sys.exit("wheel %s missing in %s" % (pattern % version, wheels))
    with zipfile.ZipFile(found[0]) as z:
        for member in z.infolist():
            rel = member.filename[len("pyflink/"):] if member.filename.startswith("pyflink/") else None
            if not rel or member.is_dir() or not rel.startswith(wanted[kind]): continue
            path = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(member) as src, open(path, "wb") as out: shutil.copyfileobj(src, out, 1 << 20)
PY
  chmod +x "$tmp"/bin/*.sh
  [[ -f "$tmp/lib/flink-dist-$VERSION.jar" && -x "$tmp/bin/jobmanager.sh" ]] || die "wheels did not hold a Flink distribution"
  rm -rf "$FLINK_HOME" && mv "$tmp" "$FLINK_HOME"
  rm -rf "$CACHE/wheels"   # 317 MB, not needed once assembled
  touch "$FLINK_HOME/.installed"
  say "installed Flink $VERSION in $FLINK_HOME"
}

# The cluster's own config dir: the distribution's log4j files plus a config.yaml for this state dir.
configure() {
  mkdir -p "$STATE"/{conf,log,run,tmp,upload,web,checkpoints,savepoints}
  cp "$FLINK_HOME"/conf/log4j*.properties "$FLINK_HOME"/conf/logback*.xml "$STATE/conf/" 2>/dev/null || true
  # Java 17 needs the distribution's --add-opens list; keep it.
  local opens
  opens="$(grep -m1 -E '^[[:space:]]+all:[[:space:]]+--add' "$FLINK_HOME/conf/config.yaml" | sed -E 's/^[[:space:]]+all:[[:space:]]+//')"
  [[ -n "$opens" ]] || die "no env.java.opts.all in $FLINK_HOME/conf/config.yaml"
  cat >"$STATE/conf/config.yaml" <<EOF
env.java.opts.all: $opens -Djava.io.tmpdir=$STATE/tmp
io.tmp.dirs: $STATE/tmp
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: localhost
jobmanager.memory.process.size: 1g
taskmanager.host: localhost
taskmanager.bind-host: localhost
taskmanager.numberOfTaskSlots: $SLOTS
taskmanager.memory.process.size: 1g
taskmanager.memory.managed.fraction: 0.05
taskmanager.network.memory.buffer-debloat.enabled: true
parallelism.default: 2
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $REST_PORT
web.upload.dir: $STATE/upload
web.tmpdir: $STATE/web
web.submit.enable: true
web.cancel.enable: true
metrics.fetcher.update-interval: 1s
state.backend.type: hashmap
execution.checkpointing.dir: file://$STATE/checkpoints
execution.checkpointing.savepoint-dir: file://$STATE/savepoints
EOF
}

# Live pids from our pid files whose command line names our FLINK_HOME.
pids() {
  local f p
  for f in "$STATE"/run/flink-sluice-*.pid; do
    [[ -f "$f" ]] || continue
    while read -r p; do
      [[ "$p" =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "$FLINK_HOME" && echo "$p"
    done <"$f"
  done
  return 0
}

ready() {
  # Ready = REST answers and the TaskManager's slots are registered.
  curl -sf --max-time 2 "$REST/overview" 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["slots-total"] >= '"$SLOTS"' else 1)' 2>/dev/null
}

start() {
  install
  if [[ -n "$(pids)" ]]; then ready && { echo "$REST"; return 0; }; fi
  (exec 3<>"/dev/tcp/127.0.0.1/$REST_PORT") 2>/dev/null && die "port $REST_PORT is taken by another process; set FLINK_REST_PORT"
  configure
  setsid "$FLINK_HOME/bin/jobmanager.sh" start >"$STATE/log/start.out" 2>&1 </dev/null
  setsid "$FLINK_HOME/bin/taskmanager.sh" start >>"$STATE/log/start.out" 2>&1 </dev/null
  for _ in $(seq 1 600); do
    ready && { echo "$REST"; return 0; }
    [[ -n "$(pids)" ]] || { tail -20 "$STATE"/log/*.log >&2 2>/dev/null; die "Flink exited during start"; }
    sleep 0.2
  done
  die "Flink not ready within 120 s; logs in $STATE/log"
}

stop() {
  local all; all="$(pids)"
  [[ -z "$all" ]] && return 0
  kill -TERM $all 2>/dev/null || true
  for _ in $(seq 1 150); do
    local alive=""
    for p in $all; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ -z "$alive" ]] && break
    sleep 0.1
  done
  kill -KILL $all 2>/dev/null || true
  rm -f "$STATE"/run/flink-sluice-*.pid
}

# Compiles the test job (scripts/flink-job) when a source is newer than its jar.
build_job() {
  install
  local out="$CACHE/job" jar="$CACHE/job/sluice-test-job.jar"
  if [[ ! -f "$jar" || -n "$(find "$JOB_SRC" -name '*.java' -newer "$jar")" ]]; then
    command -v javac >/dev/null || die "javac not found (apt-get install openjdk-17-jdk-headless)"
    rm -rf "$out/classes" && mkdir -p "$out/classes"
    javac -nowarn --release 17 -d "$out/classes" -cp "$FLINK_HOME/lib/*" $(find "$JOB_SRC" -name '*.java') >&2
    jar cfe "$jar.tmp" sluice.testjob.SluiceTestJob -C "$out/classes" . && mv "$jar.tmp" "$jar"
  fi
  echo "$jar"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if [[ -n "$(pids)" ]] && ready; then echo "$REST"; else echo "not running" >&2; exit 3; fi ;;
  build-job) build_job ;;
  rest) curl -sS --max-time 10 "$REST/${2#/}" ;;
  *) echo "usage: $0 install|start|stop|status|build-job|rest PATH" >&2; exit 2 ;;
esac
