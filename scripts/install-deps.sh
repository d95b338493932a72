#!/usr/bin/env bash
# Installs the system packages Sluice needs to build and test, when they are missing.
# `install-deps.sh demo`: only what `make demo` needs (no Java unless SLUICE_DEMO_FLINK=1).
set -euo pipefail
for_demo=0; [[ "${1:-}" == demo ]] && for_demo=1
need=()
dpkg -s libncursesw5-dev >/dev/null 2>&1 || need+=(libncursesw5-dev)
# zlib for gzip-compressed recordings (docs/recording.md).
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
# The other codecs of Kafka's record batches (docs/engine.md, Compression).
for pkg in liblz4-dev libzstd-dev libsnappy-dev; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
command -v curl >/dev/null 2>&1 || need+=(curl)
# Apache Flink (the Flink peer in tests) runs on Java 17; the test job is compiled with javac.
if (( !for_demo )) || [[ "${SLUICE_DEMO_FLINK:-0}" == 1 || "${SLUICE_DEMO_BROKER:-}" == tansu ]]; then
  command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
fi
if (( !for_demo )); then
  command -v tmux >/dev/null 2>&1 || need+=(tmux)
  # Debian's kcat (librdkafka 2.0.2) is one of the real clients the engine is tested with.
  command -v kcat >/dev/null 2>&1 || need+=(kcat)
  # librdkafka's own test suite (scripts/compat.sh) is built from Debian's source with these.
  command -v g++ >/dev/null 2>&1 || need+=(g++)
  command -v make >/dev/null 2>&1 || need+=(make)
  # A private Postgres 15 cluster (scripts/postgres-peer.sh) for the upsert sink's tests.
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || need+=(postgresql-15 postgresql-client-15)
fi
if ((${#need[@]})); then
  echo "installing: ${need[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
command -v swift >/dev/null 2>&1 || [[ -x /opt/swift/usr/bin/swift ]] || { echo "swift not found: install Swift 6.1+ (https://swift.org/install)" >&2; exit 1; }
