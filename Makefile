# capture-agent: every entry point a developer or CI needs.
#   make deps   install toolchains, Debian packages, npm packages, static archives, Kafka jars (idempotent)
#   make build  build/capture-agent (launcher + bundled agent + pinned deno) and libcapture.so for x86_64 and aarch64
#   make test   every test; ends with a line "N passed, N failed"
#   make run    capture on the first non-loopback interface (or lo) into ./var/ (rotating pcap + JSONL summary)
#   make bench  benchmarks (bench-capture: trafgen in namespaces vs a Zig reference reader and tcpdump; bench-decode;
#               bench-output: the Kafka output vs kcat against the real broker); make bench-baseline calibrates
#               bench-decode against an older revision run alternately on the same machine
SHELL := /bin/bash
ROOT := $(CURDIR)
export PATH := $(ROOT)/.tools/bin:$(ROOT)/node_modules/.bin:$(PATH)
export ZIG_GLOBAL_CACHE_DIR := $(ROOT)/.zig-cache/global
export ZIG_LOCAL_CACHE_DIR := $(ROOT)/.zig-cache/local
export DENO_DIR := $(ROOT)/.tools/deno-dir
export DENO_NO_UPDATE_CHECK := 1
ZIG := $(ROOT)/.tools/bin/zig
DENO := $(ROOT)/.tools/bin/deno
ZIG_OPTIMIZE ?= ReleaseSafe

.PHONY: deps build lib bundle test test-unit test-zig run bench bench-capture kafka-up kafka-down fmt lint check clean

deps:
	scripts/deps.sh

lib:
	$(ZIG) build -Doptimize=$(ZIG_OPTIMIZE)

bundle:
	scripts/bundle.sh

build: lib bundle

test: build
	tests/run.sh

run: build
	scripts/run_default.sh

bench: bench-capture bench-decode bench-output

bench-capture: build
	bench/capture.sh

kafka-up:
	tests/kafka/broker.sh up

kafka-down:
	tests/kafka/broker.sh down

fmt:
	$(DENO) fmt
	$(ZIG) fmt ffi build.zig

check:
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check src/ tests/

clean:
	rm -rf build zig-out .zig-cache/local

# Control API code (src/control/gen/) from proto/ with buf + protoc-gen-es, offline; never edit the output by hand.
.PHONY: gen-proto
gen-proto:
	buf lint
	buf generate

# Installs the built agent, the systemd unit, tmpfiles.d/sysusers.d entries and the default config (never overwriting
# an edited config). `make build` first; PREFIX (default /usr/local), DESTDIR and SYSCONFDIR (default /etc) apply.
.PHONY: install
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
install:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' SYSCONFDIR='$(SYSCONFDIR)' scripts/install.sh

# Release artifacts per architecture in dist/ (scripts/dist.sh, docs/packaging.md): a tarball (launcher, pinned deno,
# bundled agent, libcapture.so) always; a single file from `deno compile` only given a denort (DENORT_BIN_X86_64,
# DENORT_BIN_AARCH64, or DENORT_BIN for the host architecture).
.PHONY: dist
dist: lib
	scripts/dist.sh

# Decode, pipeline and SIP parse rates on this machine (no build needed: pure TypeScript); JSON under bench/results/.
.PHONY: bench-decode
bench-decode:
	$(DENO) run -A --v8-flags=--expose-gc bench/decode.ts

# Kafka output vs kcat on the real test broker, from one core: records/s and capture-to-ack p50/p99 at 10k records/s.
# The decode bench of a fixed older revision and of this checkout, alternated, with the machine factor against the
# older revision's recorded results (this machine's speed varies by up to 3x between days). BASELINE_REV, BASELINE_ROUNDS.
.PHONY: bench-baseline
bench-baseline:
	$(DENO) run -A bench/baseline.ts --rev $(or $(BASELINE_REV),a88aead) --rounds $(or $(BASELINE_ROUNDS),5)

.PHONY: bench-output
bench-output:
	$(DENO) run -A bench/output.ts

# Where a Kafka record's CPU goes: the same output through clients from "nothing sent" to the real broker.
.PHONY: bench-output-breakdown
bench-output-breakdown:
	$(DENO) run -A bench/output_breakdown.ts

# Robustness fuzzing (docs/fuzzing.md): ≥ 10⁶ mutated corpus frames, random frames and mutated capture files through
# the pipeline, the parsers and the file readers. FUZZ_SEED (default: time-based, printed) and FUZZ_INPUTS apply.
.PHONY: fuzz
FUZZ_INPUTS ?= 1000000
fuzz:
	$(DENO) run -A --v8-flags=--expose-gc tests/fuzz/fuzz_main.ts --inputs $(FUZZ_INPUTS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))
