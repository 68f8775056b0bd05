# fileapi: every task has a target here. `make run` and `make test` are the whole setup on a machine with Go.
SHELL := /bin/bash
GO ?= go
BIN := bin/fileapi
GOLANGCI_VERSION := v2.15.0
GOLANGCI := $(shell $(GO) env GOPATH)/bin/golangci-lint
# The MariaDB that test-mysql and ci use; each test creates and drops its own database with this prefix.
MYSQL_DSN ?= mysql://root@127.0.0.1:3306/fileapi_test
DB ?= sqlite:data/fileapi.db
# gin's MessagePack codec is left out of every build and test: fileapi never reads or writes MessagePack, the
# binary is 9 MB smaller, and fuzzing (whose cost per execution grows with the binary) runs faster.
export GOFLAGS := -tags=nomsgpack $(GOFLAGS)
# How long make fuzz runs each fuzz target.
FUZZTIME ?= 10s

.PHONY: build run test test-mysql test-pool1 test-galera golden bench bench-gate fuzz fuzz-ci lint fmt migrate ci mariadb clean

build:
	$(GO) build -o $(BIN) ./cmd/fileapi

## run: serve on the embedded SQLite with demo data (created on first start) and print a ready curl.
run: build
	./$(BIN) serve --demo --db $(DB)

## test: every test on a fresh SQLite database per test (full log in test.log).
test:
	./.ci/gotest

## test-mysql: the same tests on SQLite and on MariaDB (started when it is down).
test-mysql: mariadb
	FILEAPI_TEST_MYSQL_DSN=$(MYSQL_DSN) ./.ci/gotest

## test-pool1: the same suite with every store on one connection (FILEAPI_DB_MAX_CONNS=1): a code path that
## holds a connection while it waits for another deadlocks here and fails the run (full log in test-pool1.log).
test-pool1: mariadb
	FILEAPI_DB_MAX_CONNS=1 FILEAPI_TEST_MYSQL_DSN=$(MYSQL_DSN) TEST_LOG=test-pool1.log ./.ci/gotest

## test-galera: the fleet tests (cmd/fileapi/fleet_test.go): fileapi as processes on the three nodes of a
## MariaDB Galera cluster that .ci/galera starts on loopback for them, and stops after (full log in test-galera.log).
test-galera:
	@set -e; trap './.ci/galera stop' EXIT; \
	export "$$(./.ci/galera start | tail -n 1)"; \
	TEST_LOG=test-galera.log ./.ci/gotest -run '^TestFleet'

## golden: rewrite the golden files in testdata/ from the current output; review the diff before committing.
golden:
	$(GO) test -count=1 ./hal ./handlers -args -update

## bench: our handlers beside a bare gin handler and a hand-written database/sql handler on the same
## database, in one process, on SQLite and MariaDB (started when it is down), with ratios and allocations.
bench: mariadb
	FILEAPI_BENCH=1 FILEAPI_TEST_MYSQL_DSN=$(MYSQL_DSN) $(GO) test -count=1 -run '^TestBenchRatios$$' -v ./handlers | grep -v '^=== RUN'

## bench-gate: the short bench of make ci: fails when GET falls under 0.9x the hand-written handler on SQLite,
## XML GET under 0.8x JSON GET, or a GET takes 60 allocations or more.
bench-gate:
	FILEAPI_BENCH=short $(GO) test -count=1 -run '^TestBenchRatios$$' -v ./handlers | grep -v '^=== RUN'; exit $${PIPESTATUS[0]}

## fuzz: every fuzz target (func Fuzz… in any package) for FUZZTIME each (make fuzz FUZZTIME=2m), one after the
## other, with the executions of each; stops at the first failing input and says how to replay it.
fuzz:
	FUZZTIME=$(FUZZTIME) ./.ci/fuzz

## fuzz-ci: the short fuzzing of make ci: 5 seconds per target, 30 for FuzzRouter (replaying its corpus through
## the whole router takes longer than 5 seconds once the corpus has grown).
fuzz-ci:
	FUZZTIME=5s FUZZTIME_FuzzRouter=30s ./.ci/fuzz

lint: $(GOLANGCI)
	$(GOLANGCI) run ./...

fmt: $(GOLANGCI)
	$(GOLANGCI) fmt ./...

migrate: build
	./$(BIN) migrate up --db $(DB)

## ci: lint, the whole test suite on SQLite and MariaDB in one run (what `make test` runs, plus MySQL), the
## same with one connection per store, the fleet tests on a Galera cluster, the bench gate, then 5 seconds of
## every fuzz target.
ci: lint test-mysql test-pool1 test-galera bench-gate fuzz-ci

$(GOLANGCI):
	@echo "make lint: installing golangci-lint $(GOLANGCI_VERSION) into $(GOLANGCI) (once; it builds from source: several minutes)"
	$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

## mariadb: start the local MariaDB when it is not answering, and wait until it does.
mariadb:
	@./.ci/mariadb

clean:
	rm -rf bin data
