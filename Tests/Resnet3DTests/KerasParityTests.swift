import Foundation
import Testing

@testable import Resnet3D

// Parity with Keras/TensorFlow. The fixtures in Fixtures/parity-* hold Pleura's weights and inputs
// (written by `exportParityInputs` below) and what Keras computed from them
// (benchmarks/peers/keras_parity.py): inference logits, training logits, loss and every gradient.
// parity-r18-2d is the 2D ResNet-18 against Keras' Conv2D network (keras-resnet's topology).

struct ParityFixture: Sendable, CustomStringConvertible {
  var folder: String
  var config: ResNet3DConfig
  var seed: UInt64
  var description: String { folder }
}

private let parityFixtures = [
  ParityFixture(
    folder: "parity-r18",
    config: ResNet3DConfig(preset: .resnet18, frames: 16, height: 16, width: 16, widthMultiplier: 1.0 / 16),
    seed: 18),
  ParityFixture(
    folder: "parity-r50",
    config: ResNet3DConfig(preset: .resnet50, frames: 16, height: 16, width: 16, widthMultiplier: 1.0 / 32),
    seed: 50),
  ParityFixture(
    folder: "parity-r18-2d",
    config: ResNet3DConfig(preset: .resnet2d18, frames: 1, height: 32, width: 32, widthMultiplier: 1.0 / 16),
    seed: 2),
]

private let parityBatch = 4

/// Grey clips stored with three identical channels, and labels.
private func parityInputs(_ config: ResNet3DConfig, seed: UInt64) -> (inputs: [Float], labels: [Float]) {
  let grey = randomFloats(parityBatch * config.frames * config.height * config.width, seed: seed)
  return (grey.flatMap { [$0, $0, $0] }, [1, 0, 1, 0])
}

/// Writes weights.safetensors, inputs.safetensors and config.json for the Keras script. Run with
/// PLEURA_PARITY_EXPORT=1 swift test --filter exportParityInputs, then the script.
@Test(
  .enabled(if: ProcessInfo.processInfo.environment["PLEURA_PARITY_EXPORT"] != nil), arguments: parityFixtures)
func exportParityInputs(_ fixture: ParityFixture) throws {
  let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/\(fixture.folder)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  let model = ResNet3D(config: fixture.config, seed: fixture.seed)
  // A few steps on other clips so that weights and BN moving statistics are not at their initial values.
  let warm = parityInputs(fixture.config, seed: fixture.seed + 1)
  for _ in 0..<3 { try model.trainStep(inputs: warm.inputs, labels: warm.labels) }
  try model.save(to: folder.appendingPathComponent("weights.safetensors"))
  let (inputs, labels) = parityInputs(fixture.config, seed: fixture.seed + 2)
  let c = fixture.config
  try SafeTensors.write(
    [
      NamedTensor(
        name: "inputs", shape: [parityBatch, c.frames, c.height, c.width, c.channels], values: inputs),
      NamedTensor(name: "labels", shape: [parityBatch], values: labels),
    ], metadata: [:], to: folder.appendingPathComponent("inputs.safetensors"))
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
  try encoder.encode(fixture.config).write(to: folder.appendingPathComponent("config.json"))
}

private func fixtureURL(_ folder: String, _ file: String) -> URL {
  Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(folder)/\(file)")
}

/// max |a - b| / max |b|.
private func relativeError(_ a: [Float], _ b: [Float]) -> Double {
  let scale = b.map { Double(abs($0)) }.max() ?? 0
  let worst = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
  return scale == 0 ? worst : worst / scale
}

@Test(arguments: parityFixtures, [false, true])
func logitsAndGradientsMatchKeras(_ fixture: ParityFixture, grey: Bool) throws {
  var config = fixture.config
  config.greyInput = grey
  let model = ResNet3D(config: config, seed: 0)
  try model.load(from: fixtureURL(fixture.folder, "weights.safetensors"))
  let data = Dictionary(
    uniqueKeysWithValues: try SafeTensors.read(from: fixtureURL(fixture.folder, "inputs.safetensors")).tensors
      .map {
        ($0.name, $0.values)
      })
  let expected = Dictionary(
    uniqueKeysWithValues: try SafeTensors.read(from: fixtureURL(fixture.folder, "expected.safetensors"))
      .tensors.map {
        ($0.name, $0.values)
      })
  var inputs = data["inputs"]!
  if grey { inputs = stride(from: 0, to: inputs.count, by: 3).map { inputs[$0] } }
  let labels = data["labels"]!

  // Logits within 1e-4 relative, BN in inference mode (moving statistics), then in training mode.
  let inference = try model.forward(batch: inputs, training: false)
  #expect(relativeError(inference, expected["logits_inference"]!) < 1e-4, "\(inference)")
  // The same through the inference network (folded batch norms, its own GEMM kernels).
  let folded = try model.infer(batch: inputs)
  #expect(relativeError(folded, expected["logits_inference"]!) < 1e-4, "\(folded)")
  // Training-mode BN normalizes over 4 clips at the 1x1x1 late stages, which amplifies float32
  // rounding differences (seen: 2e-4 for the tiny ResNet3D-50); 1e-3 there.
  let training = try model.forward(batch: inputs, training: true)
  #expect(relativeError(training, expected["logits_training"]!) < 1e-3, "\(training)")

  // One training step's loss and gradients (BN with batch statistics).
  let loss = try model.computeGradients(inputs: inputs, labels: labels)
  #expect(abs(Double(loss - expected["loss"]![0])) < 1e-4 * Double(abs(loss)))
  let trainable = model.parameters.filter(\.trainable)
  let globalScale = trainable.compactMap { expected["grad/\($0.name)"]?.map(abs).max() }.max() ?? 0
  for p in trainable {
    guard let g = expected["grad/\(p.name)"] else {
      Issue.record("expected gradients lack \(p.name)")
      continue
    }
    // Per tensor: 1e-3 of its own largest gradient, plus 1e-5 of the largest anywhere (conv biases
    // have a true gradient of zero under BN, both sides are rounding noise there).
    let scale = g.map(abs).max() ?? 0
    let worst = zip(p.gradient, g).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-3 * scale + 1e-5 * globalScale, "\(p.name): \(worst) of \(scale)")
  }
}
