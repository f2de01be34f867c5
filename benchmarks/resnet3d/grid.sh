#!/usr/bin/env bash
# Pleura's own throughput at the study's other cube sizes (60x60x60 and 60x90x90 inputs) for
# R18/34/50 at full width, for the wall-time estimate of the study's grid (grid_estimate.py).
# Pleura only: the peers' side-by-side figures are run.sh's (60x30x30).
#
#   bash benchmarks/resnet3d/grid.sh            # SIZES="60 90" DEPTHS="18 34 50"
#   python3 benchmarks/resnet3d/grid_estimate.py benchmarks/resnet3d/logs benchmarks/resnet3d/logs-grid
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"60 90"}
DEPTHS=${DEPTHS:-"18 34 50"}
LOGS=${LOGS:-benchmarks/resnet3d/logs-grid}
mkdir -p "$LOGS"
# BIN: an already built release binary (e.g. from --scratch-path .build-release); else built here.
if [ -z "${BIN:-}" ]; then
  swift build -c release --product pleura >/dev/null
  BIN="$(swift build -c release --show-bin-path)/pleura"
fi
for size in $SIZES; do
  for depth in $DEPTHS; do
    tag="r${depth}_${size}_rep1"
    echo "== $tag load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    echo "load $(cut -d' ' -f1-3 /proc/loadavg)" > "$LOGS/pleura_$tag.log"
    "$BIN" bench train --arch "resnet3d-$depth" --input "60x${size}x${size}" --batch 32 \
      --steps 3 --warmup 1 --threads 2 --json >> "$LOGS/pleura_$tag.log"
  done
done
