#!/usr/bin/env bash
# Cross-checks Relais's recurrence engine and iCalendar reader against reference
# implementations from PyPI (python-dateutil, icalendar, recurring-ical-events),
# installed in a venv (RELAIS_ORACLE_VENV, /tmp/relais-oracle-venv by default).
#   scripts/oracle-tests.sh            build the tests, then run the oracle suites
#   scripts/oracle-tests.sh --skip-build
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${RELAIS_ORACLE_VENV:-/tmp/relais-oracle-venv}"
if ! "$VENV/bin/python" -c 'import dateutil, icalendar, recurring_ical_events' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q python-dateutil icalendar recurring-ical-events
fi
[ "${1:-}" = "--skip-build" ] || swift build --build-tests
RELAIS_ORACLE_PY="$VENV/bin/python" swift test --skip-build --filter 'Oracle'
