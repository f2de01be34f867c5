#!/usr/bin/env python3
"""Copied from ../../../shared/peers (project peer baselines); the only changes print PEAK_RSS_MB at the end and
CPU_SECONDS_PER_STEP (process CPU time per timed step, a contention-robust cost) after each timing.

PyTorch CPU baseline: keras-resnet3d-style 3D ResNet (same graph as resnet3d_keras.py).

NCDHW layout (N, 3, frames, H, W). Pre-activation blocks, bias on every conv,
1x1x1 projection shortcut (no BN), final BN-ReLU, global avg-pool, Linear(1) + sigmoid,
Adam + BCE. (Keras 'same' padding for a stride-2 conv pads asymmetrically
(more on the right); here padding=k//2 is symmetric. Output sizes match for the
shapes used; FLOPs are identical.)

Usage:
  python resnet3d_torch.py --depth 18 --frames 60 --size 30 --batch 32 --threads 2
  python resnet3d_torch.py --channels-last     # torch.channels_last_3d memory format
  python resnet3d_torch.py --planar --size 64  # the 2D ResNet-18 on (N, 3, 64, 64) images

--planar (added for Pleura's 2D ResNet-18): the same graph with the 2D layers (Conv2d, BatchNorm2d,
MaxPool2d, AdaptiveAvgPool2d), as benchmarks/peers/keras_parity.py builds it in Keras.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn

# The layer kinds, 3D unless main() switches them to 2D (--planar).
L = {"Conv": nn.Conv3d, "BatchNorm": nn.BatchNorm3d, "MaxPool": nn.MaxPool3d, "AvgPool": nn.AdaptiveAvgPool3d}


class Block(nn.Module):
    def __init__(self, cin, f, stride, first_of_first, bottleneck):
        super().__init__()
        self.pre = None if first_of_first else nn.Sequential(L["BatchNorm"](cin), nn.ReLU(inplace=True))
        if bottleneck:
            cout = 4 * f
            self.body = nn.Sequential(
                L["Conv"](cin, f, 1, stride),
                L["BatchNorm"](f), nn.ReLU(inplace=True), L["Conv"](f, f, 3, 1, 1),
                L["BatchNorm"](f), nn.ReLU(inplace=True), L["Conv"](f, cout, 1))
        else:
            cout = f
            self.body = nn.Sequential(
                L["Conv"](cin, f, 3, stride, 1),
                L["BatchNorm"](f), nn.ReLU(inplace=True), L["Conv"](f, f, 3, 1, 1))
        self.short = L["Conv"](cin, cout, 1, stride) if (stride != 1 or cin != cout) else None
        self.cout = cout

    def forward(self, x):
        h = x if self.pre is None else self.pre(x)
        r = self.body(h)
        return r + (x if self.short is None else self.short(x))


class ResNet3D(nn.Module):
    CFG = {18: (False, [2, 2, 2, 2]), 34: (False, [3, 4, 6, 3]), 50: (True, [3, 4, 6, 3])}

    def __init__(self, depth=18):
        super().__init__()
        bott, reps = self.CFG[depth]
        layers = [L["Conv"](3, 64, 7, 2, 3), L["BatchNorm"](64), nn.ReLU(inplace=True),
                  L["MaxPool"](3, 2, 1)]
        cin, f = 64, 64
        for i, r in enumerate(reps):
            for j in range(r):
                b = Block(cin, f, 2 if (j == 0 and i > 0) else 1, i == 0 and j == 0, bott)
                layers.append(b)
                cin = b.cout
            f *= 2
        layers += [L["BatchNorm"](cin), nn.ReLU(inplace=True), L["AvgPool"](1), nn.Flatten(),
                   nn.Linear(cin, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)  # logits; sigmoid folded into BCEWithLogits


def conv_flops(model, x):
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, (nn.Conv2d, nn.Conv3d)):
            total[0] += 2 * m.weight.numel() * out.shape[2:].numel()
        elif isinstance(m, nn.Linear):
            total[0] += 2 * m.weight.numel()
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.Linear))]
    with torch.no_grad():
        model.eval()
        model(x[:1])
        model.train()
    for h in hs:
        h.remove()
    return total[0]


def timeit(fn, warmup, steps, reps):
    for _ in range(warmup):
        fn()
    import resource
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    w0 = time.perf_counter()
    out = []
    for _ in range(reps):
        ts = []
        for _ in range(steps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        out.append(statistics.median(ts))
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    print(f"CPU_SECONDS_PER_STEP {cpu / (steps * reps):.3f} (wall {(time.perf_counter() - w0) / (steps * reps):.3f})", flush=True)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=18, choices=[18, 34, 50])
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--size", type=int, default=30)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--planar", action="store_true", help="the 2D ResNet on (N, 3, size, size) images")
    p.add_argument("--no-train", action="store_true")
    p.add_argument("--no-infer", action="store_true")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.planar:
        L.update(Conv=nn.Conv2d, BatchNorm=nn.BatchNorm2d, MaxPool=nn.MaxPool2d, AvgPool=nn.AdaptiveAvgPool2d)
    model = ResNet3D(a.depth)
    x = torch.randn(a.batch, 3, a.size, a.size) if a.planar else torch.randn(a.batch, 3, a.frames, a.size, a.size)
    y = torch.randint(0, 2, (a.batch, 1)).float()
    if a.channels_last:
        layout = torch.channels_last if a.planar else torch.channels_last_3d
        model = model.to(memory_format=layout)
        x = x.contiguous(memory_format=layout)
    fl = conv_flops(model, x)
    nparam = sum(p.numel() for p in model.parameters())
    print(f"torch {torch.__version__} threads {torch.get_num_threads()} mkldnn {torch.backends.mkldnn.is_available()} "
          f"channels_last={a.channels_last}")
    print(f"model resnet{'' if a.planar else '3d'}_{a.depth} input {tuple(x.shape)} params {nparam:,} "
          f"forward GFLOP/clip {fl / 1e9:.3f}")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = nn.BCEWithLogitsLoss()

    if not a.no_train:
        def step():
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()
        model.train()
        r = timeit(step, a.warmup, a.steps, a.reps)
        m = statistics.median(r)
        print(f"TRAIN step medians per rep (s): {[round(v, 3) for v in r]}")
        print(f"TRAIN batch {a.batch}: median {m:.3f} s/step = {a.batch / m:.2f} clips/s "
              f"= {3 * fl * a.batch / m / 1e9:.1f} GFLOP/s effective", flush=True)
    if not a.no_infer:
        model.eval()

        def inf():
            with torch.inference_mode():
                return torch.sigmoid(model(x)).sum().item()
        r = timeit(inf, a.warmup, a.steps, a.reps)
        m = statistics.median(r)
        print(f"INFER step medians per rep (s): {[round(v, 3) for v in r]}")
        print(f"INFER batch {a.batch}: median {m:.3f} s/batch = {a.batch / m:.2f} clips/s "
              f"= {fl * a.batch / m / 1e9:.1f} GFLOP/s effective", flush=True)


if __name__ == "__main__":
    main()
    import resource
    # Peak RSS of the whole run (training and inference), for comparison with pleura's VmHWM.
    print(f"PEAK_RSS_MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", flush=True)
