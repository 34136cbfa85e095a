# GNNScale. `make run` trains on the embedded default; `make test` runs every test.
GO       ?= go
PKGS     ?= ./...
# Tests that need ../shared/datasets find them here; CI sets GNNSCALE_REQUIRE_DATASETS=1.
export GNNSCALE_DATASETS ?= $(abspath ../shared/datasets)
export CGO_ENABLED ?= 1

.PHONY: all build run test test-short lint bench deps proto static images compose compose-test clean

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
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# -timeout: the slowest package takes about 3 minutes under -race; a hung
# test fails its package after 20 (with every goroutine's stack) instead of
# eating most of CI's time.
test: deps lint
	$(GO) test -race -timeout 20m $(PKGS)

test-short:
	$(GO) test -short $(PKGS)

# Benchmarks side by side with their peers; results go to docs/BENCHMARKS.md.
bench:
	@scripts/deps.sh bench
	bench/run.sh

# Static binaries for the container images (docker/Dockerfile, FROM
# scratch): the servers and gnnctl in pure Go, the trainer with
# OpenBLAS linked in statically, and etcd v3.7.3 for the compose cluster
# (built from its own module in deploy/etcd: GNNScale's binaries link only
# etcd's client).
static:
	@scripts/deps.sh build
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/static/ ./cmd/featurestore ./cmd/graphstore ./cmd/gnnctl
	$(GO) build -trimpath -tags netgo,osusergo -ldflags '-linkmode external -extldflags "-static"' -o bin/static/ ./cmd/trainer
	cd deploy/etcd && CGO_ENABLED=0 $(GO) build -trimpath -o ../../bin/static/etcd go.etcd.io/etcd/server/v3

images: static
	docker-compose --profile tools build

# The cluster on this Docker host (docker-compose.yml): two feature-server
# replicas, two graph-server shards and a trainer training make run's job
# from them; exits with the trainer's status.
compose: images
	docker-compose up --exit-code-from trainer

# The compose launch end to end under a throwaway project (scripts/compose_smoke.sh).
compose-test:
	scripts/compose_smoke.sh

proto:
	@scripts/deps.sh proto
	$(GO) generate ./pkg/rpc/...

clean:
	rm -rf bin
