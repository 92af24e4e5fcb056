#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks to build Relais:
# Debian's libcurl (OpenSSL flavour), libxml2, zlib, SQLite, OpenSSL (libcrypto) and libpq headers.
set -euo pipefail
# `scripts/bootstrap.sh chromium` installs what the browser check drives and measures with:
# Debian's Chromium, its WebDriver (chromium-driver, for the outside acceptance checks) and
# poppler-utils (pdfinfo counts the printed sheet's pages).
if [ "${1:-}" = chromium ]; then
  want=()
  command -v chromium >/dev/null || want+=(chromium)
  command -v chromedriver >/dev/null || want+=(chromium-driver)
  command -v pdfinfo >/dev/null || want+=(poppler-utils)
  [ ${#want[@]} -gt 0 ] || exit 0
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "bootstrap: installing ${want[*]} (browser check)"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${want[@]}" >/dev/null
  exit 0
fi
need=()
[ -f /usr/include/curl/curl.h ] || [ -f "/usr/include/$(uname -m)-linux-gnu/curl/curl.h" ] || need+=(libcurl4-openssl-dev)
[ -f /usr/include/libxml2/libxml/HTMLparser.h ] || need+=(libxml2-dev)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
[ -f /usr/include/libdeflate.h ] || need+=(libdeflate-dev)
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
[ -f /usr/include/openssl/evp.h ] || need+=(libssl-dev)
[ -f /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "bootstrap: swift is not on PATH (expected /opt/swift/usr/bin)"; exit 1; }
