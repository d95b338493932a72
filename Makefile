# Sluice — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: build release test unit fuzz layers integration deps demo bench clean

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

demo: deps
	bash scripts/demo.sh

bench: deps
	bash Benchmarks/run.sh

clean:
	rm -rf .build
