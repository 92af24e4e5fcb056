#!/usr/bin/env bash
# Runs the real-browser check: a `relais serve` on the embedded default, and
# headless Chromium driven through the DevTools protocol (scripts/browser-check.py).
#   scripts/browser-check.sh [OUT_DIR]   (screenshots and the PDF go to OUT_DIR, default out/browser)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/browser}
bin=${RELAIS_BIN:-.build/release/relais}
[ -x "$bin" ] || swift build -c release --product relais >/dev/null
dir=$(mktemp -d)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
# An admin account for the administration step (a throwaway store, a random password).
export ADMIN_PASSWORD=$(python3 -c 'import secrets;print(secrets.token_urlsafe(18))')
printf '%s\n' "$ADMIN_PASSWORD" | "$bin" admin add navigateur --password-stdin --db "$dir/relais.sqlite" >/dev/null
"$bin" serve --db "$dir/relais.sqlite" --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
# The browser venv's Python (3.12+): axe-selenium-python ships the axe-core the check injects.
py=$(scripts/browser-venv.sh)
"$py" scripts/browser-check.py "http://127.0.0.1:$port" "$out"
