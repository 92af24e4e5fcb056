#!/usr/bin/env bash
# Fuzzes Relais's parsers with libFuzzer (+ AddressSanitizer, leak detection).
#
#   scripts/fuzz.sh [TARGET…]          every target (or those named) for FUZZ_SECONDS each
#   FUZZ_SECONDS=15 scripts/fuzz.sh    the CI pass (make fuzz-short)
#   scripts/fuzz.sh --list             target names
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_NO_BUILD  =1: use the existing .build-fuzz binary
#   FUZZ_EXTRA     more libFuzzer flags, e.g. "-seed=1", or for a long campaign that goes on
#                  past known crashes: "-fork=2 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
#   FUZZ_MAX_LEN   caps each target's input length (the long campaign: 4096, libFuzzer's own
#                  default), except index-snapshot, whose smallest valid input is larger;
#                  FUZZ_MAX_LEN_<target> (html, or french_schedule for french-schedule) for one target
#   SHARED         the shared folder (default ../shared): fixtures and scenarios seed the corpus
#
# Builds only the relais-fuzz product, in its own scratch folder (.build-fuzz), in release
# mode with -sanitize=fuzzer,address. Corpora grow in Fuzz/corpus/<target>/ (git-ignored),
# seeded on first use from Fuzz/seeds/<target>/ and from $SHARED. Crashing, leaking or
# slow inputs are written to Fuzz/crashes/<target>/ (git-ignored); a target stops at its
# first one, the script goes on with the other targets, then prints every such input and
# exits 1. Keep a crash as a regression
# test by copying it (minimised: scripts/fuzz.sh --minimize TARGET FILE) to
# Fuzz/regressions/<target>/: RelaisFuzzTests replays that folder in every `swift test`.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-../shared}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
SCRATCH=.build-fuzz
BIN=$SCRATCH/release/relais-fuzz
ALL_TARGETS=(osm french-schedule french-dates phone text-decoding manifest display-text csv ics html json jsonld hsds hsds-tables data-inclusion page-members index-snapshot query)

build() {
  local start=$SECONDS
  echo "▸ building relais-fuzz (release, -sanitize=fuzzer,address) in $SCRATCH"
  # `--sanitize fuzzer` tells SwiftPM not to rename the executable's entry point (libFuzzer
  # has the main) and instruments the C targets (libyaml); -sanitize=fuzzer,address after it
  # is what swiftc keeps (the last -sanitize= wins). Not `--sanitize fuzzer --sanitize address`:
  # SwiftPM passes those in a random order, so one build in two had no coverage at all.
  swift build -c release --product relais-fuzz --scratch-path "$SCRATCH" \
    --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address -Xswiftc -DRELAIS_FUZZ || exit 2
  # Which code the logs speak of (fuzz-campaign.sh's table shows it).
  echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo +changes)" > "$SCRATCH/relais-fuzz.commit"
  echo "▸ built in $((SECONDS - start)) s"
}

# libFuzzer's -max_len and dictionary per target.
max_len() {
  local n
  n=$(max_len_of "$1")
  local cap=${FUZZ_MAX_LEN:-}
  # A cap of its own for one target: FUZZ_MAX_LEN_html=2048.
  local own="FUZZ_MAX_LEN_${1//-/_}"
  [ -z "${!own:-}" ] || cap=${!own}
  if [ -n "$cap" ] && [ "$1" != index-snapshot ] && [ "$n" -gt "$cap" ]; then n=$cap; fi
  echo "$n"
}
max_len_of() {
  case $1 in
    osm | french-schedule | french-dates | phone | display-text | query) echo 1024 ;;
    manifest) echo 4096 ;;
    index-snapshot) echo 200000 ;;
    *) echo 20000 ;;
  esac
}
dict() {
  case $1 in
    osm) echo Fuzz/dict/osm.dict ;;
    french-schedule | french-dates | display-text) echo Fuzz/dict/french.dict ;;
    ics) echo Fuzz/dict/ics.dict ;;
    phone) echo Fuzz/dict/phone.dict ;;
    manifest) echo Fuzz/dict/manifest.dict ;;
    csv) echo Fuzz/dict/csv.dict ;;
    html | jsonld) echo Fuzz/dict/html.dict ;;
    json | hsds | data-inclusion | page-members) echo Fuzz/dict/json.dict ;;
    hsds-tables) echo Fuzz/dict/hsds-tables.dict ;;
    *) echo "" ;;
  esac
}

# One file per line of stdin, named by content hash, in folder $1.
lines_to_files() {
  local dir=$1 line h
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    h=$(printf '%s' "$line" | sha1sum | cut -c1-12)
    printf '%s' "$line" > "$dir/seed-$h"
  done
}

# Copies files into folder $1 (skipping those larger than 64 KB: max_len would cut them anyway).
copy_files() {
  local dir=$1; shift
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$dir/seed-$(basename "$f")"
  done
}

phrases() { grep -hv '^#' "$SHARED"/scenarios/schedules*.tsv 2>/dev/null | grep -v '^phrase	' | cut -f1; }
osm_strings() {
  grep -hv '^#' "$SHARED"/scenarios/schedules*.tsv 2>/dev/null | grep -v '^phrase	' | cut -f2 | tr '|' '\n' | grep -vx -e '-' -e 'any'
  grep -h 'opening_hours:' Directory/*.yml 2>/dev/null | sed 's/.*opening_hours: *//; s/^"//; s/"$//'
}

# Fills an empty corpus folder from the committed seeds and from $SHARED.
seed() {
  local t=$1 dir=Fuzz/corpus/$1 fx=$SHARED/fixtures
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || return 0
  [ -d "Fuzz/seeds/$t" ] && cp Fuzz/seeds/"$t"/* "$dir"/ 2>/dev/null
  case $t in
    osm) osm_strings | lines_to_files "$dir" ;;
    french-schedule | french-dates | display-text) phrases | lines_to_files "$dir" ;;
    phone) { [ -f "$fx/gem-annuaire.csv" ] && iconv -f windows-1252 -t utf-8 "$fx/gem-annuaire.csv" 2>/dev/null; phrases; } | lines_to_files "$dir" ;;
    text-decoding) copy_files "$dir" "$fx"/*.csv "$fx"/*/*.csv "$fx"/*.html ;;
    manifest) copy_files "$dir" Importers/*.yml ;;
    csv) copy_files "$dir" "$fx"/*.csv "$fx"/*/*.csv ;;
    ics) copy_files "$dir" "$fx"/*.ics "$fx"/*/*.ics ;;
    html | jsonld) copy_files "$dir" "$fx"/*.html ;;
    json) copy_files "$dir" "$fx"/*.json "$fx"/*/*.json ;;
    hsds) copy_files "$dir" "$fx"/hsds-*.json "$fx"/fields/hsds-*.json ;;
    data-inclusion) copy_files "$dir" "$fx"/data-inclusion-*.json ;;
    page-members) copy_files "$dir" "$fx"/hsds-*.json "$fx"/data-inclusion-*.json "$fx"/*/*.json ;;
    index-snapshot) ;;  # Fuzz/seeds/index-snapshot only: the index of the demonstration directory
    hsds-tables) ;;  # Fuzz/seeds/hsds-tables only: ../shared has no datapackage
    query) ;;  # Fuzz/seeds/query only: query strings of every parameter
  esac
  [ -n "$(ls -A "$dir")" ] || printf 'x' > "$dir/seed-empty"
  echo "  seeded $dir: $(ls "$dir" | wc -l) inputs"
}

flags() {
  local t=$1 d
  d=$(dict "$t")
  echo -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="Fuzz/crashes/$t/" ${d:+-dict=$d}
}

case ${1:-} in
  --list) printf '%s\n' "${ALL_TARGETS[@]}"; exit 0 ;;
  --minimize)
    # scripts/fuzz.sh --minimize TARGET CRASH_FILE: a smaller input with the same crash, beside it.
    [ $# -eq 3 ] || { echo "usage: scripts/fuzz.sh --minimize TARGET FILE"; exit 2; }
    [ "${FUZZ_NO_BUILD:-}" = 1 ] || build
    RELAIS_FUZZ_TARGET=$2 "$BIN" -minimize_crash=1 -runs=20000 -max_total_time=60 -exact_artifact_path="$3.min" "$3" 2>&1 | tail -3
    echo "minimised: $3.min"; exit 0 ;;
  --triage)
    # scripts/fuzz.sh --triage [TARGET…]: replays every saved crash, one line per distinct stack top.
    shift
    [ $# -gt 0 ] || set -- "${ALL_TARGETS[@]}"
    for t in "$@"; do
      # The 300 smallest inputs of each target: enough to see every distinct crash.
      ls -Sr Fuzz/crashes/"$t"/ 2>/dev/null | head -300 | while IFS= read -r name; do
        f=Fuzz/crashes/$t/$name
        [ -f "$f" ] || continue
        out=$(RELAIS_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1:handle_sigill=1 timeout 60 "$BIN" -timeout=10 -rss_limit_mb=2048 "$f" 2>&1)
        what=$(grep -m1 -E '^SUMMARY: |ALARM|out-of-memory|ERROR: LeakSanitizer' <<<"$out" | sed -E 's/^SUMMARY: (AddressSanitizer: ILL [^ ]* in )?//')
        top=$(grep -m1 -E '^ *#[0-9]+ .* /[^ ]*/(Sources|checkouts)/[^ ]*\.swift:[0-9]+' <<<"$out" | sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ in //; s|/[^ ]*/(Sources\|checkouts)/|\1/|' | swift demangle --simplified 2>/dev/null)
        echo "$t	${what:-no crash on replay}	${top:-?}	$f"
      done
    done | sort -t "	" -k1,1 -k3,3 -u
    exit 0 ;;
esac

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
  printf '%s\n' "${ALL_TARGETS[@]}" | grep -qx -- "$t" || { echo "unknown target $t; targets: ${ALL_TARGETS[*]}"; exit 2; }
done
[ "${FUZZ_NO_BUILD:-}" = 1 ] && [ -x "$BIN" ] || build

mkdir -p Fuzz/logs
failed=()
summary=()
for t in "${targets[@]}"; do
  seed "$t"
  mkdir -p "Fuzz/crashes/$t"
  # One log per run (Fuzz/logs/runs/), Fuzz/logs/TARGET.log the latest: runs of the same code
  # add up in the campaign table (a campaign can go on over several sessions).
  mkdir -p Fuzz/logs/runs
  log=Fuzz/logs/runs/$t-$(date -u +%Y%m%dT%H%M%SZ).log
  [ ! -f "Fuzz/logs/$t.log" ] || [ -L "Fuzz/logs/$t.log" ] || mv "Fuzz/logs/$t.log" "Fuzz/logs/runs/$t-$(head -1 "Fuzz/logs/$t.log" | sed -nE 's/.*, ([0-9T:-]+Z)$/\1/p' | tr -d ':-' | sed 's/^$/before/').log"
  ln -sfn "runs/$(basename "$log")" "Fuzz/logs/$t.log"
  echo "▸ $t: ${SECONDS_PER_TARGET} s"
  # A « slow-unit » file is a report (libFuzzer goes on), not a failure: only other files count.
  before=$(ls "Fuzz/crashes/$t" | grep -vc '^slow-unit')
  echo "# relais-fuzz $(cat "$SCRATCH/relais-fuzz.commit" 2>/dev/null || echo '?'), max_len $(max_len "$t"), $(date -u +%FT%TZ)" > "$log"
  RELAIS_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=yes,interactive=no,color=no \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:handle_abort=1:handle_sigill=1} \
    "$BIN" "Fuzz/corpus/$t" $(flags "$t") -max_total_time="$SECONDS_PER_TARGET" ${FUZZ_EXTRA:-} >> "$log" 2>&1
  rc=$?
  # With -ignore_crashes libFuzzer exits 0: new files in crashes/ count too.
  new=$(( $(ls "Fuzz/crashes/$t" | grep -vc '^slow-unit') - before ))
  [ $rc -ne 0 ] || [ $new -le 0 ] || rc=1
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  # -fork prints no final stats: its last status line then.
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  [ -n "$rate" ] || rate=$(grep -oE 'exec/s: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  line=$(printf '%-16s exit %3s  %9s execs  %6s exec/s  cov %6s  new crash inputs %s' "$t" "$rc" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$new")
  summary+=("$line")
  if [ $rc -ne 0 ]; then
    artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
    [ -n "$artifact" ] || artifact=$(ls -t "Fuzz/crashes/$t"/* 2>/dev/null | head -1)
    what=$(grep -m1 -E '^SUMMARY: |ALARM: working on the last Unit|out-of-memory|ERROR: LeakSanitizer|Fatal error' "$log" | sed 's/^SUMMARY: //')
    top=$(grep -m1 -E '^ *#[0-9]+ .* /[^ ]*/Sources/[^ ]*\.swift:[0-9]+' "$log" | sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ in //' | swift demangle --simplified 2>/dev/null)
    [ -z "$top" ] || what="$what — at $top"
    failed+=("$t: ${what:-exit $rc} — input: ${artifact:-(none written, see $log)} — log: $log")
    echo "  ✗ $t: ${what:-exit $rc}"
    echo "    input: ${artifact:-?}"
  fi
done

echo
echo "── fuzz summary (${SECONDS_PER_TARGET} s per target) ──"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "✗ ${#failed[@]} target(s) failed:"
  printf '  %s\n' "${failed[@]}"
  echo "Distinct crashes: scripts/fuzz.sh --triage TARGET"
  echo "Replay: RELAIS_FUZZ_TARGET=TARGET $BIN INPUT   (or, without sanitizers: swift run relais-fuzz TARGET INPUT)"
  echo "Keep it: cp INPUT Fuzz/regressions/TARGET/  (RelaisFuzzTests replays that folder)"
  exit 1
fi
echo "✓ no crash, leak or timeout"
