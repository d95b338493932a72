#!/usr/bin/env bash
# See kafka_cli.py: Kafka's kafka-topics.sh, as librdkafka's test suite uses it.
exec "${COMPAT_PYTHON:-python3}" "$(dirname "$0")/kafka_cli.py" kafka-topics.sh "$@"
