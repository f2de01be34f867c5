"""What PyTorch computes on Pleura's weights and inputs, for the parity tests
(Tests/Resnet3DTests/TorchParityTests.swift); not part of the plugin's protocol.

  python parity.py ARCHITECTURE WIDTH FRAMES SIZE WEIGHTS INPUTS OUT_FOLDER

WEIGHTS: safetensors in Pleura's layout (ResNet3D.save). INPUTS: safetensors with `inputs`
(N, frames, size, size, 1), Pleura's channels-last grey clips, and `labels` (N). Writes to OUT_FOLDER:
- expected.safetensors: PyTorch on Pleura's weights: `logits_inference` (BN with the moving
  statistics), `logits_training` (batch statistics), `loss` (mean BCE + L2 1e-4 on the kernels,
  training-mode BN) and `grad/NAME` for every trainable tensor, in Pleura's names and layout;
- torch-weights.safetensors: a network PyTorch initialised and trained for two Adam steps on the
  inputs, saved in Pleura's layout by the plugin's own writer, and in expected.safetensors
  `torch_logits_inference`, its logits on the inputs: Pleura loading what the plugin writes.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import pleura_resnet as pr


def grey_input(values, planar):
    x = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32)).permute(0, 4, 1, 2, 3)
    return x.squeeze(2) if planar else x


def gradients(model):
    """Each trainable tensor's gradient in Pleura's names and layout."""
    out = []
    for name, module, kind in model.pleura_modules():
        if kind == "conv":
            g = module.conv.weight.grad
            if model.dims == 2:
                g = g.unsqueeze(2)
            out += [(name + ".kernel", g.permute(2, 3, 4, 1, 0)), (name + ".bias", module.conv.bias.grad)]
        elif kind == "bn":
            out += [(name + ".gamma", module.weight.grad), (name + ".beta", module.bias.grad)]
        else:
            out += [(name + ".kernel", module.weight.grad.t()), (name + ".bias", module.bias.grad)]
    return [("grad/" + n, g.detach().numpy()) for n, g in out]


def main():
    architecture, width, frames, size, weights, inputs, folder = sys.argv[1:8]
    width, frames, size = float(width), int(frames), int(size)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    planar = pr.PRESETS[architecture][2]
    data, _ = pr.read_safetensors(inputs)
    x = grey_input(data["inputs"], planar)
    y = torch.from_numpy(np.asarray(data["labels"], dtype=np.float32))

    model = pr.PleuraResNet(architecture, width, frames, size)
    tensors, metadata = pr.read_safetensors(weights)
    if metadata.get(pr.ARCHITECTURE_KEY) != model.pleura_architecture():
        sys.exit("weights are for %r, the model is %r" % (metadata.get(pr.ARCHITECTURE_KEY),
                                                          model.pleura_architecture()))
    model.load_pleura(tensors)
    model.eval()
    with torch.no_grad():
        inference = model(x)
    model.train()
    training = model(x)
    loss = F.binary_cross_entropy_with_logits(training, y) + pr.L2 * sum((w ** 2).sum() for w in model.regularized())
    loss.backward()
    expected = [("logits_inference", inference.numpy()), ("logits_training", training.detach().numpy()),
                ("loss", loss.detach().reshape(1).numpy())] + gradients(model)

    native = pr.PleuraResNet(architecture, width, frames, size)
    native.initialize(torch.Generator().manual_seed(7))
    optimizer = torch.optim.Adam(native.parameters(), lr=1e-3, eps=1e-7)
    native.train()
    for _ in range(2):
        optimizer.zero_grad()
        F.binary_cross_entropy_with_logits(native(x), y).backward()
        optimizer.step()
    native.eval()
    with torch.no_grad():
        expected.append(("torch_logits_inference", native(x).numpy()))
    pr.save_pleura(native, os.path.join(folder, "torch-weights.safetensors"))
    pr.write_safetensors(os.path.join(folder, "expected.safetensors"), expected, {})


if __name__ == "__main__":
    main()
