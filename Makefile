# Gatehouse — see README.md. `make run` and `make test` are the two commands.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ERRCHECK    := github.com/kisielk/errcheck@v1.30.0

.PHONY: build run test deps vet bench lint clean loadtest chaos cluster-test dist dist-check

## build: compile bin/gatehouse
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/gatehouse ./cmd/gatehouse

## run: start the provider on http://127.0.0.1:8080 with the embedded directory
run: build
	./bin/gatehouse serve --config conf/gatehouse.yaml

## deps: install the servers the tests talk to (Debian, as root)
deps:
	bash scripts/test-deps.sh

## vet: go vet every package
vet:
	$(GO) vet ./...

## test: install test dependencies, vet, then run every test with the race detector
test: deps vet
	$(GO) test -race -count=1 ./...

## bench: run the Go benchmarks
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

## loadtest: every load scenario against a private OpenLDAP and a fresh gatehouse; one table,
## with each rate as a ratio of the limit server's (a minimal RS256 token endpoint)
## (knobs: USERS, N, WORKERS, DURATION; see docs/performance.md)
loadtest: deps
	GO=$(GO) bash scripts/loadtest.sh

## chaos: the fault-injection suite under load — directory and Redis killed,
## stopped, slowed, cut (about 4 minutes; not part of make test)
chaos: deps
	mkdir -p bin
	$(GO) build -trimpath -o bin/gatehouse ./cmd/gatehouse
	$(GO) build -trimpath -o bin/gatehouse-chaos ./cmd/gatehouse-chaos
	bin/gatehouse-chaos -gatehouse bin/gatehouse

## cluster-test: nginx, three gatehouse, Redis with Sentinel and two OpenLDAP providers in
## mirror mode under load while one of each is killed; fails on a lost registration or
## consent (about 2 minutes; not part of make test; docs/scale-out.md)
cluster-test: deps
	mkdir -p bin
	$(GO) build -trimpath -o bin/gatehouse ./cmd/gatehouse
	GATEHOUSE_CLUSTER=1 GATEHOUSE_BINARY=$(CURDIR)/bin/gatehouse $(GO) test -count=1 -v -timeout 10m -run '^TestCluster$$' ./internal/cluster/

## dist: release tarballs (linux and darwin, amd64 and arm64), SBOMs, SHA256SUMS and
## the systemd unit into dist/ (docs/packaging.md)
dist:
	GO=$(GO) VERSION=$(VERSION) bash scripts/dist.sh

## dist-check: every platform built twice and compared, the container image built with podman
dist-check:
	GATEHOUSE_DIST_FULL=1 $(GO) test -count=1 -timeout 30m -run 'TestDistIsReproducible|TestContainerImage' ./internal/dist/

## lint: gofmt, go vet, staticcheck and errcheck
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(ERRCHECK) -ignoretests -exclude .errcheck-excludes ./...

clean:
	rm -rf bin dist
