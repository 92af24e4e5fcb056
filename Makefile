# Relais — the two commands of the README, and a few more.
#   make run    install what is missing, build, serve the embedded default on :8080
#   make test   install what is missing, run every test (unit, integration, acceptance, browser)
#   make fuzz   libFuzzer + ASan on every parser, FUZZ_SECONDS (60) each; make fuzz-short: 6 s each (CI; the long campaigns run apart)
SHELL := /bin/bash
PORT ?= 8080
DB ?= relais.sqlite
SHARED ?= ../shared
# Acceptance stages of the issues that are resolved (../shared/acceptance/run).
ACCEPTANCE_STAGES ?= foundation importers schedules referral web admin hardening conformance fields pages interop postgres

.PHONY: run test unit multi-instance acceptance openapi-check browser bench bench-http bench-import build release bootstrap clean fuzz fuzz-short

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	swift build

release: bootstrap
	swift build -c release --product relais

run: release
	.build/release/relais serve --port $(PORT) --db $(DB)

# The unit suite includes the checks against reference implementations from PyPI
# (dateutil, icalendar, recurring-ical-events, phonenumbers, opening-hours-py), in a venv.
# A throwaway PostgreSQL cluster (scripts/postgres.sh, Debian's server, installed when missing)
# runs the store contract and the PostgreSQL tests; the log must show that they ran.
unit: bootstrap
	scripts/check-layers.sh
	swift build --build-tests
	RELAIS_TEST_POSTGRES=$$(scripts/postgres.sh start) RELAIS_ORACLE_PY=$$(scripts/oracle-venv.sh) swift test --skip-build 2>&1 | tee .build/unit.log; \
	  status=$${PIPESTATUS[0]}; scripts/postgres.sh stop; [ $$status -eq 0 ] || exit $$status; \
	  grep -q "Suite PostgresContractTests passed" .build/unit.log || { echo "the PostgreSQL suites did not run"; exit 1; }

acceptance: release
	@scripts/bootstrap.sh chromium
	@if [ -x $(SHARED)/acceptance/run ]; then \
	  RELAIS_BIN=$$PWD/.build/release/relais SHARED=$(SHARED) scripts/acceptance.sh $(ACCEPTANCE_STAGES); \
	else echo "◇ acceptance skipped: $(SHARED)/acceptance is absent (CI always has it)"; fi

# The browser check drives Debian's Chromium (installed when missing, as root or with sudo, with
# chromium-driver and poppler-utils), with axe-core from a venv (scripts/browser-venv.sh).
browser: release
	@scripts/bootstrap.sh chromium
	scripts/browser-check.sh

# schemathesis against /openapi.json on a live server (scripts/schemathesis.sh).
openapi-check: release
	scripts/schemathesis.sh

# Two instances on one PostgreSQL, one killed mid-import (scripts/multi-instance.sh).
multi-instance: release
	scripts/multi-instance.sh

test: unit acceptance openapi-check multi-instance browser fuzz-short

bench: bootstrap
	swift build -c release --product relais-bench
	.build/release/relais-bench

# /api/referrals against the peer (../shared/bench/peer): same directory, questions and wrk settings.
bench-http: bootstrap
	swift build -c release --product relais
	scripts/bench-http.sh

# The seeded directory imported as CSV and as an HSDS API: time, listings per second, peak memory.
bench-import: bootstrap
	swift build -c release --product relais
	scripts/bench-import.sh

# Fuzzing: builds relais-fuzz with -sanitize=fuzzer,address in .build-fuzz, runs each target
# for FUZZ_SECONDS, exits 1 on any crash, leak or timeout and prints the input's path.
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_TARGETS)

fuzz-short: bootstrap
	FUZZ_SECONDS=6 scripts/fuzz.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build
