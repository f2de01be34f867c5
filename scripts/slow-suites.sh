#!/bin/sh
# Prints a `swift test --skip` pattern matching every suite or test tagged `.slow` in Tests/, so
# that `make test-fast` leaves them out. The tags in the sources are the one list: this toolchain's
# `swift test` does not filter by tag itself, so the names are read from where the tags are written.
set -eu
cd "$(dirname "$0")/.."
names=$(find Tests -name '*.swift' -exec awk '
  /\.tags\([^)]*\.slow/ { tagged = 1 }
  tagged && match($0, /(struct|func) [A-Za-z_][A-Za-z0-9_]*/) {
    split(substr($0, RSTART, RLENGTH), word, " "); print word[2]; tagged = 0
  }' {} + | sort -u | paste -sd'|' -)
[ -n "$names" ] || { echo "no suite is tagged .slow" >&2; exit 1; }
printf '[./](%s)\\b\n' "$names"
