#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: on 127.0.0.1 only, its data in
# a folder of its own, no fsync (nothing here is worth keeping). Debian's packages, installed
# when missing.
#
#   scripts/postgres.sh start [DIR] [PORT]   prints the URL of the `relais` database (trust auth)
#   scripts/postgres.sh stop [DIR]
#
# DIR defaults to /tmp/relais-postgres, PORT to 54329 (Debian's own cluster keeps 5432).
set -euo pipefail
cmd=${1:-start}
DIR=${2:-/tmp/relais-postgres}
PORT=${3:-54329}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

install() {
  [ -n "$BIN" ] && [ -x "$BIN/initdb" ] && return
  echo "▸ installing PostgreSQL (Debian)" >&2
  (apt-get install -y -q postgresql postgresql-contrib libpq-dev >/dev/null 2>&1) || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql postgresql-contrib libpq-dev >/dev/null; }
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
}

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $cmd in
  start)
    install
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      as_postgres "$BIN/initdb" -D "$DIR/data" -U relais --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi
    if ! as_postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
        || { tail -20 "$DIR/log" >&2; exit 1; }
    fi
    "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U relais -d postgres -tAq -c "SELECT 1 FROM pg_database WHERE datname = 'relais'" | grep -q 1 \
      || "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U relais -d postgres -q -c "CREATE DATABASE relais"
    echo "postgres://relais@127.0.0.1:$PORT/relais"
    ;;
  stop)
    [ -n "$BIN" ] && [ -f "$DIR/data/PG_VERSION" ] && as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
