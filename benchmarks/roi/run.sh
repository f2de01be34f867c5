#!/usr/bin/env bash
# ROI suggestion against truth: `pleura bench roi` on 210 realistic synthetic videos (both probes, the
# study's sizes and public clips' sizes, 2-6 s, every generator feature), written through the encoder
# and suggested from the file, scored by IoU with the generator's true ROI and by the share of each box
# outside the true image region; then the real clips in ../shared/data/real-lus/ against rois.csv.
# Each figure also for the previous suggester (the one before the realistic generator) on the same videos.
# A quality benchmark: no timing. Usage: bash benchmarks/roi/run.sh [VIDEOS] [SEED]
# (PREVIOUS=0 leaves the previous suggester out, which halves the run; the seeds are checked apart:
# tune on one, confirm on others).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pleura="$root/.build/release/pleura"
[ -x "$pleura" ] || (cd "$root" && swift build -c release --product pleura >/dev/null)
real="${PLEURA_REAL_LUS:-$root/../shared/data/real-lus}"
args=(bench roi --videos "${1:-210}" --seed "${2:-1}")
[ "${PREVIOUS:-1}" = 1 ] && args+=(--previous)
[ -d "$real" ] && args+=(--real "$real")
echo "command: pleura ${args[*]}"
"$pleura" "${args[@]}"
