#!/usr/bin/env bash
# /api/services at the first, middle and last page of a national-scale directory
# (100,000 listings by default), through a release `relais serve` and curl on the
# same machine: the median and 95th percentile of N requests per page. The last
# page should cost about what the first does (bounded cost per request).
#   scripts/bench-services.sh [N] [LISTINGS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
rows=${2:-100000}
swift build -c release --product relais --product relais-bench >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
.build/release/relais-bench make-db "$dir/big.sqlite" "$rows" >/dev/null
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
.build/release/relais serve --db "$dir/big.sqlite" --port "$port" --no-scheduler >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
base="http://127.0.0.1:$port/api/services"
total=$(curl -s "$base?per_page=20" | python3 -c 'import json,sys;print(json.load(sys.stdin)["total_pages"])')
gems=$(curl -s "$base?kind=gem&per_page=20" | python3 -c 'import json,sys;print(json.load(sys.stdin)["total_pages"])')
printf '%-50s %10s %10s\n' request median p95
for q in "page=1" "page=$((total / 2))" "page=$total" "kind=gem&page=1" "kind=gem&page=$gems" "departement=75&page=1" "q=entraide&page=1"; do
  curl -s -o /dev/null "$base?$q"
  for _ in $(seq "$n"); do curl -s -o /dev/null -w '%{time_total}\n' "$base?$q"; done | sort -n |
    awk -v q="$q" '{ a[NR] = $1 } END { printf "%-50s %7.1f ms %7.1f ms\n", q, a[int(NR / 2) + 1] * 1000, a[int(NR * 0.95)] * 1000 }'
done
