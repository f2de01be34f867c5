#!/usr/bin/env python3
"""Estimated wall time of the study's full grid on this machine, from measured Pleura throughput.

    python3 benchmarks/resnet3d/grid_estimate.py LOGDIR [LOGDIR ...] [--roi 300x180] [--default-kernels]

A (depth, size) measured in an earlier LOGDIR is taken from that folder alone (list the newest
first). --default-kernels prices the grid from the pleuradefault_* logs instead (run.sh DEFAULT_KERNELS=1:
pleura with OPENBLAS_CORETYPE unset, OpenBLAS's own AVX-512 kernels on this machine).

Reads the pleura_r{depth}_{size}_rep*.log files (JSON of `pleura bench train --json`) in the given
folders, medians per (depth, size), and prices the grid of datasets/paper-grid.json: ResNet3D-18,
-34, -50 at full width on 2_30x30, all_30x30, 2_60x60, all_60x60, 2_90x90, all_90x90, 16 epochs,
batch 32, split 55/15/30 % (train / validation / test).

Dataset sizes: the study's 163 two-second clips (115 present, 48 absent; /work/shared/DESIGN.md)
cut into square tiles of the pleural ROI; "2_" keeps the top two tile rows, "all_" every row
that fits. DESIGN.md does not give the ROI's size, so it is a parameter (default 300 x 180 px of
a 640 x 480 frame: the span between two rib shadows, from the pleura down).

Sizes without a measurement (grid.sh not run) are scaled from the same architecture's measured
60x30x30 throughput by forward FLOPs (valid taps only, conv1 on one grey channel; from the
peers' flops_calc.py), and marked "scaled": larger inputs run larger GEMMs at a higher rate, so
these rows overstate the time (an earlier R18 60x90x90 run trained at 1.6x the FLOP-scaled rate).

Per (architecture, dataset) with N cubes: 16 epochs x (training steps over 0.55 N at the
training throughput + batch-norm calibration over 0.55 N at the training-mode forward throughput
+ validation over 0.15 N at the inference throughput) + evaluation of 0.3 N at the inference
throughput (the inference throughput stands in for the training-mode forward in logs that lack
it). Reading cubes from shards, checkpoints and saliency maps are left out.

The M-mode row (Table 5's baseline: the 2D ResNet-18, `resnet-18`, on datasets/mmode_64.json)
is priced the same way from pleura_r18_64_2d_rep*.log (`run.sh` case 18:64:N:2d, 1x64x64 images).
Its images: one per 8th pixel column of the ROI's width per 64-frame window (a new window every
64 frames of each video). The study's 163 two-second clips are 9780 frames of video; its 48 videos
each end in a partial window (half a window on average), so 9780 / 64 - 48 / 2, about 129 windows.
"""
import glob
import json
import os
import re
import statistics
import sys

CLIPS = 163
EPOCHS = 16
TRAIN, VALIDATION, TEST = 0.55, 0.15, 0.30
args = sys.argv[1:]
roi = (300, 180)
engine = "pleura"
if "--default-kernels" in args:
    args.remove("--default-kernels")
    engine = "pleuradefault"
if "--roi" in args:
    i = args.index("--roi")
    roi = tuple(int(v) for v in args[i + 1].split("x"))
    del args[i:i + 2]

runs = {}
mmode_runs = []
for folder in args:
    found = {}
    for path in glob.glob(os.path.join(folder, f"{engine}_r18_64_2d_rep*.log")) if not mmode_runs else []:
        text = open(path).read()
        if "{" in text:
            mmode_runs.append(json.loads(text[text.index("{"):]))
    for path in glob.glob(os.path.join(folder, f"{engine}_r*_rep*.log")):
        m = re.match(engine + r"_r(\d+)_(\d+)_rep\d+\.log", os.path.basename(path))
        text = open(path).read()
        if not m or "{" not in text:
            continue
        j = json.loads(text[text.index("{"):])
        found.setdefault((int(m.group(1)), int(m.group(2))), []).append(j)
    for key, value in found.items():
        runs.setdefault(key, value)


# Forward GFLOP per clip, valid taps, conv1 on one grey channel (flops_calc.py: valid-tap total
# minus two thirds of the RGB stem's valid-tap FLOPs).
GFLOP = {
    (18, 30): 1.806 - 0.77 * 2 / 3, (18, 60): 7.715 - 3.26 * 2 / 3, (18, 90): 18.362 - 7.48 * 2 / 3,
    (34, 30): 2.607 - 0.77 * 2 / 3, (34, 60): 11.529 - 3.26 * 2 / 3, (34, 90): 27.747 - 7.48 * 2 / 3,
    (50, 30): 2.200 - 0.77 * 2 / 3, (50, 60): 9.404 - 3.26 * 2 / 3, (50, 90): 22.240 - 7.48 * 2 / 3,
}
scaled = set()


def median(key, depth, size):
    values = [j[key] for j in runs.get((depth, size), []) if j.get(key)]
    if values:
        return statistics.median(values)
    base = [j[key] for j in runs.get((depth, 30), []) if j.get(key)]
    if not base:
        return None
    scaled.add((depth, size))
    return statistics.median(base) * GFLOP[(depth, 30)] / GFLOP[(depth, size)]


def cubes(size, rows):
    columns = roi[0] // size
    all_rows = roi[1] // size
    return CLIPS * columns * (min(2, all_rows) if rows == "2" else all_rows)


datasets = [(rows, size) for size in (30, 60, 90) for rows in ("2", "all")]
print(f"{engine} logs, ROI {roi[0]}x{roi[1]} px, {CLIPS} clips, {EPOCHS} epochs, batch 32, 2 threads")
print()
print("| architecture | dataset | cubes | train clips/s | calibration clips/s | inference clips/s | hours |")
print("|---|---|---|---|---|---|---|")
total = 0.0
missing = []
for depth in (18, 34, 50):
    for rows, size in datasets:
        n = cubes(size, rows)
        train = median("trainClipsPerSecond", depth, size)
        infer = median("inferClipsPerSecond", depth, size)
        # Logs from before the training-mode forward was timed: calibration at the inference rate.
        calib = median("trainingForwardClipsPerSecond", depth, size) or infer
        if not (train and infer and calib):
            missing.append(f"R{depth} {size}")
            print(f"| ResNet3D-{depth} | {rows}_{size}x{size} | {n} | – | – | – | not measured |")
            continue
        seconds = EPOCHS * (TRAIN * n / train + TRAIN * n / calib + VALIDATION * n / infer) + TEST * n / infer
        total += seconds
        mark = " (scaled)" if (depth, size) in scaled else ""
        print(f"| ResNet3D-{depth} | {rows}_{size}x{size} | {n} | {train:.2f}{mark} | {calib:.2f}{mark} "
              f"| {infer:.2f}{mark} | {seconds / 3600:.2f} |")
MMODE_WINDOWS = round(CLIPS * 60 / 64 - 48 / 2)
mmode_images = MMODE_WINDOWS * len(range(0, roi[0], 8))


def mmode_median(key):
    values = [j[key] for j in mmode_runs if j.get(key)]
    return statistics.median(values) if values else None


train, infer, calib = (mmode_median(k) for k in ("trainClipsPerSecond", "inferClipsPerSecond",
                                                  "trainingForwardClipsPerSecond"))
if train and infer and calib:
    seconds = EPOCHS * (TRAIN * mmode_images / train + TRAIN * mmode_images / calib
                        + VALIDATION * mmode_images / infer) + TEST * mmode_images / infer
    total += seconds
    print(f"| ResNet-18 (2D) | mmode_64 | {mmode_images} | {train:.2f} | {calib:.2f} | {infer:.2f} "
          f"| {seconds / 3600:.2f} |")
else:
    missing.append("M-mode (2D R18 64)")
    print(f"| ResNet-18 (2D) | mmode_64 | {mmode_images} | – | – | – | not measured |")
print()
print(f"Total: {total / 3600:.1f} hours ({total / 86400:.2f} days) on this machine"
      + (f"; not measured: {', '.join(sorted(set(missing)))}" if missing else ""))
