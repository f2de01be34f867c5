#!/usr/bin/env bash
# The pseudonymisation check's scan (issue 12, item 8) against one regular expression per value,
# as it was: N patient codes and file names (each in UTF-8 and UTF-16 LE/BE for the automaton)
# searched in 20 MB of catalog-like JSON. Compiles Sources/Sharing/TokenMatcher.swift with a
# small driver (swiftc -O); no catalog needed. Usage: bash benchmarks/integrity/token-matcher.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d "${TMPDIR:-/tmp}/pleura-token-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$root/benchmarks/integrity/TokenMatcherBench.swift" "$work/main.swift"  # top-level code lives in main.swift
swiftc -O "$root/Sources/Sharing/TokenMatcher.swift" "$work/main.swift" -o "$work/bench"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/bench" "${RUNS:-5}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
