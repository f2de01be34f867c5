#!/usr/bin/env python3
"""Reads benchmarks/resnet3d/logs and prints the side-by-side table (medians over repetitions)."""
import glob
import json
import os
import re
import statistics
import sys

logs = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "logs")


def parse(path):
    text = open(path).read()
    out = {"load": re.search(r"^load (.*)$", text, re.M).group(1) if text.startswith("load") else "?"}
    if os.path.basename(path).startswith("pleura"):
        if "{" not in text:
            return out  # run not finished (or failed): no figures
        j = json.loads(text[text.index("{"):])
        out.update(train=j["trainClipsPerSecond"], infer=j["inferClipsPerSecond"], rss=j["peakRSSBytes"] / 2**20,
                   cpu_train=j.get("trainCPUSecondsPerStep"), cpu_infer=j.get("inferCPUSecondsPerBatch"),
                   layered=j.get("layeredInferClipsPerSecond"), train_forward=j.get("trainingForwardClipsPerSecond"),
                   direct=j.get("directInferClipsPerSecond"), gemm=j.get("gemmKernel", "not recorded"))
    else:
        t = re.search(r"TRAIN batch \d+: median [\d.]+ s/step = ([\d.]+) clips/s", text)
        i = re.search(r"INFER batch \d+: median [\d.]+ s/batch = ([\d.]+) clips/s", text)
        r = re.search(r"PEAK_RSS_MB (\d+)", text)
        cpu = [float(v) for v in re.findall(r"CPU_SECONDS_PER_STEP ([\d.]+)", text)]
        out.update(cpu_train=cpu[0] if len(cpu) > 0 else None, cpu_infer=cpu[1] if len(cpu) > 1 else None)
        out.update(train=float(t.group(1)) if t else None, infer=float(i.group(1)) if i else None,
                   rss=float(r.group(1)) if r else None)
    return out


rows = {}
for path in sorted(glob.glob(os.path.join(logs, "*_rep*.log"))):
    m = re.match(r"(pleuradefault|pleuraopenblas|pleura|keras|torch)_r(\d+)_(\d+)(_2d)?_rep(\d+)\.log", os.path.basename(path))
    if not m:
        continue
    engine, depth, size, planar, rep = m.groups()
    rows.setdefault((int(depth), int(size), bool(planar)), {}).setdefault(engine, []).append(parse(path))


def med(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, d=1):
    return "–" if v is None else f"{v:.{d}f}"


def label(depth, size, planar):
    return f"R{depth} 2D 1x{size}x{size}" if planar else f"R{depth} 60x{size}x{size}"


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}x"


print("| model / input | pleura train | Keras/TF train | torch train | pleura infer | Keras/TF infer | torch infer "
      "| train vs TF | infer vs TF | train vs torch | infer vs torch | peak RSS MiB pleura / TF / torch | reps |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (depth, size, planar), e in sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
    p, k, t = e.get("pleura", []), e.get("keras", []), e.get("torch", [])
    pt, pi, kt, ki, tt, ti = med(p, "train"), med(p, "infer"), med(k, "train"), med(k, "infer"), med(t, "train"), med(t, "infer")
    print(f"| {label(depth, size, planar)} | {fmt(pt)} | {fmt(kt)} | {fmt(tt)} | {fmt(pi)} | {fmt(ki)} | {fmt(ti)} "
          f"| {ratio(pt, kt)} | {ratio(pi, ki)} | {ratio(pt, tt)} | {ratio(pi, ti)} "
          f"| {fmt(med(p, 'rss'), 0)} / {fmt(med(k, 'rss'), 0)} / {fmt(med(t, 'rss'), 0)} | {len(p)} |")
print()
print("CPU seconds per step (process user+system time per timed training step / inference batch; "
      "other processes on the machine disturb this far less than wall time):")
print()
print("| model / input | pleura train | TF train | torch train | pleura infer | TF infer | torch infer "
      "| TF/pleura train | TF/pleura infer | torch/pleura train | torch/pleura infer |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for (depth, size, planar), e in sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
    p, k, t = e.get("pleura", []), e.get("keras", []), e.get("torch", [])
    v = [med(p, "cpu_train"), med(k, "cpu_train"), med(t, "cpu_train"), med(p, "cpu_infer"), med(k, "cpu_infer"),
         med(t, "cpu_infer")]
    print(f"| {label(depth, size, planar)} | " + " | ".join(fmt(x, 3) for x in v)
          + f" | {ratio(v[1], v[0])} | {ratio(v[4], v[3])} | {ratio(v[2], v[0])} | {ratio(v[5], v[3])} |")
print()
print("Pleura's inference paths (clips/s): folded (what evaluation runs; the 'pleura infer' above), the same "
      "folded network without Winograd (direct lowering; '–' in logs from before it), the layer-by-layer forward "
      "it replaces, and the training-mode forward of batch-norm calibration:")
print()
print("| model / input | folded | folded, direct | folded / direct | layer by layer | folded / layer by layer "
      "| training-mode forward |")
print("|---|---|---|---|---|---|---|")
for (depth, size, planar), e in sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
    p = e.get("pleura", [])
    f, d, l, tf = med(p, "infer"), med(p, "direct"), med(p, "layered"), med(p, "train_forward")
    print(f"| {label(depth, size, planar)} | {fmt(f)} | {fmt(d)} | {ratio(f, d)} | {fmt(l)} | {ratio(f, l)} "
          f"| {fmt(tf)} |")
print()
print("Throughput in clips/s (batch 32); each figure is the median over repetitions of the per-run median step.")
loads = [r["load"] for e in rows.values() for runs in e.values() for r in runs]
print(f"Load averages (1/5/15 min) seen at the start of each run: {', '.join(sorted(set(loads)))}")
gemms = sorted({r["gemm"] for e in rows.values() for r in e.get("pleura", []) if "gemm" in r})
print(f"GEMM kernel of the 'pleura' runs: {', '.join(gemms) or '?'} (gemmKernel in the JSON)")

VARIANTS = [
    ("pleuradefault", "Pleura with OPENBLAS_CORETYPE unset (OpenBLAS's own kernel choice for the GEMMs that stay "
     "on OpenBLAS) in the same runs (DEFAULT_KERNELS=1):"),
    ("pleuraopenblas", "Pleura with every GEMM on OpenBLAS (PLEURA_GEMM=openblas, OPENBLAS_CORETYPE as set) in the "
     "same runs (OPENBLAS_GEMM=1):"),
]
for variant, title in VARIANTS:
    if not any(variant in e for e in rows.values()):
        continue
    print()
    print(title)
    print()
    print("| model / input | train | infer | train CPU s/step | infer CPU s/batch | train vs TF | infer vs TF "
          "| TF/pleura CPU train | TF/pleura CPU infer |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (depth, size, planar), e in sorted(rows.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
        d, k = e.get(variant, []), e.get("keras", [])
        if not d:
            continue
        v = [med(d, "train"), med(d, "infer"), med(d, "cpu_train"), med(d, "cpu_infer")]
        print(f"| {label(depth, size, planar)} | {fmt(v[0])} | {fmt(v[1])} | {fmt(v[2], 3)} | {fmt(v[3], 3)} "
              f"| {ratio(v[0], med(k, 'train'))} | {ratio(v[1], med(k, 'infer'))} "
              f"| {ratio(med(k, 'cpu_train'), v[2])} | {ratio(med(k, 'cpu_infer'), v[3])} |")
