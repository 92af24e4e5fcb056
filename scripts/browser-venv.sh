#!/usr/bin/env bash
# Makes (once) the virtual environment of the browser check and prints its Python:
# selenium and axe-selenium-python 3.x (axe-core 4.x), which need Python 3.12 or later —
# taken from pyenv, python3.13 or python3.12 when this machine has one.
#   RELAIS_BROWSER_VENV=… scripts/browser-venv.sh
set -euo pipefail
VENV="${RELAIS_BROWSER_VENV:-${TMPDIR:-/tmp}/relais-browser-venv}"
if ! "$VENV/bin/python" -c 'import selenium, axe_selenium_python' 2>/dev/null; then
  py=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$py" ] || py=$(command -v python3.13 || command -v python3.12 || command -v python3)
  "$py" -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q selenium "axe-selenium-python>=3" >&2 || "$VENV/bin/pip" install -q selenium axe-selenium-python >&2
fi
echo "$VENV/bin/python"
