#!/usr/bin/env bash
# Best effort: the Python packages that check bundles with tools nobody here wrote (bagit,
# rocrate) in benchmarks/.venv. Without them those tests skip with a message, so a machine
# without PyPI still passes `make test`.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/benchmarks/.venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import bagit, rocrate" 2>/dev/null; then exit 0; fi
if python3 -m venv "$venv" >/dev/null 2>&1 && timeout 300 "$venv/bin/pip" install -q bagit rocrate >/dev/null 2>&1; then
  echo "setup: bagit and rocrate installed in benchmarks/.venv" >&2
else
  echo "setup: could not install bagit/rocrate from PyPI; the external bundle checks will be skipped" >&2
fi
exit 0
