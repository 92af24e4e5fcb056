#!/usr/bin/env bash
# Resident memory of `relais serve` holding a national-scale synthetic directory
# (100,000 listings), after its referral index is built and a few questions answered.
#   scripts/bench-serve-memory.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
swift build -c release --product relais >/dev/null && swift build -c release --product relais-bench >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
.build/release/relais-bench make-db "$dir/big.sqlite" "$rows" | grep -v info
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
.build/release/relais serve --db "$dir/big.sqlite" --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
for near in 75011 69003 13001 33000 21000 59000 31000 44000; do
  curl -s -o /dev/null "http://127.0.0.1:$port/api/referrals?needs=isolement,famille&audience=proche&near=$near&radius_km=30"
done
curl -s -o /dev/null "http://127.0.0.1:$port/api/services?q=entraide"
grep VmRSS /proc/$pid/status | awk -v r="$rows" '{printf "relais serve with %d listings: resident memory %.0f MB\n", r, $2/1024}'
