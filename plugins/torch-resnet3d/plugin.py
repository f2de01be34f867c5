"""torch-resnet3d: an external Pleura plugin (docs/PLUGINS.md) that trains Pleura's ResNet3D in PyTorch.

Reads a dataset's cubes (frames x size x size, uint8, from their .npy shards) and a patient-wise
split, trains the network of pleura_resnet.py the way `pleura train` does (Adam on sigmoid binary
cross-entropy plus L2 1e-4 on every kernel; after each epoch the BN moving statistics are set to
their mean over the training part's batches; the epoch with the lowest validation loss is kept,
never looking at the test part) and writes the weights in Pleura's own layout, with the model's
hyperparameters in the form Pleura's model loader reads, so that `pleura evaluate` and
`pleura explain` run on it. CUDA when present (parameter `device`), the CPU otherwise.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import pleura_resnet as pr


def say(**message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def progress(label, done, total, unit, detail=""):
    say(progress={"label": label, "done": done, "total": total, "unit": unit, "detail": detail})


def fail(message):
    """One line on stderr (Pleura shows a failed run's last stderr lines) and a non-zero exit."""
    sys.stderr.write("torch-resnet3d: %s\n" % message)
    sys.exit(1)


def choose_device(name):
    if name == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if name == "cuda":
        fail("device cuda was asked for, but PyTorch sees no CUDA device")
    return torch.device("cpu")


def load_cubes(cubes, planar):
    """The cubes' pixels as one uint8 array (N, frames, size, size), checked against their shards."""
    shards, out = {}, []
    for n, cube in enumerate(cubes):
        path = cube["shard"]
        if path not in shards:
            shards[path] = np.load(path, mmap_mode="r")
        shard = shards[path]
        expected = (cube["frames"], cube["size"], cube["size"])
        if shard.ndim != 4 or tuple(shard.shape[1:]) != expected or shard.dtype != np.uint8:
            fail("shard %s holds %s %s, expected uint8 [n, %d, %d, %d]" % (
                os.path.basename(path), shard.dtype, list(shard.shape), *expected))
        if not 0 <= cube["index"] < shard.shape[0]:
            fail("cube %s: index %d is outside its shard of %d" % (cube["id"], cube["index"], shard.shape[0]))
        out.append(np.asarray(shard[cube["index"]]))
        if (n + 1) % 200 == 0 or n + 1 == len(cubes):
            progress("reading cubes", n + 1, len(cubes), "cubes")
    return np.stack(out)


def to_input(pixels, device, planar):
    """uint8 cubes -> floats in [0, 1], one grey channel, as Pleura's CubeReader."""
    x = torch.from_numpy(pixels.astype(np.float32) / 255.0).unsqueeze(1)
    if planar:
        x = x.squeeze(2)  # (N, 1, 1, H, W) -> (N, 1, H, W)
    return x.to(device)


def epoch_order(labels, epoch, seed, class_weighting):
    """Indices of the training cubes in the order an epoch feeds them (seeded by seed and epoch);
    with class weighting the rarer label's cubes are repeated until both labels count the same."""
    rng = np.random.default_rng([seed, epoch])
    order = np.arange(len(labels))
    if class_weighting:
        present, absent = order[labels == 1], order[labels == 0]
        rare, common = (present, absent) if len(present) < len(absent) else (absent, present)
        if 0 < len(rare) < len(common):
            rare = rng.permutation(rare)
            extra = np.array([rare[i % len(rare)] for i in range(len(common) - len(rare))], dtype=int)
            order = np.concatenate([common, rare, extra])
    return rng.permutation(order)


def l2_penalty(model):
    return pr.L2 * sum((w.double() ** 2).sum() for w in model.regularized())


def calibrate_batch_norm(model, pixels, labels, batch, device, planar):
    """Sets every BN layer's moving statistics to the size-weighted mean of its batch statistics
    over the training part (Pleura's BatchNormCalibration); returns the training-mode accuracy."""
    layers = [m for m in model.modules() if getattr(m, "pleura", False)]
    sums = {id(m): [0.0, 0.0] for m in layers}

    def capture(module, inputs):
        x = inputs[0].double()
        axes = [0] + list(range(2, x.dim()))
        count = x.shape[0]
        sums[id(module)][0] = sums[id(module)][0] + x.mean(dim=axes) * count
        sums[id(module)][1] = sums[id(module)][1] + x.var(dim=axes, unbiased=False) * count

    hooks = [m.register_forward_pre_hook(capture) for m in layers]
    correct = 0
    model.train()
    with torch.no_grad():
        for start in range(0, len(pixels), batch):
            logits = model(to_input(pixels[start:start + batch], device, planar))
            correct += int(((logits >= 0).cpu().numpy() == (labels[start:start + batch] == 1)).sum())
    for h in hooks:
        h.remove()
    with torch.no_grad():
        for m in layers:
            m.running_mean.copy_((sums[id(m)][0] / len(pixels)).float())
            m.running_var.copy_((sums[id(m)][1] / len(pixels)).float())
    return correct / len(pixels)


def validate(model, pixels, labels, batch, device, planar):
    """Mean BCE on clamped probabilities plus the L2 term (as Pleura reports it), and accuracy."""
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(pixels), batch):
            p = torch.sigmoid(model(to_input(pixels[start:start + batch], device, planar))).double().cpu().numpy()
            y = labels[start:start + batch]
            p = np.clip(p, 1e-7, 1 - 1e-7)
            loss -= float(np.where(y == 1, np.log(p), np.log(1 - p)).sum())
            correct += int(((p >= 0.5) == (y == 1)).sum())
        penalty = float(l2_penalty(model))
    return loss / len(pixels) + penalty, correct / len(pixels)


def main():
    request = json.load(sys.stdin)
    if request.get("protocolVersion") != 1:
        fail("unsupported protocol version %r" % request.get("protocolVersion"))
    p = request["parameters"]
    architecture, width, epochs, batch = p["architecture"], p["width"], p["epochs"], p["batchSize"]
    seed, threads = request["seed"], p["threads"]
    dataset = next(i for i in request["inputs"] if i["kind"] == "dataset")
    split = next(i for i in request["inputs"] if i["kind"] == "split")
    if split["record"]["datasetId"] != dataset["id"]:
        fail("split %s belongs to dataset %s, not %s" % (split["id"], split["record"]["datasetId"], dataset["id"]))
    part_of = {a["patient"]: a["part"] for a in split["assignments"]}
    # Pleura's order (shard, then index in the shard): the same dataset gives the same sequence.
    cubes = sorted((c for c in dataset["cubes"] if c["label"] in ("present", "absent") and c["patient"] in part_of),
                   key=lambda c: (c["shard"], c["index"]))
    train = [c for c in cubes if part_of[c["patient"]] == "train"]
    validation = [c for c in cubes if part_of[c["patient"]] == "validation"]
    for name, part in (("train", train), ("validation", validation)):
        if not part:
            fail("split %s has no labelled cubes in its %s part" % (split["id"], name))
    frames, size = train[0]["frames"], train[0]["size"]
    planar = pr.PRESETS[architecture][2]
    if planar and frames != 1:
        fail("architecture %s is 2D and takes single-frame images (M-mode), but dataset %s has %d frames" % (
            architecture, dataset["id"], frames))
    if not planar and frames == 1:
        fail("architecture %s is 3D, but dataset %s has single-frame images; use resnet-18" % (
            architecture, dataset["id"]))

    device = choose_device(p["device"])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    if device.type == "cpu":
        torch.use_deterministic_algorithms(True)
    else:
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
    say(log="torch %s on %s, %d threads" % (torch.__version__, device, threads))

    train_x, val_x = load_cubes(train, planar), load_cubes(validation, planar)
    train_y = np.array([1 if c["label"] == "present" else 0 for c in train])
    val_y = np.array([1 if c["label"] == "present" else 0 for c in validation])

    model = pr.PleuraResNet(architecture, width, frames, size)
    model.initialize(torch.Generator().manual_seed(seed))
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=p["learningRate"], betas=(0.9, 0.999), eps=1e-7)
    curves, best, best_loss, best_epoch = [], None, math.inf, 0
    for epoch in range(epochs):
        model.train()
        order = epoch_order(train_y, epoch, seed, p["classWeighting"])
        losses = []
        steps = (len(order) + batch - 1) // batch
        for step, start in enumerate(range(0, len(order), batch)):
            rows = order[start:start + batch]
            x = to_input(train_x[rows], device, planar)
            y = torch.from_numpy(train_y[rows].astype(np.float32)).to(device)
            logits = model(x)
            loss = F.binary_cross_entropy_with_logits(logits, y) + l2_penalty(model).float()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            progress("training epoch %d/%d" % (epoch + 1, epochs), step + 1, steps, "batches",
                     "loss %.4f" % losses[-1])
        train_accuracy = calibrate_batch_norm(model, train_x, train_y, batch, device, planar)
        val_loss, val_accuracy = validate(model, val_x, val_y, batch, device, planar)
        curves.append({"epoch": epoch + 1, "trainLoss": float(np.mean(losses)), "trainAccuracy": train_accuracy,
                       "validationLoss": val_loss, "validationAccuracy": val_accuracy})
        if best is None or val_loss < best_loss:
            best, best_loss, best_epoch = model.to_pleura(), val_loss, epoch + 1
        progress("training", epoch + 1, epochs, "epochs", "val loss %.4f, accuracy %.3f" % (val_loss, val_accuracy))

    out = request["outputFolder"]
    pr.write_safetensors(os.path.join(out, "model.safetensors"), best,
                         {pr.ARCHITECTURE_KEY: model.pleura_architecture(), "format": "keras-resnet3d"})
    # Exactly the fields of Pleura's ModelSetup (Sources/Plugins/Training/ModelSetup.swift), which
    # `evaluate` and `explain` decode to rebuild the network, plus what trained it.
    setup = {
        "architecture": architecture, "widthMultiplier": width, "epochs": epochs, "batchSize": batch,
        "learningRate": p["learningRate"], "classWeighting": p["classWeighting"], "seed": seed,
        "threads": threads, "frames": frames, "size": size, "channels": pr.CHANNELS, "optimizer": "adam",
        "loss": "binary-crossentropy", "l2": pr.L2, "adamBeta1": 0.9, "adamBeta2": 0.999, "adamEpsilon": 1e-7,
        "batchNormStatistics": "training-part mean after each epoch", "network": model.pleura_architecture(),
        "parameterCount": sum(a.size for _, a in best), "trainCubes": len(train), "validationCubes": len(validation),
        "trainer": "pytorch %s" % torch.__version__, "device": device.type,
    }
    chosen = curves[best_epoch - 1]
    say(result={
        "summary": "torch-resnet3d: %s on %s (%s), chosen epoch %d of %d, validation loss %.4f, accuracy %.4f" % (
            architecture, dataset["id"], device.type, best_epoch, epochs, chosen["validationLoss"],
            chosen["validationAccuracy"]),
        "outputs": [
            {"key": "model", "kind": "model", "files": {"weights": "model.safetensors"},
             "metadata": {"architecture": architecture, "dataset": dataset["id"], "split": split["id"],
                          "hyperparameters": setup, "curves": curves, "chosenEpoch": best_epoch, "seed": seed}},
        ],
    })


if __name__ == "__main__":
    main()
