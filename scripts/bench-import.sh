#!/usr/bin/env bash
# `make bench-import`: the seeded directory of ../shared/bench/peer imported through `relais import`,
# as a CSV file and as an HSDS 3.0 API (pages of 1,000 services served on 127.0.0.1), each into a
# fresh store: wall time, listings per second and peak resident memory (/usr/bin/time). Then the
# same HSDS source again (every page answers 304: nothing read). A benchmark, never a test.
#
#   scripts/bench-import.sh                  100,000 listings
#   N=1000000 scripts/bench-import.sh        a million (generation takes a few minutes)
#   FORMATS="hsds" scripts/bench-import.sh   one format only
#
# Environment: SHARED (../shared), N (100000), FORMATS ("csv hsds"), WORK (/tmp/relais-bench-import),
# HSDS_PORT (18777). Everything generated stays under $WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=$(cd "${SHARED:-../shared}" && pwd)
N=${N:-100000}
FORMATS=${FORMATS:-csv hsds}
WORK=${WORK:-/tmp/relais-bench-import}
HSDS_PORT=${HSDS_PORT:-18777}
DATA=${DATA:-/tmp/relais-bench-http/data-$N}
mkdir -p "$WORK/Importers"
[ -x .build/release/relais ] || swift build -c release --product relais
RELAIS=$ROOT/.build/release/relais

echo "▸ directory: $N seeded listings ($DATA)"
[ -f "$DATA/listings.csv" ] || python3 "$SHARED/bench/peer/gen.py" --n "$N" --out "$DATA" --validate 0 >/dev/null

. scripts/peer-manifest.sh
peer_csv_manifest "$WORK/Importers/peer-csv.yml" peer-csv "Annuaire synthétique (CSV)" "$DATA/listings.csv"
pages=$(ls "$DATA/hsds" | grep -c '^services-p')
cat > "$WORK/Importers/peer-hsds.yml" <<YML
id: peer-hsds
title: Annuaire synthétique (HSDS)
url: http://127.0.0.1:$HSDS_PORT/hsds/services
format: hsds
schedule: "every 24h"
options:
  max_pages: $((pages + 1))
YML

# The HSDS API: /hsds/services?page=N → services-pN.json, with an ETag (so that a second run is 304).
if curl -s -o /dev/null "http://127.0.0.1:$HSDS_PORT/"; then echo "port $HSDS_PORT is taken: HSDS_PORT=… scripts/bench-import.sh"; exit 2; fi
server_pid=
cleanup() { [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
python3 - "$DATA/hsds" "$HSDS_PORT" > "$WORK/hsds-server.log" 2>&1 <<'PY' &
import http.server, os, sys, urllib.parse, hashlib
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        page = urllib.parse.parse_qs(u.query).get("page", ["1"])[0]
        path = os.path.join(root, f"services-p{page}.json")
        if u.path != "/hsds/services" or not page.isdigit() or not os.path.exists(path):
            self.send_response(404); self.end_headers(); return
        st = os.stat(path)
        tag = '"%x-%x"' % (st.st_size, int(st.st_mtime))
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304); self.send_header("ETag", tag); self.end_headers(); return
        body = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
server_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$HSDS_PORT/hsds/services?page=1" && break; sleep 0.2; done

run() {  # LABEL SOURCE DB
  local out=$WORK/$1.time
  /usr/bin/time -v -o "$out" "$RELAIS" import --db "$3" --manifests "$WORK/Importers" --source "$2" > "$WORK/$1.log" 2>&1 || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.2f", $2 / 1048576}' "$out")
  printf '| %s | %s s | %s listings/s | %s GB | %s |\n' "$1" "$wall" "$(echo "$N / $wall" | bc)" "$rss" "$(tail -1 "$WORK/$1.log" | cut -c1-90)"
}

echo "| import | wall | rate | peak resident | last line |"
echo "|---|---|---|---|---|"
for f in $FORMATS; do
  db=$WORK/relais-$f-$N.sqlite
  rm -f "$db" "$db-wal" "$db-shm"
  run "$f ($N)" "peer-$f" "$db"
  [ "$f" = hsds ] && run "$f again (304)" "peer-hsds" "$db"
done
