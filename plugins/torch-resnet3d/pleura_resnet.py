"""Pleura's ResNet3D (and its 2D ResNet-18) in PyTorch, with Pleura's weight layout.

The network is the one Sources/Engines/Resnet3D/ResNet3D.swift builds (keras-resnet3d's topology):
a 7x7x7 /2 stem convolution, BN-ReLU, a 3x3x3 /2 max-pool, pre-activation residual stages (basic
blocks for depths 18 and 34, bottlenecks for 50) whose 1x1x1 shortcut convolution has stride
ceil(in/out) and is present only where the shapes differ, then BN-ReLU, global average pooling
and Dense(1). Every convolution has a bias. Padding is TensorFlow's "same": the odd pixel goes
after, which PyTorch's symmetric `padding=` cannot express, so it is padded explicitly. BN has
epsilon 1e-3 and Keras' momentum 0.99 (PyTorch's 0.01).

The 2D network (`resnet-18`) is built from Conv2d/BatchNorm2d/MaxPool2d on (N, C, H, W) images;
its Pleura tensors hold kernels 1 x k x k, so a depth axis of 1 is added or removed on the way.

Pleura's layout (safetensors, float32, names as in ResNet3D.swift):
  stem.conv.{kernel,bias}, stem.bn.{gamma,beta,moving_mean,moving_variance},
  stage{s}.block{b}.bn{i}.*, stage{s}.block{b}.conv{i}.*, stage{s}.block{b}.shortcut.*,
  head.bn.*, head.dense.{kernel,bias}
Kernels are channels-last (kd, kh, kw, Ci, Co); PyTorch's are (Co, Ci, kd, kh, kw). The stem's
kernel keeps the study's 3 input channels; a one-channel (grey) input is convolved with the kernel
summed over them, exactly as feeding the grey image three times (Pleura's `greyInput`).
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    "resnet3d-18": ("basic", [2, 2, 2, 2], False),
    "resnet3d-34": ("basic", [3, 4, 6, 3], False),
    "resnet3d-50": ("bottleneck", [3, 4, 6, 3], False),
    "resnet-18": ("basic", [2, 2, 2, 2], True),
}
BN_EPSILON = 1e-3
BN_MOMENTUM = 0.99  # Keras' convention: moving = moving * momentum + batch * (1 - momentum)
L2 = 1e-4
CHANNELS = 3
ARCHITECTURE_KEY = "pleura.resnet3d.architecture"


def scaled(filters, width):
    """Pleura's `scaled`: Swift's rounded() rounds halves away from zero, Python's round() does not."""
    return max(1, int(math.floor(filters * width + 0.5)))


def ceil_div(a, b):
    return -(-a // b)


def same_padding(size, kernel, stride):
    """TensorFlow "same": output ceil(size / stride), the odd padded pixel after."""
    output = (size + stride - 1) // stride
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv(nn.Module):
    """A convolution with a bias and TensorFlow padding ("same" or "valid")."""

    def __init__(self, dims, cin, cout, kernel, stride, same, name):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.conv = conv(cin, cout, kernel, stride, padding=0, bias=True)
        self.dims, self.kernel, self.stride, self.same, self.name = dims, kernel, stride, same, name

    def padded(self, x, value=0.0):
        if not self.same:
            return x
        pads = []
        for axis in reversed(range(self.dims)):  # F.pad takes the last axis first
            pads += same_padding(x.shape[2 + axis], self.kernel, self.stride)
        return F.pad(x, pads, value=value)

    def forward(self, x):
        weight = self.conv.weight
        if x.shape[1] != weight.shape[1]:
            if x.shape[1] != 1:
                raise ValueError("%s takes %d or 1 channels, not %d" % (self.name, weight.shape[1], x.shape[1]))
            weight = weight.sum(dim=1, keepdim=True)  # grey input: the kernel summed over channels
        op = F.conv2d if self.dims == 2 else F.conv3d
        return op(self.padded(x), weight, self.conv.bias, self.stride)


def batch_norm(dims, channels):
    bn = (nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d)(channels, eps=BN_EPSILON, momentum=1 - BN_MOMENTUM)
    bn.pleura = True
    return bn


class Block(nn.Module):
    """A pre-activation residual block: [BN-ReLU] conv, BN-ReLU conv (, BN-ReLU conv), + shortcut."""

    def __init__(self, dims, name, cin, filters, stride, first, kind, spatial):
        super().__init__()
        if kind == "basic":
            specs = [(3, filters, stride), (3, filters, 1)]
        else:
            specs = [(1, filters, stride), (3, filters, 1), (1, 4 * filters, 1)]
        self.bns, self.convs, self.names = nn.ModuleList(), nn.ModuleList(), []
        c = cin
        for i, (k, f, s) in enumerate(specs):
            self.bns.append(nn.Identity() if (i == 0 and first) else batch_norm(dims, c))
            self.convs.append(SameConv(dims, c, f, k, s, True, "%s.conv%d" % (name, i + 1)))
            self.names.append(("%s.bn%d" % (name, i + 1)) if not (i == 0 and first) else None)
            c = f
        self.cout, self.stride = c, stride
        # "same" convolutions: ceil(in / stride) per axis (the 2D network's depth is not an axis).
        self.spatial = [ceil_div(n, stride) for n in spatial]
        self.shortcut = None
        if self.spatial != list(spatial) or cin != c:
            # As Pleura: a 1x1 "valid" convolution with stride ceil(in / out) per axis, present
            # only where the block changes the shape (computed from the shapes in `forward`).
            self.shortcut = SameConv(dims, cin, c, 1, stride, False, "%s.shortcut" % name)
        self.name = name

    def forward(self, x):
        h = x
        for bn, conv in zip(self.bns, self.convs):
            if not isinstance(bn, nn.Identity):
                h = F.relu(bn(h))
            h = conv(h)
        if self.shortcut is None:
            return h + x
        s = self.shortcut
        strides = [ceil_div(x.shape[2 + a], h.shape[2 + a]) for a in range(s.dims)]
        op = F.conv2d if s.dims == 2 else F.conv3d
        return h + op(x, s.conv.weight, s.conv.bias, strides)


class PleuraResNet(nn.Module):
    """Pleura's network for a preset name, width multiplier and input (frames x size x size);
    input (N, 1 or 3, D, H, W), or (N, 1 or 3, H, W) for the 2D `resnet-18` (frames 1).
    Returns the logits (N)."""

    def __init__(self, architecture, width, frames, size):
        super().__init__()
        if architecture not in PRESETS:
            raise ValueError("unknown architecture %r; valid: %s" % (architecture, ", ".join(PRESETS)))
        kind, reps, planar = PRESETS[architecture]
        dims = 2 if planar else 3
        if planar and frames != 1:
            raise ValueError("%s is 2D and takes single-frame images, not %d frames" % (architecture, frames))
        spatial = [size, size] if planar else [frames, size, size]
        spatial = [ceil_div(ceil_div(n, 2), 2) for n in spatial]  # stem /2, then max-pool /2
        self.architecture, self.width, self.kind, self.reps, self.dims = architecture, width, kind, reps, dims
        stem = scaled(64, width)
        self.stem = SameConv(dims, CHANNELS, stem, 7, 2, True, "stem.conv")
        self.stem_bn = batch_norm(dims, stem)
        self.blocks = nn.ModuleList()
        c = stem
        for s, r in enumerate(reps):
            f = scaled(64 << s, width)
            for b in range(r):
                block = Block(dims, "stage%d.block%d" % (s + 1, b + 1), c, f, 2 if (b == 0 and s > 0) else 1,
                              s == 0 and b == 0, kind, spatial)
                spatial = block.spatial
                self.blocks.append(block)
                c = block.cout
        self.head_bn = batch_norm(dims, c)
        self.dense = nn.Linear(c, 1)
        self.stage_filters = [scaled(64 << s, width) for s in range(len(reps))]
        self.stem_filters = stem

    def forward(self, x):
        h = F.relu(self.stem_bn(self.stem(x)))
        pads = []
        for axis in reversed(range(self.dims)):
            pads += same_padding(h.shape[2 + axis], 3, 2)
        h = F.pad(h, pads, value=-math.inf)
        h = (F.max_pool2d if self.dims == 2 else F.max_pool3d)(h, 3, 2)
        for block in self.blocks:
            h = block(h)
        h = F.relu(self.head_bn(h))
        h = h.mean(dim=tuple(range(2, 2 + self.dims)))
        return self.dense(h).squeeze(1)

    def pleura_architecture(self):
        """ResNet3DConfig.architecture: what Pleura's loader checks the weights against."""
        return "%s block=%s repetitions=%s stem=%d filters=%s channels=%d outputs=1" % (
            "resnet2d" if self.dims == 2 else "resnet3d", self.kind, ",".join(map(str, self.reps)),
            self.stem_filters, ",".join(map(str, self.stage_filters)), CHANNELS)

    # Pleura names, in Pleura's (Keras') creation order: (name, module, kind)
    def pleura_modules(self):
        out = [("stem.conv", self.stem, "conv"), ("stem.bn", self.stem_bn, "bn")]
        for block in self.blocks:
            for name, bn, conv in zip(block.names, block.bns, block.convs):
                if name is not None:
                    out.append((name, bn, "bn"))
                out.append((conv.name, conv, "conv"))
            if block.shortcut is not None:
                out.append((block.shortcut.name, block.shortcut, "conv"))
        out += [("head.bn", self.head_bn, "bn"), ("head.dense", self.dense, "dense")]
        return out

    def regularized(self):
        """The kernels Pleura's L2 term covers: every convolution's and the dense layer's."""
        return [m.conv.weight for _, m, kind in self.pleura_modules() if kind == "conv"] + [self.dense.weight]

    def initialize(self, generator):
        """Pleura's initialisation: he_normal kernels (truncated at 2 sigma, Keras' scaling), zero
        biases, BN gamma 1, beta 0, moving mean 0, variance 1. The numbers come from PyTorch's
        generator, not Pleura's: the same distribution, not the same weights."""
        with torch.no_grad():
            for _, module, kind in self.pleura_modules():
                weight = module.conv.weight if kind == "conv" else (module.weight if kind == "dense" else None)
                if weight is None:
                    module.reset_parameters()
                    module.reset_running_stats()
                    continue
                fan_in = weight[0].numel()
                std = math.sqrt(2.0 / fan_in) / 0.87962566103423978
                weight.copy_(truncated_normal(weight.shape, std, generator))
                (module.conv.bias if kind == "conv" else module.bias).zero_()

    # ---- Pleura's layout

    def to_pleura(self):
        """[(name, float32 array)] in Pleura's names, shapes and order."""
        tensors = []
        for name, module, kind in self.pleura_modules():
            if kind == "conv":
                w = module.conv.weight.detach().cpu().float()
                if self.dims == 2:
                    w = w.unsqueeze(2)
                tensors += [(name + ".kernel", w.permute(2, 3, 4, 1, 0)), (name + ".bias", module.conv.bias)]
            elif kind == "bn":
                tensors += [(name + ".gamma", module.weight), (name + ".beta", module.bias),
                            (name + ".moving_mean", module.running_mean),
                            (name + ".moving_variance", module.running_var)]
            else:
                tensors += [(name + ".kernel", module.weight.t()), (name + ".bias", module.bias)]
        return [(n, np.ascontiguousarray(t.detach().cpu().float().numpy(), dtype="<f4")) for n, t in tensors]

    def load_pleura(self, tensors):
        """Loads {name: array} in Pleura's layout; refuses a missing, extra or misshapen tensor."""
        mine = dict(self.to_pleura())
        extra = sorted(set(tensors) - set(mine))
        if extra:
            raise ValueError("weights have tensor %r the model does not have" % extra[0])
        for name, array in mine.items():
            if name not in tensors:
                raise ValueError("weights lack tensor %r" % name)
            if tuple(tensors[name].shape) != array.shape:
                raise ValueError("tensor %r has shape %s, the model needs %s" % (
                    name, list(tensors[name].shape), list(array.shape)))
        with torch.no_grad():
            for name, module, kind in self.pleura_modules():
                def get(suffix):
                    return torch.from_numpy(np.array(tensors[name + suffix], dtype=np.float32))
                if kind == "conv":
                    w = get(".kernel").permute(4, 3, 0, 1, 2)
                    if self.dims == 2:
                        w = w.squeeze(2)
                    module.conv.weight.copy_(w)
                    module.conv.bias.copy_(get(".bias"))
                elif kind == "bn":
                    module.weight.copy_(get(".gamma"))
                    module.bias.copy_(get(".beta"))
                    module.running_mean.copy_(get(".moving_mean"))
                    module.running_var.copy_(get(".moving_variance"))
                else:
                    module.weight.copy_(get(".kernel").t())
                    module.bias.copy_(get(".bias"))


def truncated_normal(shape, std, generator):
    """Normal(0, std) redrawn outside 2 std, as Keras' TruncatedNormal."""
    values = torch.randn(shape, generator=generator)
    outside = values.abs() > 2
    while outside.any():
        values[outside] = torch.randn(int(outside.sum()), generator=generator)
        outside = values.abs() > 2
    return values * std


def write_safetensors(path, tensors, metadata):
    """Float32 safetensors with string metadata, the tensors in the given order."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, array in tensors:
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(len(text) + 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def save_pleura(model, path):
    write_safetensors(path, model.to_pleura(),
                      {ARCHITECTURE_KEY: model.pleura_architecture(), "format": "keras-resnet3d"})


def read_safetensors(path):
    """({name: float32 array}, metadata) of a float32 safetensors file."""
    from safetensors.numpy import load_file
    from safetensors import safe_open
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata() or {}
    return load_file(path), metadata
