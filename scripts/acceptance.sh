#!/usr/bin/env bash
# Runs ../shared/acceptance/run on the given stages and fails on any failed check,
# except those listed in scripts/acceptance-waivers.txt with the reason they cannot
# pass (printed again here, so nobody forgets them).
#   scripts/acceptance.sh STAGE...
set -uo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# One run per stage: each starts from its own empty work folder (stages run together share
# one, and the importers stage leaves a broken source there that a later `import --all` runs).
for stage in "$@"; do
  one=$(mktemp)
  "$SHARED/acceptance/run" "$stage" 2>&1 | tee "$one"
  tail -1 "$one" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$' || { echo "acceptance: no summary line for $stage (the run stopped early)"; rm -f "$one"; exit 1; }
  cat "$one" >>"$out"
  rm -f "$one"
done
failed=0
while IFS= read -r line; do
  check=${line#FAIL - }
  reason=$(awk -F'\t' -v c="$check" '!/^#/ && $1 == c { print $2 }' scripts/acceptance-waivers.txt)
  if [ -n "$reason" ]; then
    echo "◇ waived: $check — $reason"
  else
    failed=$((failed + 1))
  fi
done < <(grep '^FAIL - ' "$out")
[ "$failed" -eq 0 ] || { echo "acceptance: $failed check(s) failed"; exit 1; }
