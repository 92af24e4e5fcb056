#!/usr/bin/env bash
# Server-side answer time of each web page on the demonstration data: a
# release `relais serve` on a fresh store, N requests per page from curl on the
# same machine; prints the median and the 95th percentile of time_total.
#   scripts/bench-pages.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
swift build -c release --product relais >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
.build/release/relais serve --db "$dir/demo.sqlite" --port "$port" --no-scheduler >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
base="http://127.0.0.1:$port"
id=$(curl -s "$base/api/services?q=entraide&per_page=1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["contents"][0]["id"])')
pages=(
  "/"
  "/?q=entraide"
  "/orientation?audience=proche"
  "/orientation?audience=proche&needs=famille&needs=isolement&near=75011&radius_km=30"
  "/ressources/$id"
  "/fiche?ids=$id&needs=isolement&near=75011"
  "/proches?near=33000"
  "/annuaire?departement=75"
  "/calendrier.ics?near=33000"
)
printf '%-80s %8s %8s\n' page "median" "p95"
for p in "${pages[@]}"; do
  curl -s -o /dev/null "$base$p"  # warm the caches (referral index, templates)
  for _ in $(seq "$n"); do curl -s -o /dev/null -w '%{time_total}\n' "$base$p"; done | sort -n |
    awk -v page="$p" '{ a[NR] = $1 } END { printf "%-80s %6.1f ms %6.1f ms\n", page, a[int(NR / 2) + 1] * 1000, a[int(NR * 0.95)] * 1000 }'
done
