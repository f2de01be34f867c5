#!/usr/bin/env python3
"""mmode-logistic: an external Pleura plugin (docs/PLUGINS.md) in Python with NumPy.

Reads a dataset's cubes (frames x size x size, uint8) from their .npy shards and a patient-wise
split, summarises each cube's motion the way an M-mode strip shows it (how much each horizontal
band changes from frame to frame: lung sliding moves the band below the pleural line, a still
lung does not), fits a logistic regression on the train part with full-batch gradient descent
(the epoch with the lowest validation loss is kept), and scores one part of the split. It writes
the weights as safetensors and the scores as CSV, and prints one JSON message per stdout line.
"""
import json
import math
import os
import struct
import sys

import numpy as np


def say(**message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def progress(label, done, total, unit, detail=""):
    say(progress={"label": label, "done": done, "total": total, "unit": unit, "detail": detail})


def features(cube, bins):
    """Per band of rows: mean absolute frame-to-frame change and mean temporal standard deviation,
    both computed along each column's M-mode trace (time x depth)."""
    cube = cube.astype(np.float64) / 255.0
    change = np.abs(np.diff(cube, axis=0)).mean(axis=(0, 2))  # per row
    spread = cube.std(axis=0).mean(axis=1)  # per row
    bands = np.array_split(np.arange(cube.shape[1]), bins)
    return np.array([change[b].mean() for b in bands] + [spread[b].mean() for b in bands])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss(w, b, x, y, l2):
    p = np.clip(sigmoid(x @ w + b), 1e-7, 1 - 1e-7)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean() + l2 * (w @ w))


def auc(labels, scores):
    positives, negatives = labels.sum(), len(labels) - labels.sum()
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, array in tensors:
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    request = json.load(sys.stdin)
    if request.get("protocolVersion") != 1:
        sys.exit("unsupported protocol version %r" % request.get("protocolVersion"))
    p = request["parameters"]
    bins, epochs, rate, l2 = p["bins"], p["epochs"], p["learningRate"], p["l2"]
    dataset = next(i for i in request["inputs"] if i["kind"] == "dataset")
    split = next(i for i in request["inputs"] if i["kind"] == "split")
    if split["record"]["datasetId"] != dataset["id"]:
        sys.exit("split %s belongs to dataset %s, not %s" % (split["id"], split["record"]["datasetId"], dataset["id"]))
    part_of = {a["patient"]: a["part"] for a in split["assignments"]}
    cubes = [c for c in dataset["cubes"] if c["label"] in ("present", "absent") and c["patient"] in part_of]
    if not cubes:
        sys.exit("dataset %s has no labelled cubes of patients in split %s" % (dataset["id"], split["id"]))

    shards, rows = {}, []
    for n, cube in enumerate(cubes):
        if cube["shard"] not in shards:
            shards[cube["shard"]] = np.load(cube["shard"], mmap_mode="r")
        shard = shards[cube["shard"]]
        if shard.ndim != 4 or shard.shape[1:] != (cube["frames"], cube["size"], cube["size"]):
            sys.exit("shard %s has shape %s, expected [n, %d, %d, %d]" % (
                os.path.basename(cube["shard"]), shard.shape, cube["frames"], cube["size"], cube["size"]))
        rows.append(features(np.asarray(shard[cube["index"]]), bins))
        if (n + 1) % 20 == 0 or n + 1 == len(cubes):
            progress("mmode-logistic features", n + 1, len(cubes), "cubes")
    x = np.stack(rows)
    y = np.array([1.0 if c["label"] == "present" else 0.0 for c in cubes])
    parts = np.array([part_of[c["patient"]] for c in cubes])
    train, validation, scored = parts == "train", parts == "validation", parts == p["part"]
    if not train.any() or not scored.any():
        sys.exit("split %s leaves no cubes in the train part or in the %s part" % (split["id"], p["part"]))
    if not validation.any():
        validation = train

    mean = x[train].mean(axis=0)
    std = x[train].std(axis=0) + 1e-8
    z = (x - mean) / std
    rng = np.random.default_rng(request["seed"])
    w = rng.normal(0.0, 0.01, z.shape[1])
    b = 0.0
    best = (math.inf, w.copy(), b, 0)
    curves = {"loss": [], "valLoss": []}
    for epoch in range(1, epochs + 1):
        predictions = sigmoid(z[train] @ w + b)
        error = predictions - y[train]
        w = w - rate * (z[train].T @ error / train.sum() + 2 * l2 * w)
        b = b - rate * float(error.mean())
        train_loss, validation_loss = loss(w, b, z[train], y[train], l2), loss(w, b, z[validation], y[validation], l2)
        curves["loss"].append(round(train_loss, 6))
        curves["valLoss"].append(round(validation_loss, 6))
        if validation_loss < best[0]:
            best = (validation_loss, w.copy(), b, epoch)
        if epoch % 50 == 0 or epoch == epochs:
            progress("mmode-logistic training", epoch, epochs, "epochs", "val loss %.4f" % validation_loss)
    _, w, b, chosen = best

    out = request["outputFolder"]
    write_safetensors(
        os.path.join(out, "model.safetensors"),
        [("weight", w), ("bias", np.array([b])), ("featureMean", mean), ("featureStd", std)],
        {"format": "mmode-logistic", "bins": str(bins)})
    scores = sigmoid(z[scored] @ w + b)
    labels = y[scored]
    with open(os.path.join(out, "scores.csv"), "w") as f:
        f.write("cube,patient,video,clip,label,score\n")
        for cube, score in zip([c for c, s in zip(cubes, scored) if s], scores):
            f.write("%s,%s,%s,%d,%s,%.6f\n" % (cube["id"], cube["patient"], cube["conversion"], cube["clip"],
                                               cube["label"], float(np.float32(score))))
    predicted = scores >= 0.5
    tp = int((predicted & (labels == 1)).sum())
    tn = int((~predicted & (labels == 0)).sum())
    metrics = {
        "part": p["part"], "threshold": 0.5, "cubes": int(scored.sum()),
        "accuracy": (tp + tn) / len(labels),
        "sensitivity": tp / labels.sum() if labels.sum() else None,
        "specificity": tn / (len(labels) - labels.sum()) if len(labels) > labels.sum() else None,
        "auc": auc(labels.astype(int), scores),
    }
    say(result={
        "summary": "mmode-logistic: %d features, epoch %d of %d kept, %s accuracy %.3f on %d cubes" % (
            len(w), chosen, epochs, p["part"], metrics["accuracy"], metrics["cubes"]),
        "outputs": [
            {"key": "model", "kind": "model", "files": {"weights": "model.safetensors"},
             "metadata": {"architecture": "mmode-logistic", "dataset": dataset["id"], "split": split["id"],
                          "hyperparameters": p, "curves": curves, "chosenEpoch": chosen, "seed": request["seed"]}},
            {"key": "evaluation", "kind": "evaluation", "files": {"scores": "scores.csv"},
             "metadata": {"model": "model", "dataset": dataset["id"], "part": p["part"], "metrics": metrics}},
        ],
    })


if __name__ == "__main__":
    main()
