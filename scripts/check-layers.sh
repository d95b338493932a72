#!/usr/bin/env bash
# The module layering of docs/architecture.md, checked on the imports of each module's sources.
# Prints every offending import (file:line) and fails; `make test` runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."

# module | imports it must not have (extended regex, whole module names) | why
rules=(
  "ConsoleModel|.+|the model is pure: it imports nothing"
  "Console|KafkaClient|FlinkClient|KafkaServer|EngineCore|StreamLog|KafkaFraming|NIO.*|AsyncHTTPClient|Terminal|CNCursesW|the console is handed sources and a screen; it builds no network client, server or engine and does not link ncurses"
  "Display|Terminal|CNCursesW|Console|ConsoleModel|the screen protocol and cells know nothing of ncurses or the console"
  "Services|Console|Terminal|CNCursesW|KafkaServer|EngineCore|services are shared by the console, the CLI and a REST server without the TUI or the engine"
  "Connectors|Console|Services|Terminal|CNCursesW|KafkaServer|EngineCore|sources sit below the console and its services"
  "KafkaServer|KafkaClient|Console|Connectors|the engine's Kafka front never imports the client"
  "EngineCore|KafkaServer|KafkaClient|KafkaFraming|Console|Connectors|the engine core does not know its fronts or the wire"
  "StreamLog|EngineCore|KafkaServer|KafkaClient|NIO.*|the log is files only"
  "RecordCodecs|StreamLog|EngineCore|KafkaServer|KafkaClient|NIO.*|codecs are pure functions over the system's compression libraries"
  "KafkaProtocol|NIO.*|KafkaClient|KafkaServer|EngineCore|the codec is pure"
  "Dataflow|Foundation|NIO.*|EngineCore|StreamLog|KafkaProtocol|KafkaServer|KafkaClient|Yams|DataflowRuntime|JobSpec|jobs' values, expressions and operators are pure: no Foundation, no engine, no I/O"
  "JobSpec|EngineCore|StreamLog|KafkaServer|KafkaClient|DataflowRuntime|NIO.*|a spec is read and checked without an engine"
  "DataflowRuntime|KafkaServer|KafkaClient|KafkaFraming|Console|Connectors|Services|JobSpec|jobs run on the engine in-process, never through the wire, and are handed checked definitions"
  "PostgresSink|KafkaServer|KafkaClient|EngineCore|StreamLog|Console|Connectors|Services|JobSpec|EngineREST|the Postgres sink sees records and its table only, through the runtime's ExternalSink seam"
  "PostgresCapture|KafkaServer|KafkaClient|DataflowRuntime|Console|Connectors|Services|JobSpec|EngineREST|capture writes the engine's log in-process, never through the wire"
  "PostgresAccess|Dataflow|DataflowRuntime|EngineCore|KafkaServer|Console|connecting to Postgres knows nothing of jobs or the engine"
  "EngineREST|KafkaServer|KafkaClient|FlinkClient|Console|Connectors|Services|Terminal|the REST front serves the shared wire types from the runtime; it never uses the client or the console"
  "FlinkWire|FlinkClient|AsyncHTTPClient|NIO.*|Flink's wire types carry no transport"
  "Recording|Console|Connectors|Services|KafkaClient|FlinkClient|Terminal|CNCursesW|a recording holds observations; it reads no cluster and draws nothing"
)

fail=0
for rule in "${rules[@]}"; do
  module="${rule%%|*}"
  rest="${rule#*|}"
  why="${rest##*|}"
  forbidden="${rest%|*}"
  dir="Sources/$module"
  [[ -d "$dir" ]] || { echo "check-layers: no module $module (rules out of date?)" >&2; fail=1; continue; }
  while IFS= read -r hit; do
    [[ -z "$hit" ]] && continue
    echo "layering: $hit — $module must not import this ($why)" >&2
    fail=1
  done < <(grep -rnE "^\s*(@testable |@_exported )?import ($forbidden)\s*$" "$dir" --include='*.swift' || true)
done
if ((fail)); then
  echo "check-layers: FAILED (see docs/architecture.md for the module map)" >&2
  exit 1
fi
echo "check-layers: every module imports only what its layer allows" >&2
