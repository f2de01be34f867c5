#!/usr/bin/env bash
# Best effort: the Python packages that check bundles with tools nobody here wrote (bagit,
# rocrate), and Selenium and Pillow for the workbench's browser test, in benchmarks/.venv.
# Without them the bundle checks skip with a message; the browser test needs them wherever
# Chromium is installed.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/benchmarks/.venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import bagit, rocrate, selenium, PIL" 2>/dev/null; then exit 0; fi
if python3 -m venv "$venv" >/dev/null 2>&1 && timeout 300 "$venv/bin/pip" install -q bagit rocrate selenium pillow >/dev/null 2>&1; then
  echo "setup: bagit, rocrate, selenium and pillow installed in benchmarks/.venv" >&2
else
  echo "setup: could not install bagit/rocrate/selenium/pillow from PyPI; the external bundle checks will be skipped" >&2
fi
exit 0
