#!/usr/bin/env bash
# How the answer time grows with the directory: /api/referrals at 2 connections (wrk, the
# peer's 50 questions of each size) over seeded directories of several sizes, in interleaved
# rounds (10k, 1M, 10k, 1M…), with the index read back from the file kept beside each store.
# A benchmark, never a test: it prints figures, it fails nothing.
#
#   scripts/bench-growth.sh                  10,000 and 1,000,000 listings, 2 rounds of 10 s
#   SIZES="10000 100000 1000000" ROUNDS=3 scripts/bench-growth.sh
#
# Each size uses $WORK/relais-N.sqlite (imported from the seeded CSV when missing, as
# scripts/bench-http.sh does: a million rows take a few minutes) and $WORK/data-N/questions.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=$(cd "${SHARED:-../shared}" && pwd)
SIZES=${SIZES:-10000 1000000}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WORK=${WORK:-/tmp/relais-bench-http}
PORT=${PORT:-18091}
PEER=$SHARED/bench/peer
mkdir -p "$WORK/Importers"
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || { echo "wrk is missing: apt-get install wrk"; exit 2; }; }
[ -x .build/release/relais ] || swift build -c release --product relais
RELAIS=$ROOT/.build/release/relais
. scripts/peer-manifest.sh

for n in $SIZES; do
  data=$WORK/data-$n db=$WORK/relais-$n.sqlite
  [ -f "$data/listings.csv" ] || python3 "$PEER/gen.py" --n "$n" --out "$data" --validate 0 >/dev/null
  if [ ! -f "$db" ]; then
    peer_csv_manifest "$WORK/Importers/peer.yml" peer "Annuaire synthétique du banc d’essai" "$data/listings.csv"
    "$RELAIS" import --db "$db" --manifests "$WORK/Importers" --source peer | tail -1
  fi
  python3 -c "import json,sys; [print(q['relais_path']) for q in json.load(open(sys.argv[1]))]" "$data/questions.json" > "$WORK/growth-urls-$n.txt"
done

printf '%-10s %-6s %10s %9s %9s %9s\n' listings round "req/s" "p50 ms" "p90 ms" "p99 ms"
for r in $(seq 1 "$ROUNDS"); do
  for n in $SIZES; do
    "$RELAIS" serve --db "$WORK/relais-$n.sqlite" --port "$PORT" --no-scheduler > "$WORK/growth-serve-$n.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do sleep 0.05; done
    wrk -t2 -c8 -d3s -s "$PEER/cycle.lua" "http://127.0.0.1:$PORT" -- "$WORK/growth-urls-$n.txt" > /dev/null 2>&1
    wrk -t2 -c2 -d"$DURATION" --latency -s "$PEER/cycle.lua" "http://127.0.0.1:$PORT" -- "$WORK/growth-urls-$n.txt" > "$WORK/growth-$n-$r.txt" 2>&1
    kill "$pid"; wait "$pid" 2>/dev/null || true
    grep WRKJSON "$WORK/growth-$n-$r.txt" | sed 's/^WRKJSON //' | python3 -c "
import json,sys; d=json.loads(sys.stdin.read())
print('%-10s %-6s %10.0f %9.2f %9.2f %9.2f' % ('$n', '$r', d['rps'], d['p50_us'] / 1000, d['p90_us'] / 1000, d['p99_us'] / 1000))"
  done
done
