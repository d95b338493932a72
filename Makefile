# Sluice — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: build release test unit fuzz layers integration deps demo bench compat clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Unit tests, then integration and tmux UI tests against a real Kafka-protocol broker (tansu).
test: deps
	bash scripts/test.sh

# The module layering (docs/architecture.md): which module may import which.
layers:
	bash scripts/check-layers.sh

unit: layers
	$(SWIFT) test --skip IntegrationTests --skip ConsoleUITests --skip RequestFuzzTests

# The request decoders and a live broker fed mutated requests (SLUICE_FUZZ_SECONDS per target).
fuzz:
	$(SWIFT) test --filter RequestFuzzTests

# The engine with load and its sample jobs, and the console on them (no Java; SLUICE_DEMO_FLINK=1 adds Flink).
demo:
	@bash scripts/install-deps.sh demo
	bash scripts/demo.sh

# librdkafka 2.0.2's own test suite against a fresh engine (scripts/compat.sh; TESTS="0044 0081" for some).
compat: deps build
	bash scripts/compat.sh $(TESTS)

bench: deps
	bash Benchmarks/run.sh

clean:
	rm -rf .build
