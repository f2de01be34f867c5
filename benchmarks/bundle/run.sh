#!/usr/bin/env bash
# Bundle export/import against GNU tar on the same files (issue 7, section 6).
#
#   benchmarks/bundle/run.sh            # 300 MB payload, 5 runs each
#   SIZE_MB=600 RUNS=7 benchmarks/bundle/run.sh
#
# Pleura: BagWriter (tar + zstd level 3 via libarchive, SHA-256 of every file, bag tag files,
# fsync of the archive) and BagReader (extract into staging, SHA-256, full BagIt verification),
# driven by the BundleBenchmark test in a release build. Tar: `tar --zstd -cf` (then `sync` of
# the archive, since BagWriter fsyncs) and `tar --zstd -xf`, which verify nothing. Both read the
# same payload from the page cache and write to the same disk. Reports medians and ratios.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/benchmarks/work/bundle"
size_mb="${SIZE_MB:-300}"
runs="${RUNS:-5}"
mkdir -p "$work"
cd "$root"

# Payload: .npy-like files (a 128-byte header, then uint8 frames 256 x 400 like a B-mode sector
# scan: speckle-like noise inside the fan, black (0) in the 40 % of each row outside it), so zstd
# compresses them to about 60 %, roughly like real ultrasound clips.
if [ ! -f "$work/.payload-$size_mb" ]; then
  rm -rf "$work/payload"
  mkdir -p "$work/payload"
  python3 - "$work/payload" "$size_mb" <<'PY'
import os, sys
out, size_mb = sys.argv[1], int(sys.argv[2])
file_mb, width = 5, 400
n = file_mb << 20
table = bytes(min(255, (b * b) >> 8) for b in range(256))
row = b"\0" * 80 + b"\xff" * 240 + b"\0" * 80
mask = int.from_bytes((row * (n // width + 1))[:n], "little")
for i in range(size_mb // file_mb):
    sub = os.path.join(out, "%02x" % (i % 16))
    os.makedirs(sub, exist_ok=True)
    header = b"\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (51, 256, 400), }"
    noise = int.from_bytes(os.urandom(n).translate(table), "little")
    with open(os.path.join(sub, "clip-%04d.npy" % i), "wb") as f:
        f.write(header.ljust(127) + b"\n")
        f.write((noise & mask).to_bytes(n, "little"))
PY
  rm -f "$work"/.payload-*
  touch "$work/.payload-$size_mb"
fi
payload_bytes=$(du -sb "$work/payload" | cut -f1)

echo "== building (release)" >&2
swift build -c release --build-tests >&2

# Runs alternate (pleura, tar, pleura, tar, ...) so that both meet the same background load.
echo "== $runs runs, alternating pleura and tar" >&2
: > "$work/pleura.txt"
: > "$work/tar.txt"
: > "$work/load.txt"
now() { date +%s.%N; }
diff() { awk "BEGIN { printf \"%.3f\", $1 - $2 }"; }
for run in $(seq "$runs"); do
  cut -d' ' -f1 /proc/loadavg >> "$work/load.txt"
  PLEURA_BENCH_BUNDLE=1 PLEURA_BENCH_PAYLOAD="$work/payload" PLEURA_BENCH_WORK="$work" PLEURA_BENCH_RUNS=1 \
    swift test -c release --skip-build --filter BundleBenchmark 2>&1 | grep '^BENCH' | sed "s/run=1/run=$run/" \
    | tee -a "$work/pleura.txt" >&2
  rm -rf "$work/tar.tar.zst" "$work/untar"
  t0=$(now)
  tar --zstd -cf "$work/tar.tar.zst" -C "$work" payload
  t1=$(now)
  sync "$work/tar.tar.zst"
  t2=$(now)
  mkdir "$work/untar"
  t3=$(now)
  tar --zstd -xf "$work/tar.tar.zst" -C "$work/untar"
  t4=$(now)
  {
    echo "BENCH create $(diff "$t1" "$t0") run=$run archive=$(stat -c %s "$work/tar.tar.zst")"
    echo "BENCH create+sync $(diff "$t2" "$t0") run=$run"
    echo "BENCH extract $(diff "$t4" "$t3") run=$run"
  } | tee -a "$work/tar.txt" >&2
done
rm -rf "$work/tar.tar.zst" "$work/untar"

python3 - "$work/pleura.txt" "$work/tar.txt" "$payload_bytes" "$runs" <<'PY'
import statistics, sys
def medians(path):
    runs = {}
    for line in open(path):
        _, phase, seconds, *_ = line.split()
        runs.setdefault(phase, []).append(float(seconds))
    return {k: statistics.median(v) for k, v in runs.items()}
p, t = medians(sys.argv[1]), medians(sys.argv[2])
mb = int(sys.argv[3]) / 1e6
print(f"payload {mb:.0f} MB, median of {sys.argv[4]} runs")
print(f"| step | pleura (s) | tar (s) | ratio |")
print(f"|---|---|---|---|")
print(f"| export vs tar --zstd -cf | {p['export']:.2f} | {t['create']:.2f} | {p['export']/t['create']:.2f}x |")
print(f"| export vs tar --zstd -cf + sync | {p['export']:.2f} | {t['create+sync']:.2f} | {p['export']/t['create+sync']:.2f}x |")
print(f"| import (extract+verify) vs tar --zstd -xf | {p['import']:.2f} | {t['extract']:.2f} | {p['import']/t['extract']:.2f}x |")
PY
echo "1-min load average before each run: $(tr '\n' ' ' < "$work/load.txt")on $(nproc) cores"
