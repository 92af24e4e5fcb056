#!/usr/bin/env bash
# `make bench-http`: Relais's /api/referrals against the peer (Datasette with one canned SQL
# query, ../shared/bench/peer/), same seeded directory, same 50 questions, same wrk settings,
# in interleaved rounds (peer, Relais, peer, Relais…): only ratios from one run mean anything
# on a shared 2-core machine. A benchmark, never a test: it prints figures, it fails nothing.
#
#   scripts/bench-http.sh                 100,000 listings, 2 rounds of 10 s per run
#   N=10000 ROUNDS=3 DURATION=15s scripts/bench-http.sh
#
# Environment: SHARED (../shared), N (100000), ROUNDS (2), DURATION (10s), WORK (/tmp/relais-bench-http),
# PORT (18090, Relais), PEER_PORT (18765, the peer). Needs wrk (Debian) and python3 (the peer's venv
# is made by its own script, from PyPI). Everything generated stays under $WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=$(cd "${SHARED:-../shared}" && pwd)
N=${N:-100000}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WORK=${WORK:-/tmp/relais-bench-http}
PORT=${PORT:-18090}
PEER_PORT=${PEER_PORT:-18765}
PEER=$SHARED/bench/peer
DATA=$WORK/data-$N
OUT=$WORK/results
mkdir -p "$WORK" "$OUT" "$WORK/Importers"
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || { echo "wrk is missing: apt-get install wrk"; exit 2; }; }
[ -x .build/release/relais ] || swift build -c release --product relais
RELAIS=$ROOT/.build/release/relais

echo "▸ directory: $N seeded listings ($DATA)"
[ -f "$DATA/listings.csv" ] || python3 "$PEER/gen.py" --n "$N" --out "$DATA" --validate 0 >/dev/null

. scripts/peer-manifest.sh
peer_csv_manifest "$WORK/Importers/peer.yml" peer "Annuaire synthétique du banc d’essai" "$DATA/listings.csv"

DB=$WORK/relais-$N.sqlite
if [ ! -f "$DB" ]; then
  t0=$(date +%s.%N)
  "$RELAIS" import --db "$DB" --manifests "$WORK/Importers" --source peer | tail -1
  echo "  CSV import: $(echo "$(date +%s.%N) - $t0" | bc) s"
fi

relais_pid=
cleanup() {
  [ -z "$relais_pid" ] || kill "$relais_pid" 2>/dev/null || true
  WORK=$WORK DATA=$DATA OUT=$OUT PORT=$PEER_PORT "$PEER/peer-datasette.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "▸ relais serve on 127.0.0.1:$PORT"
"$RELAIS" serve --db "$DB" --port "$PORT" --no-scheduler --manifests "$WORK/Importers" > "$OUT/relais-serve.log" 2>&1 &
relais_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
t0=$(date +%s.%N)
curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/referrals?needs=isolement&near=75011" || true
echo "  first referral (index build): $(echo "$(date +%s.%N) - $t0" | bc) s; resident $(($(awk '/VmRSS/ {print $2}' /proc/$relais_pid/status) / 1024)) MiB"

echo "▸ the peer (Datasette) on 127.0.0.1:$PEER_PORT"
for step in setup load serve check; do
  WORK=$WORK DATA=$DATA OUT=$OUT PORT=$PEER_PORT DURATION=$DURATION "$PEER/peer-datasette.sh" $step > "$OUT/peer-$step.log" 2>&1 || { echo "peer $step failed: $OUT/peer-$step.log"; exit 1; }
done

: > "$OUT/all.jsonl"
for r in $(seq "$ROUNDS"); do
  echo "▸ round $r/$ROUNDS: peer, then Relais"
  WORK=$WORK DATA=$DATA OUT=$OUT PORT=$PEER_PORT DURATION=$DURATION "$PEER/peer-datasette.sh" bench > "$OUT/peer-bench-$r.log" 2>&1
  grep -h '"run": "canned' "$OUT/wrk-summary.jsonl" | sed "s/}\$/, \"round\": $r}/" >> "$OUT/all.jsonl"
  WORK=$WORK DATA=$DATA OUT=$OUT DURATION=$DURATION "$PEER/relais-wrk.sh" "http://127.0.0.1:$PORT" > "$OUT/relais-bench-$r.log" 2>&1
  grep -h '"run": "relais' "$OUT/relais-wrk-summary.jsonl" | sed "s/}\$/, \"round\": $r}/" >> "$OUT/all.jsonl"
  # The same questions, answers gzipped (what a client library asks for): the cost of compression.
  wrk -t2 -c32 -d"$DURATION" --latency -H "Accept-Encoding: gzip" -s "$PEER/cycle.lua" "http://127.0.0.1:$PORT" -- "$WORK/relais-urls.txt" > "$OUT/relais-wrk-gzip-$r.txt" 2>&1
  grep WRKJSON "$OUT/relais-wrk-gzip-$r.txt" | sed 's/^WRKJSON //' \
    | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d['run']='relais-gzip-c32'; d['round']=$r; print(json.dumps(d))" >> "$OUT/all.jsonl"
done

python3 - "$OUT/all.jsonl" "$N" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
print(f"\n{n:,} listings — req/s and latency (ms) per run, rounds interleaved")
print("| connections | round | peer req/s | peer p50 / p90 / p99 | Relais req/s | Relais p50 / p90 / p99 | Relais / peer |")
print("|---|---|---|---|---|---|---|")
for c in (32, 2):
    for r in sorted({x["round"] for x in rows}):
        p = next((x for x in rows if x["round"] == r and x["run"] == f"canned-c{c}"), None)
        q = next((x for x in rows if x["round"] == r and x["run"] == f"relais-c{c}"), None)
        if not p or not q: continue
        f = lambda x: f"{x['p50_us']/1000:.2f} / {x['p90_us']/1000:.2f} / {x['p99_us']/1000:.2f}"
        print(f"| {c} | {r} | {p['rps']:,.0f} | {f(p)} | {q['rps']:,.0f} | {f(q)} | {q['rps']/p['rps']:.1f}× |")
print("\nRelais at 32 connections, answers plain then gzipped (Accept-Encoding: gzip), same round")
print("| round | plain req/s | gzip req/s | gzip p50 / p90 / p99 | throughput lost to gzip |")
print("|---|---|---|---|---|")
for r in sorted({x["round"] for x in rows}):
    q = next((x for x in rows if x["round"] == r and x["run"] == "relais-c32"), None)
    g = next((x for x in rows if x["round"] == r and x["run"] == "relais-gzip-c32"), None)
    if not q or not g: continue
    print(f"| {r} | {q['rps']:,.0f} | {g['rps']:,.0f} | {g['p50_us']/1000:.2f} / {g['p90_us']/1000:.2f} / {g['p99_us']/1000:.2f} | {100 * (1 - g['rps'] / q['rps']):.0f} % |")
PY
