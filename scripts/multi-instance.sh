#!/usr/bin/env bash
# Several instances, one PostgreSQL (issue 15), with the real parts: a throwaway cluster
# (scripts/postgres.sh), `relais serve` processes on loopback behind a small round-robin proxy
# (scripts/rr-proxy.py), a 50,000-row CSV source served over HTTP. Run by `make test`.
#
#  1. Instance « alpha » runs the 50,000-row import; it is killed with SIGKILL while the run's
#     transaction is open: nothing of it is in the database (no listing, no record).
#  2. Instance « beta » (another host, as far as leases go) waits for alpha's lease to expire,
#     takes the source over and completes it: every row is there, as many listings, schedule
#     rows and identity keys as the same file imported into SQLite; the ledger shows alpha's
#     run interrupted and beta's a success, and no two runs of the source overlapping.
#  3. Alpha again, and the proxy in front of both: an import started through alpha's admin API
#     is visible through beta (search and referral) within 2 s of its commit.
#  4. Alpha killed while requests go through the proxy: every request is answered.
#
# Prints one line per check; exits 1 if any failed. RELAIS_BIN (default .build/release/relais).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=$(cd "${SHARED:-../shared}" && pwd)
BIN=${RELAIS_BIN:-$ROOT/.build/release/relais}
[ -x "$BIN" ] || swift build -c release --product relais
WORK=$(mktemp -d /tmp/relais-multi-XXXXXX); chmod 755 "$WORK"  # the postgres user reaches its cluster inside
LEASE=8
ROWS=${ROWS:-50000}
passed=0; failed=0; pids=()
ok() { echo "ok   - $1"; passed=$((passed + 1)); }
ko() { echo "FAIL - $1"; failed=$((failed + 1)); }
check() { if eval "$1"; then ok "$2"; else ko "$2"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  scripts/postgres.sh stop "$WORK/pg" >/dev/null 2>&1
  [ "$failed" -eq 0 ] && rm -rf "$WORK" || echo "(kept: $WORK)"
}
trap cleanup EXIT

PGPORT=$(free_port)
URL=$(scripts/postgres.sh start "$WORK/pg" "$PGPORT") || { echo "FAIL - PostgreSQL did not start"; exit 1; }
PSQL=("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" -h 127.0.0.1 -p "$PGPORT" -U relais -d relais -Atq)
sql() { "${PSQL[@]}" -c "$1" 2>/dev/null; }

echo "▸ data: $ROWS seeded listings served over HTTP"
python3 "$SHARED/bench/peer/gen.py" --n "$ROWS" --out "$WORK/data" --validate 0 >/dev/null
HTTP=$(free_port)
(cd "$WORK/data" && exec python3 -m http.server "$HTTP" --bind 127.0.0.1 >/dev/null 2>&1) & pids+=($!)
. scripts/peer-manifest.sh
mkdir -p "$WORK/m" "$WORK/ref"
peer_csv_manifest "$WORK/m/big.yml" big "Annuaire de $ROWS fiches" "$WORK/data/listings.csv"
sed -i "s|^url: file://.*|url: http://127.0.0.1:$HTTP/listings.csv|" "$WORK/m/big.yml"
# Five listings of their own (names, phones, streets no other listing has: no twin to join).
python3 - "$WORK/data/listings.csv" "$WORK/data/small.csv" <<'PY'
import csv, sys
rows = csv.DictReader(open(sys.argv[1], newline=""))
out = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=rows.fieldnames)
out.writeheader()
for k, r in zip(range(5), rows):
    r.update(id=f"temoin-{k}", name=f"Maison des Pairs témoin n° {k}", phone=f"+3356999000{k}", address_1=f"{k + 1} impasse des Témoins")
    out.writerow(r)
PY
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$HTTP/listings.csv" && break; sleep 0.1; done

serve() {  # NAME PORT [MANIFESTS]: an instance, its log in $WORK/NAME.log; sets $last_pid
  (cd "$WORK" && RELAIS_INSTANCE=$1 exec "$BIN" serve --db "$URL" --port "$2" --manifests "${3:-$WORK/m}" --lease-seconds "$LEASE" --concurrency 1 >>"$WORK/$1.log" 2>&1) &
  last_pid=$!; pids+=($last_pid)
  for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$2/health" && return 0; sleep 0.2; done
  return 1
}

echo "▸ 1. alpha runs the import and is killed mid-transaction"
PA=$(free_port); PB=$(free_port)
serve alpha "$PA"; alpha=$last_pid
# The listings' advisory lock (PostgresStore.Lock.listings) held while big's run is open: alpha is applying it.
inside=0
for _ in $(seq 600); do
  if [ "$(sql "SELECT count(*) FROM run WHERE source_id = 'big' AND status = 'running'")" = 1 ] \
     && [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7301002 AND granted")" = 1 ]; then inside=1; break; fi
  sleep 0.1
done
sleep 3
before=$(sql "SELECT count(*) FROM service")
kill -9 "$alpha"; wait "$alpha" 2>/dev/null
killed_at=$(date +%s)
check '[ $inside = 1 ]' "alpha was applying the run (its transaction open) when it was killed"
sleep 1
check '[ "$(sql "SELECT count(*) FROM service")" = "$before" ] && [ "$(sql "SELECT count(*) FROM source_record WHERE source_id = '"'big'"'")" = 0 ]' \
  "nothing of the killed run is in the database ($before listings, no record of it)"
check '[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = '"'advisory'"' AND objid = 7301002")" = 0 ]' "the dead instance's lock is gone with its connection"

echo "▸ 2. beta takes the source over once alpha's lease has expired"
serve beta "$PB"; beta=$last_pid
done_ok=0
for _ in $(seq 1200); do
  [ "$(sql "SELECT count(*) FROM run WHERE source_id = 'big' AND status = 'success'")" = 1 ] && { done_ok=1; break; }
  sleep 0.25
done
check '[ $done_ok = 1 ]' "beta completed the import"
took_over=$(sql "SELECT extract(epoch FROM started_at)::bigint FROM run WHERE source_id = 'big' AND status = 'success'")
check '[ -n "$took_over" ] && [ $((took_over - killed_at)) -ge $((LEASE - 4)) ]' "beta waited for the lease to expire (took over $(( ${took_over:-0} - killed_at )) s after the kill; lease $LEASE s)"
check '[ "$(sql "SELECT string_agg(status, '"','"' ORDER BY id) FROM run WHERE source_id = '"'big'"'")" = "interrupted,success" ]' \
  "the ledger: alpha's run interrupted, beta's a success ($(sql "SELECT string_agg(status || ' (' || owner || ')', ', ' ORDER BY id) FROM run WHERE source_id = 'big'"))"
check '[ "$(sql "SELECT count(*) FROM run a JOIN run b ON a.source_id = b.source_id AND a.id < b.id WHERE COALESCE(a.ended_at, now()) > b.started_at")" = 0 ]' \
  "no source ever ran twice at once (no two runs of one source overlap in the ledger)"
"$BIN" import --db "$WORK/ref/ref.sqlite" --manifests "$WORK/m" --source big >/dev/null 2>&1
# The same file imported into SQLite: the listings of the source alone (here, a few may have
# joined a bundled listing as twins; that store has none) have as many rows of every kind.
sql "SELECT id FROM service WHERE id IN (SELECT service_id FROM source_record WHERE source_id = 'big') AND id NOT IN (SELECT service_id FROM source_record WHERE source_id <> 'big')" > "$WORK/ref/ids.txt"
ref() { sqlite3 "$WORK/ref/ref.sqlite" "CREATE TEMP TABLE ids (id TEXT PRIMARY KEY);" ".import $WORK/ref/ids.txt ids" "$1"; }
alone=$(wc -l < "$WORK/ref/ids.txt")
check '[ "$(ref "SELECT count(*) FROM service WHERE id IN (SELECT id FROM ids)")" = "$alone" ] && [ "$alone" -gt $((ROWS - 100)) ]' \
  "nothing lost: the $alone listings of the source alone are all in SQLite's import of the same file"
for t in "schedule|service_id" "service_key|service_id" "session|service_id"; do
  table=${t%%|*}; col=${t#*|}
  a=$(sql "SELECT count(*) FROM $table WHERE $col IN (SELECT id FROM service WHERE id IN (SELECT service_id FROM source_record WHERE source_id = 'big') AND id NOT IN (SELECT service_id FROM source_record WHERE source_id <> 'big'))")
  b=$(ref "SELECT count(*) FROM $table WHERE $col IN (SELECT id FROM ids)")
  check '[ -n "$a" ] && [ "$a" = "$b" ]' "nothing half-written: $table rows of those listings as in SQLite ($a / $b)"
done
a=$(sql "SELECT md5(string_agg(id || content, '' ORDER BY id)) FROM service WHERE id IN (SELECT service_id FROM source_record WHERE source_id = 'big') AND id NOT IN (SELECT service_id FROM source_record WHERE source_id <> 'big')")
b=$(ref "SELECT group_concat(id || content, '') FROM (SELECT id, content FROM service WHERE id IN (SELECT id FROM ids) ORDER BY id)" | tr -d '\n' | md5sum | cut -d' ' -f1)
check '[ -n "$a" ] && [ "$a" = "$b" ]' "every listing's content as SQLite's, byte for byte (md5 $a)"
check '[ "$(sql "SELECT count(*) FROM source_record r WHERE NOT EXISTS (SELECT 1 FROM service s WHERE s.id = r.service_id)")" = 0 ]' "every record's listing exists"

echo "▸ 3. alpha again, both behind the proxy: a write through alpha seen through beta"
mkdir -p "$WORK/ma" && cp "$WORK/m/big.yml" "$WORK/ma/"
serve alpha "$PA" "$WORK/ma"; alpha=$last_pid
PP=$(free_port)
python3 scripts/rr-proxy.py "$PP" "$PA" "$PB" >"$WORK/proxy.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$PP/health" && break; sleep 0.1; done
token=$(cd "$WORK" && "$BIN" admin add ops --token --db "$URL" 2>/dev/null | sed -n 's/^Jeton d’API[^:]*: //p')
check '[ -n "$token" ]' "an admin token made with relais admin add"
# The source appears now, in alpha's folder only (a manifest dropped there): no scheduler ran it before.
peer_csv_manifest "$WORK/ma/small.yml" small "Quelques fiches" "$WORK/data/small.csv"
sed -i "s|^url: file://.*|url: http://127.0.0.1:$HTTP/small.csv|" "$WORK/ma/small.yml"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$PA/api/admin/sources/small/run")
check '[ "$status" = 202 ]' "the small source started through alpha's admin API ($status)"
committed=0
for _ in $(seq 400); do
  [ "$(sql "SELECT count(*) FROM run WHERE source_id = 'small' AND status = 'success'")" = 1 ] && { committed=1; break; }
  sleep 0.05
done
t0=$(date +%s.%N)
pc=$(python3 -c 'import csv,sys; r=next(csv.DictReader(open(sys.argv[1]))); print(r["postal_code"], r["needs"].split(",")[0])' "$WORK/data/small.csv")
need=${pc#* }; pc=${pc%% *}
since() { echo "$(date +%s.%N) - $t0" | bc; }
seen=""; referred=""
for _ in $(seq 300); do
  if [ -z "$seen" ]; then
    found=$(curl -s -G "http://127.0.0.1:$PB/api/services" --data-urlencode "q=témoin" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total_items", 0))' 2>/dev/null)
    [ "${found:-0}" -ge 5 ] && seen=$(since)
  fi
  refer=$(curl -s -G "http://127.0.0.1:$PB/api/referrals" --data-urlencode "needs=$need" --data-urlencode "near=$pc" --data-urlencode "limit=50" \
    | python3 -c 'import json,sys; print(sum("témoin" in s["name"] for s in json.load(sys.stdin)["suggestions"]))' 2>/dev/null)
  [ "${refer:-0}" -ge 1 ] && { referred=$(since); break; }
  sleep 0.05
done
check '[ $committed = 1 ] && [ -n "$seen" ] && [ "$(echo "$seen < 2" | bc)" = 1 ]' "an import through alpha is listed through beta within 2 s of its commit (${seen:-never} s)"
# The referral index is rebuilt whole when the data version moves: seconds at 50,000 listings.
check '[ -n "$referred" ] && [ "$(echo "$referred < 15" | bc)" = 1 ]' "and suggested by beta's referrals once its index is rebuilt (${referred:-never} s)"

echo "▸ 4. alpha killed while requests go through the proxy"
( for i in $(seq 300); do curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PP/api/services?per_page=5&page=$(( i % 7 + 1 ))"; done > "$WORK/codes.txt" ) &
load=$!
sleep 0.5; kill -9 "$alpha"
wait "$load"
check '[ "$(grep -c "^200$" "$WORK/codes.txt")" = 300 ]' "every request answered while an instance died ($(sort "$WORK/codes.txt" | uniq -c | tr -s ' ' | tr '\n' ' '))"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
