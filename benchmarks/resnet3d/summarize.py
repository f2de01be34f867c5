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
    if "pleura_" in os.path.basename(path):
        j = json.loads(text[text.index("{"):])
        out.update(train=j["trainClipsPerSecond"], infer=j["inferClipsPerSecond"], rss=j["peakRSSBytes"] / 2**20)
    else:
        t = re.search(r"TRAIN batch \d+: median [\d.]+ s/step = ([\d.]+) clips/s", text)
        i = re.search(r"INFER batch \d+: median [\d.]+ s/batch = ([\d.]+) clips/s", text)
        r = re.search(r"PEAK_RSS_MB (\d+)", text)
        out.update(train=float(t.group(1)) if t else None, infer=float(i.group(1)) if i else None,
                   rss=float(r.group(1)) if r else None)
    return out


rows = {}
for path in sorted(glob.glob(os.path.join(logs, "*_rep*.log"))):
    m = re.match(r"(pleura|keras|torch)_r(\d+)_(\d+)_rep(\d+)\.log", os.path.basename(path))
    if not m:
        continue
    engine, depth, size, rep = m.groups()
    rows.setdefault((int(depth), int(size)), {}).setdefault(engine, []).append(parse(path))


def med(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, d=1):
    return "–" if v is None else f"{v:.{d}f}"


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}x"


print("| model / input | pleura train | Keras/TF train | torch train | pleura infer | Keras/TF infer | torch infer "
      "| train vs TF | infer vs TF | train vs torch | infer vs torch | peak RSS MiB pleura / TF / torch | reps |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (depth, size), e in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    p, k, t = e.get("pleura", []), e.get("keras", []), e.get("torch", [])
    pt, pi, kt, ki, tt, ti = med(p, "train"), med(p, "infer"), med(k, "train"), med(k, "infer"), med(t, "train"), med(t, "infer")
    print(f"| R{depth} 60x{size}x{size} | {fmt(pt)} | {fmt(kt)} | {fmt(tt)} | {fmt(pi)} | {fmt(ki)} | {fmt(ti)} "
          f"| {ratio(pt, kt)} | {ratio(pi, ki)} | {ratio(pt, tt)} | {ratio(pi, ti)} "
          f"| {fmt(med(p, 'rss'), 0)} / {fmt(med(k, 'rss'), 0)} / {fmt(med(t, 'rss'), 0)} | {len(p)} |")
print()
print("Throughput in clips/s (batch 32); each figure is the median over repetitions of the per-run median step.")
loads = [r["load"] for e in rows.values() for runs in e.values() for r in runs]
print(f"Load averages (1/5/15 min) seen at the start of each run: {', '.join(sorted(set(loads)))}")
