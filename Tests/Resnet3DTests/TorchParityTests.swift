import Foundation
import TestSupport
import Testing

@testable import Resnet3D

// Parity with PyTorch, through the torch-resnet3d plugin's own network code
// (plugins/torch-resnet3d/pleura_resnet.py, driven by its parity.py). Generated at test time: Pleura
// writes weights (after a few training steps, so that weights and BN statistics are not at their
// initial values) and grey clips, PyTorch computes logits, the loss and every gradient from them,
// and trains a network of its own that it saves in Pleura's layout for Pleura to load.
// For the 2D ResNet-18 this is #17's parity against PyTorch (PyTorch's Conv2d network).
//
// Tolerances, as the Keras parity (KerasParityTests): inference logits within 1e-4 of the largest
// logit; training-mode logits within 1e-3 (BN over 4 clips at the late 1x1x1 stages amplifies
// float32 rounding); the loss within 1e-4 relative; each gradient within 1e-3 of its tensor's
// largest plus 1e-5 of the largest anywhere (conv biases before BN have a true gradient of 0).

struct TorchParityCase: Sendable, CustomStringConvertible {
  var architecture: String
  var config: ResNet3DConfig
  var seed: UInt64
  var description: String { architecture }
}

private let torchCases = [
  TorchParityCase(
    architecture: "resnet3d-18",
    config: ResNet3DConfig(
      preset: .resnet18, frames: 16, height: 16, width: 16, widthMultiplier: 1.0 / 16, greyInput: true),
    seed: 18),
  TorchParityCase(
    architecture: "resnet3d-50",
    config: ResNet3DConfig(
      preset: .resnet50, frames: 12, height: 14, width: 14, widthMultiplier: 1.0 / 32, greyInput: true),
    seed: 50),
  TorchParityCase(
    architecture: "resnet-18",
    config: ResNet3DConfig(
      preset: .resnet2d18, frames: 1, height: 32, width: 32, widthMultiplier: 1.0 / 16, greyInput: true),
    seed: 2),
]

private let torchBatch = 4

/// max |a - b| / max |b|.
private func relativeError(_ a: [Float], _ b: [Float]) -> Double {
  let scale = b.map { Double(abs($0)) }.max() ?? 0
  let worst = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
  return scale == 0 ? worst : worst / scale
}

@Suite(
  "PyTorch parity (torch-resnet3d)", .enabled(if: TorchVenv.available, TorchVenv.skipReason), .tags(.slow))
struct TorchParityTests {
  @Test(arguments: torchCases)
  func logitsLossAndGradientsMatchPyTorch(_ testCase: TorchParityCase) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("torch-parity-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let c = testCase.config
    let clip = c.frames * c.height * c.width
    let model = ResNet3D(config: c, seed: testCase.seed)
    let warm = randomFloats(torchBatch * clip, seed: testCase.seed + 1)
    for _ in 0..<3 { try model.trainStep(inputs: warm, labels: [1, 0, 1, 0]) }
    let weights = folder.appendingPathComponent("weights.safetensors")
    try model.save(to: weights)
    let inputs = randomFloats(torchBatch * clip, seed: testCase.seed + 2)
    let labels: [Float] = [1, 0, 0, 1]
    try SafeTensors.write(
      [
        NamedTensor(name: "inputs", shape: [torchBatch, c.frames, c.height, c.width, 1], values: inputs),
        NamedTensor(name: "labels", shape: [torchBatch], values: labels),
      ], metadata: [:], to: folder.appendingPathComponent("inputs.safetensors"))

    let result = ExternalTool.run(
      TorchVenv.python,
      [
        "-B", TorchVenv.plugin.appendingPathComponent("parity.py").path, testCase.architecture,
        "\(c.widthMultiplier)", "\(c.frames)", "\(c.height)", weights.path,
        folder.appendingPathComponent("inputs.safetensors").path, folder.path,
      ])
    try #require(result.status == 0, "parity.py failed: \(result.stderr)")
    let expected = Dictionary(
      uniqueKeysWithValues: try SafeTensors.read(from: folder.appendingPathComponent("expected.safetensors"))
        .tensors.map { ($0.name, $0.values) })

    let inference = try model.forward(batch: inputs, training: false)
    #expect(relativeError(inference, expected["logits_inference"] ?? []) < 1e-4, "\(inference)")
    // The folded inference path `evaluate` and `explain` use, on the same weights.
    #expect(relativeError(try model.infer(batch: inputs), expected["logits_inference"] ?? []) < 1e-4)
    let training = try model.forward(batch: inputs, training: true)
    #expect(relativeError(training, expected["logits_training"] ?? []) < 1e-3, "\(training)")

    let loss = try model.computeGradients(inputs: inputs, labels: labels)
    let torchLoss = try #require(expected["loss"]?.first)
    #expect(abs(Double(loss - torchLoss)) < 1e-4 * Double(abs(loss)), "\(loss) vs \(torchLoss)")
    let trainable = model.parameters.filter(\.trainable)
    let globalScale = trainable.compactMap { expected["grad/\($0.name)"]?.map(abs).max() }.max() ?? 0
    for p in trainable {
      guard let g = expected["grad/\(p.name)"] else {
        Issue.record("PyTorch's gradients lack \(p.name)")
        continue
      }
      let scale = g.map(abs).max() ?? 0
      let worst = zip(p.gradient, g).map { abs($0 - $1) }.max() ?? 0
      #expect(
        g.count == p.count && worst <= 1e-3 * scale + 1e-5 * globalScale, "\(p.name): \(worst) of \(scale)")
    }

    // The other way: weights PyTorch trained, saved by the plugin's writer, loaded by Pleura's
    // loader (names, shapes, layouts, BN statistics, architecture metadata) give PyTorch's logits.
    let fromTorch = ResNet3D(config: c, seed: 0)
    try fromTorch.load(from: folder.appendingPathComponent("torch-weights.safetensors"))
    let torchLogits = try fromTorch.forward(batch: inputs, training: false)
    #expect(relativeError(torchLogits, expected["torch_logits_inference"] ?? []) < 1e-4, "\(torchLogits)")
    #expect(
      relativeError(try fromTorch.infer(batch: inputs), expected["torch_logits_inference"] ?? []) < 1e-4)
  }
}
