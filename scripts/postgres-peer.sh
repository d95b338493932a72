#!/usr/bin/env bash
# A private PostgreSQL 15 cluster (Debian's postgresql-15) as a test peer: its own data
# directory, port and socket directory, `wal_level=logical` (for change capture), password
# authentication (SCRAM-SHA-256, Postgres 15's default) for the superuser sluice/sluice.
#
#   scripts/postgres-peer.sh start | stop | status | psql [ARGS…]
#
# start prints the DSN (postgres://sluice:sluice@127.0.0.1:PORT/sluice). PG_PORT (default 25432);
# PG_WAL_LEVEL (default logical) when the cluster is first made;
# the cluster lives in $SLUICE_PG_DIR (default /tmp/sluice-postgres-PORT: outside private
# temporary directories, since the server runs as the postgres user when started by root).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PG_PORT:-25432}"
DIR="${SLUICE_PG_DIR:-/tmp/sluice-postgres-$PORT}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
DSN="postgres://sluice:sluice@127.0.0.1:$PORT/sluice"
say() { echo "[postgres-peer] $*" >&2; }

# Root cannot run Postgres: the server runs as the postgres user the Debian package creates.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

install() {
  [[ -x "$PGBIN/postgres" ]] && return 0
  say "installing postgresql-15 (Debian)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 postgresql-client-15 >&2
  [[ -x "$PGBIN/postgres" ]] || { say "postgresql-15 did not install $PGBIN/postgres"; exit 1; }
}

running() { [[ -f "$DIR/data/postmaster.pid" ]] && as_pg "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    install
    if running; then echo "$DSN"; exit 0; fi
    if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
      rm -rf "$DIR"; mkdir -p "$DIR"
      echo sluice >"$DIR/pw"
      [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$DIR"
      as_pg "$PGBIN/initdb" -D "$DIR/data" -U sluice --pwfile="$DIR/pw" --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; say "initdb failed"; exit 1; }
      cat >>"$DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
wal_level = ${PG_WAL_LEVEL:-logical}
max_wal_senders = 10
max_replication_slots = 10
# A test peer: the engine, not Postgres, is what the tests crash.
fsync = off
synchronous_commit = off
EOF
    fi
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start >/dev/null || { tail -20 "$DIR/postgres.log" >&2; say "postgres did not start"; exit 1; }
    as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -U sluice -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'sluice'" | grep -q 1 ||
      as_pg "$PGBIN/psql" -h "$DIR" -p "$PORT" -U sluice -d postgres -qc "CREATE DATABASE sluice" >/dev/null
    say "postgres 15 on 127.0.0.1:$PORT (log $DIR/postgres.log)"
    echo "$DSN" ;;
  stop)
    if running; then as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true; fi ;;
  clean)
    "$0" stop; rm -rf "$DIR" ;;
  status) running && echo "running on 127.0.0.1:$PORT" || { echo "stopped"; exit 1; } ;;
  psql) shift; exec env PGPASSWORD=sluice "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U sluice -d sluice -v ON_ERROR_STOP=1 "$@" ;;
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
