#!/usr/bin/env bash
# `pleura export` / `pleura import` of a real dataset (all_30x30 of a synthetic collection)
# against `tar --zstd -cf` / `tar --zstd -xf` of the same files (the dataset's shard blobs),
# alternated, median of RUNS runs. Usage: bash benchmarks/bundle/cli.sh [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=${1:-${TMPDIR:-/tmp}/pleura-bundle-cli-bench}
runs=${RUNS:-5}
patients=${PATIENTS:-12}
pleura="$root/.build/release/pleura"
[ -x "$pleura" ] || (cd "$root" && swift build -c release >/dev/null)
mkdir -p "$work"
catalog="$work/site-a"
if [ ! -d "$catalog" ]; then
  "$pleura" init --catalog "$catalog" --site-name bench-a >/dev/null
  "$pleura" synthesize --catalog "$catalog" --patients "$patients" --min-seconds 8 --max-seconds 12 --seed 9 --style classic >/dev/null
  "$pleura" transcode --all --catalog "$catalog" --preset ultrafast >/dev/null
  "$pleura" dataset build all_30x30 --catalog "$catalog" >/dev/null
fi
# The files tar gets: the dataset's shards and sidecars, copied out of the store.
files="$work/files"
if [ ! -d "$files" ]; then
  mkdir -p "$files"
  "$pleura" export all_30x30@1 -o "$work/probe.tar.zst" --catalog "$catalog" >/dev/null
  tar --zstd -xf "$work/probe.tar.zst" -C "$work" && cp "$work"/all_30x30-1/data/blobs/* "$files"/ && rm -rf "$work/all_30x30-1" "$work/probe.tar.zst"
fi
size=$(du -sm "$files" | cut -f1)
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$work/times"
for i in $(seq "$runs"); do
  rm -rf "$work/b" "$work/out" "$work/out2" "$work/x.tar.zst" "$work/t.tar.zst"
  "$pleura" init --catalog "$work/b" >/dev/null
  mkdir -p "$work/out" "$work/out2"
  # Each step starts with nothing left to write back from the one before.
  sync; t0=$(now); "$pleura" export all_30x30@1 -o "$work/x.tar.zst" --catalog "$catalog" >/dev/null; t1=$(now)
  sync; t2=$(now); "$pleura" import "$work/x.tar.zst" --catalog "$work/b" >/dev/null; t3=$(now)
  sync; t4=$(now); tar --zstd -cf "$work/t.tar.zst" -C "$files" .; sync "$work/t.tar.zst"; t5=$(now)
  sync; t6=$(now); tar --zstd -xf "$work/t.tar.zst" -C "$work/out"; t7=$(now)
  # pleura import fsyncs every blob before its catalog commit; tar + sync is the durable equivalent.
  sync; t8=$(now); tar --zstd -xf "$work/t.tar.zst" -C "$work/out2"; sync -f "$work/out2"; t9=$(now)
  echo "$(echo "$t1-$t0" | bc) $(echo "$t3-$t2" | bc) $(echo "$t5-$t4" | bc) $(echo "$t7-$t6" | bc) $(echo "$t9-$t8" | bc)" >> "$work/times"
done
pe=$(cut -d' ' -f1 "$work/times" | median); pi=$(cut -d' ' -f2 "$work/times" | median)
te=$(cut -d' ' -f3 "$work/times" | median); ti=$(cut -d' ' -f4 "$work/times" | median)
ts=$(cut -d' ' -f5 "$work/times" | median)
echo "payload ${size} MB, ${runs} runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| step | pleura s | tar s | ratio |\n|---|---|---|---|\n'
printf '| export vs tar --zstd -cf + sync | %.2f | %.2f | %.2fx |\n' "$pe" "$te" "$(echo "$pe/$te" | bc -l)"
printf '| import vs tar --zstd -xf | %.2f | %.2f | %.2fx |\n' "$pi" "$ti" "$(echo "$pi/$ti" | bc -l)"
printf '| import vs tar --zstd -xf + sync | %.2f | %.2f | %.2fx |\n' "$pi" "$ts" "$(echo "$pi/$ts" | bc -l)"
