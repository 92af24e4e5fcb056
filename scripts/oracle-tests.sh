#!/usr/bin/env bash
# Runs only the suites that check Relais against reference implementations from PyPI
# (dateutil, icalendar, recurring-ical-events, phonenumbers, opening-hours-py).
#   scripts/oracle-tests.sh            build the tests, then run the oracle suites
#   scripts/oracle-tests.sh --skip-build
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/oracle-venv.sh)
[ "${1:-}" = "--skip-build" ] || swift build --build-tests
RELAIS_ORACLE_PY="$PY" swift test --skip-build --filter 'Oracle'
