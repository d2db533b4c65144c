# logsleuth: `make demo` to see it work, `make test` to check it.

GO        ?= go
BIN       := bin/logsleuth
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS   := -X main.version=$(VERSION)
# Build tags of every build and test run here. sdjournal builds in the
# native journal reader (libsystemd through go-systemd's sdjournal, cgo),
# which needs libsystemd-dev's headers (make setup). Without it, as with
# `go install`, journal files are read through `journalctl -o export`:
# `make build TAGS=` builds that. `bin/logsleuth --version` names the
# reader a binary has.
TAGS      ?= sdjournal
GOTAGS    := -tags '$(TAGS)'
# Fuzz time per target: brief in `make test`, longer in `make fuzz`.
FUZZTIME  ?= 10s
LONGFUZZ  ?= 2m
# Size of the generated benchmark corpus (bench/gen -size), and where it goes.
BENCH_SIZE ?= 1GiB
BENCH_DIR  ?= /tmp/logsleuth-bench
# Size of the dense corpus (bench/gen -dense: a bad day, ~30% candidates).
DENSE_SIZE ?= 256MiB

EXAMPLE := examples/seed-001/var/log
# Other parsers' test suites (shared/data/peers, beside the repository:
# ../shared from /work/main and, through a link, from a worktree), and how
# many of their assertions must pass (`make peers`).
PEERS_DIR ?= ../shared/data/peers
PEERS_MIN ?= 485

# Where `make install` puts bin/logsleuth and the man pages; DESTDIR
# stages an install for a package.
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man

.PHONY: all setup build man install test tidy vet unit race poison fuzz-brief peers fuzz demo fleet-demo bench pgo clean

all: build

# Debian packages the build and tests need (installed when run as root
# and something is missing; otherwise it says what to install).
setup:
	@scripts/deps.sh

build:
ifneq ($(filter sdjournal,$(TAGS)),)
	@echo '#include <systemd/sd-journal.h>' | $$($(GO) env CC) -E -x c - >/dev/null 2>&1 || { \
		echo "build: the native journal reader (TAGS=sdjournal) needs libsystemd-dev's headers:" >&2; \
		echo "build: make setup as root, or make build TAGS= to read journals through journalctl" >&2; exit 1; }
endif
	$(GO) build $(GOTAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/logsleuth

# A roff page per command (man/logsleuth.1, man/logsleuth-timeline.1 ...),
# generated from the commands by the hidden `logsleuth gen-man`, so the
# pages never disagree with --help. Not committed: they would go stale
# with every flag added. SOURCE_DATE_EPOCH fixes their date.
man: build
	rm -rf man
	$(BIN) gen-man man

install: build man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/logsleuth
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/

test: setup tidy vet unit race poison fuzz-brief peers

# go.mod and go.sum as `go mod tidy` leaves them, and every Go file as
# gofmt prints it: fails naming what differs (fix: go mod tidy; gofmt -w).
tidy:
	$(GO) mod tidy -diff
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt -l: not formatted:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet $(GOTAGS) ./...

unit:
	$(GO) test $(GOTAGS) ./...

# The packages whose goroutines share data (parse workers, screens, the
# merge, watch's followers), and the fixtures run through them, under the
# race detector. Left out there, since `unit` runs them and they add no
# goroutine of their own: the fleet tests (queries to a real VictoriaLogs,
# a minute under -race) and the scripts that check flags and output
# formats; this keeps CI within its 15 minutes.
RACE_SKIP = TestFleet|TestScripts/(filters_|completion|test_cmd|patterns)
race:
	$(GO) test $(GOTAGS) -race ./analyzer/ingest ./analyzer/engine
	$(GO) test $(GOTAGS) -race -skip '$(RACE_SKIP)' ./cmd/logsleuth

# The suite again with blocks of 300 bytes, each parse worker's block
# copy poisoned when released instead of reused
# (LOGSLEUTH_POISON_BLOCKS, analyzer/ingest/blockbuf.go): a string kept
# past its block, against ingest.Stream's contract, reads as poison in
# the expected outputs. -count=1: the cache does not know the variable.
# The packages are those whose tests read input through ingest (go list
# -test -deps). Left out: the checks that count skimmed lines (small
# blocks skim less: a block's edge lines are parsed whole), and the fleet
# tests, whose rows come from a store, not from blocks.
POISON_PKGS = ./analyzer/ingest ./analyzer/timeline ./cmd/logsleuth
POISON_SKIP = TestLookbackSkimmed$$|TestFixturesSkimmedLookback|TestFleet
poison:
	LOGSLEUTH_POISON_BLOCKS=300 $(GO) test $(GOTAGS) -count=1 -skip '$(POISON_SKIP)' $(POISON_PKGS)

# Every Fuzz target in the repository, found by name so new ones are run
# without editing this file. Each runs alone (go test -fuzz takes one
# target); all run even if one fails, and the failures are listed at the end.
# A failing target runs once more: Go 1.26's coordinator can end a clean run
# with "context deadline exceeded" (golang/go#75804, fixed in Go 1.27),
# while a real crasher is saved in testdata/fuzz and fails the rerun.
define run_fuzz
	@failed=""; targets=$$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); \
	for f in $$targets; do \
		d=./$$(dirname $${f#./}); \
		for n in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "--- fuzz $$d $$n ($(1))"; \
			$(GO) test $(GOTAGS) -run='^$$' -fuzz="^$$n$$" -fuzztime=$(1) $$d || \
			$(GO) test $(GOTAGS) -run='^$$' -fuzz="^$$n$$" -fuzztime=$(1) $$d || failed="$$failed $$d:$$n"; \
		done; \
	done; \
	if [ -n "$$failed" ]; then echo "FAIL: fuzz targets:$$failed"; exit 1; fi
endef

fuzz-brief:
	$(call run_fuzz,$(FUZZTIME))

# The assertions of other parsers' suites (EXPECTED.md in PEERS_DIR) run
# against the binary: fails below PEERS_MIN passed, or in CI without the
# shared data (scripts/peers.sh).
peers: build
	scripts/peers.sh $(BIN) $(PEERS_MIN) $(PEERS_DIR)

fuzz:
	$(call run_fuzz,$(LONGFUZZ))

# The bundled example of seed 001: what was read, then the root-cause
# timeline.
demo: setup build
	@echo '$$ logsleuth events --stats --tz Asia/Seoul --year 2021 $(EXAMPLE)'
	@$(BIN) events --stats --tz Asia/Seoul --year 2021 $(EXAMPLE)
	@echo
	@echo '$$ logsleuth timeline --tz Asia/Seoul --year 2021 $(EXAMPLE)'
	@$(BIN) timeline --tz Asia/Seoul --year 2021 $(EXAMPLE)

# Fleet mode: the bundled example (JSON lines) and a generated six-host
# corpus (syslog TCP on the next port) shipped into a VictoriaLogs
# started on 127.0.0.1:$(FLEET_PORT) (installed if missing), then the
# timeline read from it (README "Fleet mode: VictoriaLogs").
FLEET_PORT ?= 19428
fleet-demo: setup build
	@FLEET_PORT=$(FLEET_PORT) scripts/fleet-demo.sh $(BIN)

# Not part of `make test`: generates a corpus of BENCH_SIZE and a dense
# one of DENSE_SIZE in BENCH_DIR (once) and times logsleuth against wc -l
# and rg on them.
bench:
	BENCH_SIZE=$(BENCH_SIZE) DENSE_SIZE=$(DENSE_SIZE) BENCH_DIR=$(BENCH_DIR) GO=$(GO) TAGS='$(TAGS)' bench/run.sh

# cmd/logsleuth/default.pgo is the CPU profile the compiler optimizes the
# binary for (profile-guided optimization, used by every go build): the
# profiles of timeline over the bench corpus, over the dense one, and
# three --since runs for the last hour of the rotated 1 GiB set (short:
# three, so that their seek and skimmed lookback weigh), merged. A
# profile of one corpus optimizes for it at the others' cost: the clean
# corpus' alone made the dense run take more instructions than no
# profile. Regenerate it when the hot code changes much.
PGO_DIR = $(BENCH_DIR)/pgo
pgo: build
	$(GO) run ./bench/gen -size $(BENCH_SIZE) -dir $(BENCH_DIR)/$(BENCH_SIZE)
	$(GO) run ./bench/gen -dense -size $(DENSE_SIZE) -dir $(BENCH_DIR)/dense-$(DENSE_SIZE)
	$(GO) run ./bench/rotate -from $(BENCH_DIR)/$(BENCH_SIZE)/syslog -size 1GiB -dir $(BENCH_DIR)/rotated-1GiB
	mkdir -p $(PGO_DIR)
	LOGSLEUTH_CPUPROFILE=$(PGO_DIR)/clean.prof $(BIN) timeline --format json --tz Asia/Seoul \
		$(BENCH_DIR)/$(BENCH_SIZE)/syslog >/dev/null
	LOGSLEUTH_CPUPROFILE=$(PGO_DIR)/dense.prof $(BIN) timeline --format json --tz Asia/Seoul \
		$(BENCH_DIR)/dense-$(DENSE_SIZE)/syslog >/dev/null
	for i in 1 2 3; do \
		LOGSLEUTH_CPUPROFILE=$(PGO_DIR)/since$$i.prof $(BIN) timeline --format json --tz Asia/Seoul \
			--since @$$(($$(cat $(BENCH_DIR)/rotated-1GiB/last.txt) - 3600)) $(BENCH_DIR)/rotated-1GiB/syslog* >/dev/null || exit 1; \
	done
	$(GO) tool pprof -proto $(PGO_DIR)/clean.prof $(PGO_DIR)/dense.prof $(PGO_DIR)/since1.prof \
		$(PGO_DIR)/since2.prof $(PGO_DIR)/since3.prof >cmd/logsleuth/default.pgo

clean:
	rm -rf bin man
	$(GO) clean -testcache
