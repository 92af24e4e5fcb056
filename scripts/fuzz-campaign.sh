#!/usr/bin/env bash
# The long fuzz campaign: every target until RUNS executions (default 1,000,000), in two
# streams (this machine has two cores), then the table the README's Fuzzing paragraph shows.
#
#   scripts/fuzz-campaign.sh            build once, run both streams, print the table
#   scripts/fuzz-campaign.sh --table    the table from the last logs (Fuzz/logs/) and corpora
#
# Environment: RUNS (1000000), NICE (10). A target stops at its first crash, leak or timeout
# (-timeout=60 here: a loaded machine must not turn a slow moment into a « timeout »); the
# script goes on with the others, and the table says « crash » for it.
# Expect hours: html reads a whole page and every list item's schedule per input (~40 exec/s
# on a grown corpus under ASan); see the README.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1000000}

table() {
  echo "| target | executions | exec/s (mean) | corpus (files, size) | crashes |"
  echo "|---|---|---|---|---|"
  for t in $(scripts/fuzz.sh --list); do
    log=Fuzz/logs/$t.log
    [ -f "$log" ] || { echo "| \`$t\` | not run | | | |"; continue; }
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$rate" ] || rate=$(grep -oE 'exec/s: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    files=$(ls "Fuzz/corpus/$t" 2>/dev/null | wc -l)
    size=$(du -sh "Fuzz/corpus/$t" 2>/dev/null | cut -f1)
    # Crash, leak, timeout and out-of-memory inputs (a « slow-unit » is a report, not a failure).
    crashes=$(ls "Fuzz/crashes/$t" 2>/dev/null | grep -vc '^slow-unit')
    done_mark=""; [ "${execs:-0}" -ge "$RUNS" ] || done_mark=" (running or stopped early)"
    printf '| `%s` | %s%s | %s | %s, %s | %s |\n' "$t" "${execs:-0}" "$done_mark" "${rate:-?}" "$files" "$size" "$crashes"
  done
}

if [ "${1:-}" = --table ]; then table; exit 0; fi

[ "${FUZZ_NO_BUILD:-}" = 1 ] || scripts/fuzz.sh --list >/dev/null  # (the first stream builds)
# Two streams of about the same length (measured rates): the slow readers apart.
A=(osm phone text-decoding hsds manifest display-text french-dates csv french-schedule)
B=(json data-inclusion hsds-tables page-members index-snapshot ics jsonld html)
FUZZ_SECONDS=200000 FUZZ_EXTRA="-runs=$RUNS -timeout=60" nice -n "${NICE:-10}" scripts/fuzz.sh "${A[@]}" > Fuzz/logs/campaign-A.txt 2>&1 &
a=$!
sleep 5
# The second stream waits for the first one's build (SwiftPM's lock), then reuses it.
FUZZ_SECONDS=200000 FUZZ_EXTRA="-runs=$RUNS -timeout=60" nice -n "${NICE:-10}" scripts/fuzz.sh "${B[@]}" > Fuzz/logs/campaign-B.txt 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
table
[ $ra -eq 0 ] && [ $rb -eq 0 ]
