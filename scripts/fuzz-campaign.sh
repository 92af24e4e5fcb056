#!/usr/bin/env bash
# The long fuzz campaign: every target until RUNS executions (default 1,000,000), in two
# streams (this machine has two cores), then the table the README's Fuzzing paragraph shows.
#
#   scripts/fuzz-campaign.sh            build once, run both streams, print the table
#   scripts/fuzz-campaign.sh --table    the table from the last logs (Fuzz/logs/) and corpora
#
#   scripts/fuzz-campaign.sh TARGET…    only those targets (after a parser changed), same streams
#   scripts/fuzz-campaign.sh --replay [TARGET…]
#                                       every input of every corpus, once, on the binary as built
#                                       (after a change: what the campaign found still passes)
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
export RUNS=${RUNS:-1000000}

# What a run's binary read: the sources a parser target reaches, as git trees at the commit it
# was built from (empty when built from uncommitted changes: such a run counts alone).
# (index-snapshot also reads RelaisReferral's index file, query RelaisApp's query parsers; the
# others never reach them.)
code_key() {
  case $1 in *+changes | '?' | '') return ;; esac
  local extra=""
  [ "$2" != index-snapshot ] || extra="$1:Sources/RelaisReferral"
  [ "$2" != query ] || extra="$1:Sources/RelaisApp $1:Sources/RelaisReferral"
  git rev-parse "$1:Sources/RelaisSources" "$1:Sources/RelaisNormalize" "$1:Sources/RelaisModel" $extra \
    "$1:Sources/RelaisFuzz" "$1:Package.swift" 2>/dev/null | sha1sum | cut -c1-12
}
execs_of() {
  local n
  n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$1" | tail -1 | grep -o '[0-9]*$')
  [ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$1" | tail -1 | tr -d '#')
  echo "${n:-0}"
}
# The header every run log starts with: « # relais-fuzz COMMIT, max_len N, DATE ».
commit_of() { head -1 "$1" | sed -nE 's/^# relais-fuzz ([^,]*), max_len .*/\1/p'; }
maxlen_of() { head -1 "$1" | sed -nE 's/^# relais-fuzz [^,]*, max_len ([0-9]+), .*/\1/p'; }

# Executions and runs of target $1 with the same code and input limit as its latest run
# (or, with $2 = the code key and $3 = the input limit the next run would have, as that one).
done_runs() {
  local t=$1 log=Fuzz/logs/$1.log key maxlen execs=0 runs=0 r
  if [ -n "${2:-}" ]; then key=$2; maxlen=$3; else
    [ -f "$log" ] || { echo "0 0"; return; }
    key=$(code_key "$(commit_of "$log")" "$t"); maxlen=$(maxlen_of "$log")
  fi
  for r in Fuzz/logs/runs/"$t"-*.log; do
    [ -f "$r" ] || continue
    if { [ -z "${2:-}" ] && [ "$(readlink -f "$r")" = "$(readlink -f "$log")" ]; } || { [ -n "$key" ] && [ "$(maxlen_of "$r")" = "$maxlen" ] && [ "$(code_key "$(commit_of "$r")" "$t")" = "$key" ]; }; then
      execs=$((execs + $(execs_of "$r"))); runs=$((runs + 1))
    fi
  done
  echo "$execs $runs"
}

table() {
  echo "| target | executions (runs) | exec/s (last run) | corpus (files, size) | crashes | code, input limit |"
  echo "|---|---|---|---|---|---|"
  for t in $(scripts/fuzz.sh --list); do
    log=Fuzz/logs/$t.log
    [ -f "$log" ] || { echo "| \`$t\` | not run | | | | |"; continue; }
    commit=$(commit_of "$log"); maxlen=$(maxlen_of "$log")
    read -r execs runs <<<"$(done_runs "$t")"
    [ "$runs" -gt 0 ] || { execs=$(execs_of "$log"); runs=1; }
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$rate" ] || rate=$(grep -oE 'exec/s: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    files=$(ls "Fuzz/corpus/$t" 2>/dev/null | wc -l)
    size=$(du -sh "Fuzz/corpus/$t" 2>/dev/null | cut -f1)
    # Crash, leak, timeout and out-of-memory inputs (a « slow-unit » is a report, not a failure).
    crashes=$(ls "Fuzz/crashes/$t" 2>/dev/null | grep -vc '^slow-unit')
    code="before 2026-12-07"; [ -z "$commit" ] || code="\`$commit\`, $maxlen B"
    done_mark=""; [ "$execs" -ge "$RUNS" ] || done_mark=" — not yet $RUNS"
    printf '| `%s` | %s (%s)%s | %s | %s, %s | %s | %s |\n' "$t" "$execs" "$runs" "$done_mark" "${rate:-?}" "$files" "$size" "$crashes" "$code"
  done
}

if [ "${1:-}" = --table ]; then table; exit 0; fi

# Each target's whole corpus executed once (-runs=0: libFuzzer reads the folder, runs every
# input, and stops), in two streams; a line per target, exit 1 on any crash, leak or timeout.
replay() {
  local t out rc=0
  for t in "$@"; do
    local n
    n=$(ls "Fuzz/corpus/$t" 2>/dev/null | wc -l)
    [ "$n" -gt 0 ] || { echo "▸ $t: no corpus"; continue; }
    if out=$(RELAIS_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1:handle_sigill=1:malloc_context_size=0 \
      .build-fuzz/release/relais-fuzz "Fuzz/corpus/$t" -runs=0 -timeout=60 -rss_limit_mb=2048 -max_len=200000 \
        -artifact_prefix="Fuzz/crashes/$t/" 2>&1); then
      echo "▸ $t: $n inputs replayed, 0 crashes"
    else
      echo "▸ $t: FAILED on its corpus"; echo "$out" | grep -E "ERROR|SUMMARY|Test unit written" | head -5; rc=1
    fi
  done
  return $rc
}
if [ "${1:-}" = --replay ]; then
  shift
  [ -x .build-fuzz/release/relais-fuzz ] || FUZZ_SECONDS=1 scripts/fuzz.sh page-members > /dev/null 2>&1
  echo "relais-fuzz $(cat .build-fuzz/relais-fuzz.commit 2>/dev/null), $(date -u +%FT%TZ)"
  [ $# -gt 0 ] || set -- $(scripts/fuzz.sh --list)
  A=(); B=(); k=0
  for t in "$@"; do if [ $((k % 2)) -eq 0 ]; then A+=("$t"); else B+=("$t"); fi; k=$((k + 1)); done
  replay "${A[@]}" > /tmp/relais-replay-A.$$ 2>&1 &
  a=$!
  replay "${B[@]}" > /tmp/relais-replay-B.$$ 2>&1; rb=$?
  wait $a; ra=$?
  cat /tmp/relais-replay-A.$$ /tmp/relais-replay-B.$$; rm -f /tmp/relais-replay-A.$$ /tmp/relais-replay-B.$$
  [ $ra -eq 0 ] && [ $rb -eq 0 ]; exit
fi

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
export ASAN_OPTIONS=detect_leaks=1:handle_abort=1:handle_sigill=1:malloc_context_size=0
# Each target for what it still lacks: the executions of earlier runs of the same code and input
# limit count (a campaign interrupted — a session that ends — goes on where it stopped).
stream() {
  local t key maxlen execs runs rc=0
  for t in "$@"; do
    key=$(code_key "$(cat .build-fuzz/relais-fuzz.commit 2>/dev/null)" "$t")  # the binary's
    maxlen=$(FUZZ_MAX_LEN=$FUZZ_MAX_LEN bash -c "source <(sed -n '/^max_len() {/,/^}/p;/^max_len_of() {/,/^}/p' scripts/fuzz.sh); max_len $t")
    read -r execs runs <<<"$(done_runs "$t" "$key" "$maxlen")"
    if [ -n "$key" ] && [ "$execs" -ge "$RUNS" ]; then echo "▸ $t: $execs executions already ($runs runs)"; continue; fi
    [ -n "$key" ] || execs=0
    FUZZ_EXTRA="-runs=$((RUNS - execs)) -timeout=60 -detect_leaks=0 -report_slow_units=30" scripts/fuzz.sh "$t" || rc=1
    export FUZZ_NO_BUILD=1
  done
  return $rc
}
# The build first, alone (both streams use it).
[ "${FUZZ_NO_BUILD:-}" = 1 ] || FUZZ_SECONDS=1 scripts/fuzz.sh page-members > /dev/null 2>&1 || true
export FUZZ_NO_BUILD=1
(export -f stream done_runs code_key commit_of maxlen_of execs_of; nice -n "${NICE:-10}" bash -c 'stream "$@"' _ "${A[@]}") > Fuzz/logs/campaign-A.txt 2>&1 &
a=$!
b=
[ ${#B[@]} -eq 0 ] || { (export -f stream done_runs code_key commit_of maxlen_of execs_of; nice -n "${NICE:-10}" bash -c 'stream "$@"' _ "${B[@]}") > Fuzz/logs/campaign-B.txt 2>&1 & b=$!; }
wait $a; ra=$?
rb=0; [ -z "$b" ] || { wait "$b"; rb=$?; }
table
[ $ra -eq 0 ] && [ $rb -eq 0 ]
