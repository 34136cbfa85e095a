# GNNScale. `make run` trains on the embedded default; `make test` runs every test.
GO       ?= go
PKGS     ?= ./...
# Tests that need ../shared/datasets find them here; CI sets GNNSCALE_REQUIRE_DATASETS=1.
export GNNSCALE_DATASETS ?= $(abspath ../shared/datasets)
export CGO_ENABLED ?= 1

.PHONY: all build run test test-short lint bench deps proto clean

all: build

deps:
	@scripts/deps.sh test

build:
	@scripts/deps.sh build
	$(GO) build $(PKGS)
	$(GO) build -o bin/ ./cmd/...

# The main job: the default config on a generated graph, in one process.
run: build
	./bin/trainer $(ARGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

test: deps lint
	$(GO) test -race -timeout 45m $(PKGS)

test-short:
	$(GO) test -short $(PKGS)

# Benchmarks side by side with their peers; results go to docs/BENCHMARKS.md.
bench:
	@scripts/deps.sh bench
	bench/run.sh

proto:
	@scripts/deps.sh proto
	$(GO) generate ./pkg/rpc/...

clean:
	rm -rf bin
