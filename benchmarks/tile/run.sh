#!/usr/bin/env bash
# Tiling into all_30x30 against decoding the same conversions alone (same decoder), in one
# process, alternating, medians (`pleura bench tile`); then the peak memory of
# `pleura dataset build all_30x30` on a 60 s video. Usage: bash benchmarks/tile/run.sh [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=${1:-${TMPDIR:-/tmp}/pleura-tile-bench}
pleura="$root/.build/release/pleura"
[ -x "$pleura" ] || (cd "$root" && swift build -c release >/dev/null)
mkdir -p "$work"
catalog="$work/catalog"
if [ ! -d "$catalog" ]; then
  "$pleura" init --catalog "$catalog" >/dev/null
  "$pleura" synthesize --catalog "$catalog" --patients 8 --min-seconds 8 --max-seconds 12 --seed 4 --style classic >/dev/null
  "$pleura" transcode --all --catalog "$catalog" --preset ultrafast >/dev/null
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$pleura" bench tile all_30x30 --catalog "$catalog" --repetitions "${RUNS:-5}"
long="$work/long"
if [ ! -d "$long" ]; then
  "$pleura" init --catalog "$long" >/dev/null
  "$pleura" synthesize --catalog "$long" --patients 1 --min-seconds 60 --max-seconds 60 --seed 5 --style classic >/dev/null
  "$pleura" transcode --all --catalog "$long" --preset ultrafast >/dev/null
fi
rm -rf "$long-copy" && cp -r "$long" "$long-copy"
/usr/bin/time -f "dataset build all_30x30 of a 60 s video: %e s, peak RSS %M KB" \
  "$pleura" dataset build all_30x30 --catalog "$long-copy" >/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
