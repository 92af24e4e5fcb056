#!/usr/bin/env bash
# The long fuzz campaign: every target until RUNS executions (default 1,000,000), in two
# streams (this machine has two cores), then the table the README's Fuzzing paragraph shows.
#
#   scripts/fuzz-campaign.sh            build once, run both streams, print the table
#   scripts/fuzz-campaign.sh --table    the table from the last logs (Fuzz/logs/) and corpora
#
#   scripts/fuzz-campaign.sh TARGET…    only those targets (after a parser changed), same streams
#
# Environment: RUNS (1000000), NICE (10). A target stops at its first crash, leak or timeout
# (-timeout=60 here: a loaded machine must not turn a slow moment into a « timeout »); the
# script goes on with the others, and the table says « crash » for it. A « slow-unit » input
# is a report, not a failure (replay it: it is slow only on a loaded machine, or it is a bug).
# Campaign settings, chosen so that a million executions of the slowest reader (html: a whole
# page and every list item's schedule per input) fit in about an hour and a half:
#   - inputs up to 4,096 bytes (libFuzzer's own default; the CI pass keeps each target's
#     longer limit, up to 20,000), except index-snapshot (its smallest valid file is larger),
#     and html up to 2,048 (a page fragment: at 4,096 it ran 73 exec/s, 1,000,000 in 3.8 h);
#   - no per-input leak check (-detect_leaks=0): LeakSanitizer still checks the whole process
#     at exit, and the CI pass checks every input;
#   - no allocation stacks (malloc_context_size=0): a crash is replayed with them by
#     scripts/fuzz.sh --triage.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1000000}

table() {
  echo "| target | executions | exec/s (mean) | corpus (files, size) | crashes | code, input limit |"
  echo "|---|---|---|---|---|---|"
  for t in $(scripts/fuzz.sh --list); do
    log=Fuzz/logs/$t.log
    [ -f "$log" ] || { echo "| \`$t\` | not run | | | | |"; continue; }
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$rate" ] || rate=$(grep -oE 'exec/s: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    files=$(ls "Fuzz/corpus/$t" 2>/dev/null | wc -l)
    size=$(du -sh "Fuzz/corpus/$t" 2>/dev/null | cut -f1)
    # Crash, leak, timeout and out-of-memory inputs (a « slow-unit » is a report, not a failure).
    crashes=$(ls "Fuzz/crashes/$t" 2>/dev/null | grep -vc '^slow-unit')
    # The log's first line: « # relais-fuzz COMMIT, max_len N, DATE » (older logs have none).
    code=$(head -1 "$log" | sed -nE 's/^# relais-fuzz ([^,]*), max_len ([0-9]+), .*/`\1`, \2 B/p')
    done_mark=""; [ "${execs:-0}" -ge "$RUNS" ] || done_mark=" (running or stopped early)"
    printf '| `%s` | %s%s | %s | %s, %s | %s | %s |\n' "$t" "${execs:-0}" "$done_mark" "${rate:-?}" "$files" "$size" "$crashes" "${code:-before 2026-12-07}"
  done
}

if [ "${1:-}" = --table ]; then table; exit 0; fi

[ "${FUZZ_NO_BUILD:-}" = 1 ] || scripts/fuzz.sh --list >/dev/null  # (the first stream builds)
if [ $# -gt 0 ]; then
  # The named targets, dealt alternately to the two streams (name the slow ones first).
  A=(); B=(); k=0
  for t in "$@"; do if [ $((k % 2)) -eq 0 ]; then A+=("$t"); else B+=("$t"); fi; k=$((k + 1)); done
else
  # Two streams of about the same length (measured rates): the slow readers apart.
  A=(html osm phone text-decoding hsds manifest display-text french-dates page-members json)
  B=(french-schedule csv ics jsonld data-inclusion hsds-tables index-snapshot)
fi
export FUZZ_SECONDS=200000 FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-4096} FUZZ_MAX_LEN_html=${FUZZ_MAX_LEN_html:-2048}
export FUZZ_EXTRA="-runs=$RUNS -timeout=60 -detect_leaks=0 -report_slow_units=30"
export ASAN_OPTIONS=detect_leaks=1:handle_abort=1:handle_sigill=1:malloc_context_size=0
nice -n "${NICE:-10}" scripts/fuzz.sh "${A[@]}" > Fuzz/logs/campaign-A.txt 2>&1 &
a=$!
sleep 5
# The second stream waits for the first one's build (SwiftPM's lock), then reuses it.
[ ${#B[@]} -eq 0 ] || FUZZ_NO_BUILD=${FUZZ_NO_BUILD:-} nice -n "${NICE:-10}" scripts/fuzz.sh "${B[@]}" > Fuzz/logs/campaign-B.txt 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
table
[ $ra -eq 0 ] && [ $rb -eq 0 ]
