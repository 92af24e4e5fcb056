#!/usr/bin/env bash
# Makes (once) the virtual environment of the reference implementations the tests check
# Relais against, and prints its Python: python-dateutil, icalendar, recurring-ical-events
# (RFC 5545), phonenumbers (libphonenumber), opening-hours-py (OpenStreetMap hours),
# jsonschema with its format checkers (the official HSDS 3.0 schemas), frictionless (HSDS's
# tabular data package) and data-inclusion-schema (data·inclusion v1).
#   RELAIS_ORACLE_VENV=… scripts/oracle-venv.sh
set -euo pipefail
VENV="${RELAIS_ORACLE_VENV:-${TMPDIR:-/tmp}/relais-oracle-venv}"
if ! "$VENV/bin/python" -c 'import dateutil, icalendar, recurring_ical_events, phonenumbers, opening_hours, jsonschema, rfc3339_validator, rfc3987, frictionless, data_inclusion.schema' 2>/dev/null; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q python-dateutil icalendar recurring-ical-events phonenumbers opening-hours-py 'jsonschema[format]' frictionless data-inclusion-schema >&2
fi
echo "$VENV/bin/python"
