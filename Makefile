# `make demo` and `make test` do all set-up on a fresh Debian machine with Swift.
SWIFT ?= swift
SOURCES := Sources Tests Package.swift

.PHONY: demo test test-fast setup setup-test embed lint build build-release clean

demo: setup embed build-release
	./scripts/demo.sh .build/release/pleura

# The Slurm suites need a running single-node Slurm: started before the tests, stopped after
# whatever they return (scripts/slurm-up.sh installs it when missing).
test: setup-test embed lint
	$(SWIFT) build --build-tests
	./scripts/slurm-up.sh
	$(SWIFT) test --skip-build; status=$$?; ./scripts/slurm-down.sh; exit $$status

# Everything but the suites tagged `.slow` (training, mutation runs): the loop while working.
test-fast: setup-test embed
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip "$$(./scripts/slow-suites.sh)"

setup:
	./scripts/setup.sh

setup-test:
	./scripts/setup.sh --with-test-tools
	./scripts/setup-python-tools.sh

embed:
	./scripts/embed-resources.sh

lint:
	$(SWIFT) format lint --strict --recursive $(SOURCES)

build: setup embed
	$(SWIFT) build

build-release: setup embed
	$(SWIFT) build -c release

clean:
	rm -rf .build pleura-catalog demo-output
