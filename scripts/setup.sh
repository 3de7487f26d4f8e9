#!/usr/bin/env bash
# Installs everything renfang-archive needs on a fresh Debian machine:
# the system packages listed in scripts/system-packages.txt (apt), then a
# virtual environment in .venv/ with the locked Python dependencies and the
# project itself (editable, so `scrapy crawl` and `renfang` use the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(grep -v '^\s*#' scripts/system-packages.txt | tr -s ' \n' ' ')
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "renfang-archive needs Python 3.11, found " + sys.version' 
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip's and setuptools' chatter goes to .venv/setup.log; on a failure its end is shown
log=.venv/setup.log
quietly() { "$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "setup: failed: $* (whole log: $log)" >&2; exit 1; }; }
: >"$log"
quietly .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
quietly .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
echo "setup: ready (.venv/bin/renfang)"
