#!/usr/bin/env bash
# Installs the Python tools the bundle tests check against (bagit, rocrate, roc-validator) into
# benchmarks/.venv, which BundleTests uses when it exists. Without them those tests are skipped.
# Takes about a minute (roc-validator pulls rdflib and pyshacl).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
python3 -m venv "$root/benchmarks/.venv"
"$root/benchmarks/.venv/bin/pip" install -q bagit rocrate roc-validator
echo "installed into $root/benchmarks/.venv"
