#!/usr/bin/env bash
# What checking every blob against its hash while reading it costs (issue 12, item 4): every
# blob of a catalog read as the commands read them, without the check and with it, alternating
# in one process, medians (`pleura bench verify`). The catalog: 8 synthetic patients of 8-12 s
# (as benchmarks/tile), the public real clips when ../shared/data/real-lus is there, transcoded,
# demo@1 built and split, a narrow one-epoch model.
# Usage: bash benchmarks/integrity/verify-cost.sh [WORKDIR]   (RUNS=7 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=${1:-${TMPDIR:-/tmp}/pleura-verify-bench}
pleura="$root/.build/release/pleura"
[ -x "$pleura" ] || (cd "$root" && swift build -c release >/dev/null)
mkdir -p "$work"
catalog="$work/catalog"
if [ ! -d "$catalog" ]; then
  "$pleura" init --catalog "$catalog" >/dev/null
  "$pleura" synthesize --catalog "$catalog" --patients 8 --min-seconds 8 --max-seconds 12 --seed 4 --style classic >/dev/null
  real="$root/../shared/data/real-lus"
  if [ -d "$real" ]; then
    n=0
    for clip in "$real"/*.mp4 "$real"/*.mpeg; do
      n=$((n + 1))
      "$pleura" ingest "$clip" --patient "REAL-$n" --label unknown --catalog "$catalog" >/dev/null
    done
  fi
  "$pleura" transcode --all --catalog "$catalog" --preset ultrafast >/dev/null
  "$pleura" dataset build demo --catalog "$catalog" >/dev/null
  "$pleura" split demo@1 --catalog "$catalog" >/dev/null
  "$pleura" train demo@1 --width 0.0625 --epochs 1 --catalog "$catalog" >/dev/null
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$pleura" bench verify --catalog "$catalog" --repetitions "${RUNS:-7}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
