import Foundation
import Testing

@testable import Resnet3D

struct ShapeCase: Sendable, CustomStringConvertible {
  var size: Int
  var expected: [[Int]]
  var description: String { "60x\(size)x\(size)" }
}

/// docs/ARCHITECTURE.md, "The network": conv1, pool, stage 1-4 (frames, height, width).
private let shapeCases = [
  ShapeCase(
    size: 30, expected: [[30, 15, 15], [15, 8, 8], [15, 8, 8], [8, 4, 4], [4, 2, 2], [2, 1, 1]]),
  ShapeCase(
    size: 60, expected: [[30, 30, 30], [15, 15, 15], [15, 15, 15], [8, 8, 8], [4, 4, 4], [2, 2, 2]]),
  ShapeCase(
    size: 90, expected: [[30, 45, 45], [15, 23, 23], [15, 23, 23], [8, 12, 12], [4, 6, 6], [2, 3, 3]]),
]

@Test(arguments: shapeCases)
func stageShapesMatchDesign(_ c: ShapeCase) {
  for preset in ResNet3DConfig.Preset.allCases {
    let config = ResNet3DConfig(preset: preset, height: c.size, width: c.size, widthMultiplier: 1.0 / 32)
    let model = ResNet3D(config: config, seed: 1)
    #expect(model.stageShapes.map { [$0.depth, $0.height, $0.width] } == c.expected, "\(preset)")
  }
}

@Test(arguments: [
  (ResNet3DConfig.Preset.resnet18, 33_215_233, 7_808), (.resnet34, 63_536_001, 15_232),
  (.resnet50, 46_265_345, 45_440),
])
func parameterCountsMatchKeras(_ preset: ResNet3DConfig.Preset, total: Int, nonTrainable: Int) {
  let model = ResNet3D(config: ResNet3DConfig(preset: preset), seed: 1)
  #expect(model.parameterCount == total)
  #expect(model.parameterCount - model.trainableParameterCount == nonTrainable)
  let last = preset == .resnet50 ? 2048 : 512
  #expect(model.stageShapes.last?.channels == last)
}

/// A tiny network for end-to-end checks.
func tinyConfig(_ preset: ResNet3DConfig.Preset = .resnet18, grey: Bool = false) -> ResNet3DConfig {
  ResNet3DConfig(preset: preset, frames: 8, height: 7, width: 6, widthMultiplier: 1.0 / 16, greyInput: grey)
}

/// Tiny basic and bottleneck networks for the end-to-end gradient check. (A deep bottleneck net on
/// 1x1x1 late stages and batch 3 is too chaotic for central differences; one block per stage
/// exercises every bottleneck path.)
private let gradientCheckConfigs = [
  tinyConfig(.resnet18),
  ResNet3DConfig(
    block: .bottleneck, repetitions: [1, 1, 1, 1], frames: 16, height: 16, width: 16,
    widthMultiplier: 1.0 / 16),
]

@Test(arguments: gradientCheckConfigs)
func wholeNetworkGradientsMatchFiniteDifferences(_ config: ResNet3DConfig) throws {
  // Finite differences need smooth paths; float32 rounding bounds the tolerance.
  let model = ResNet3D(config: config, seed: 7, threads: 2)
  let batch = 6
  var inputs = randomFloats(batch * config.clipSize, seed: 8)
  let labels: [Float] = [1, 0, 1, 1, 0, 0]
  try model.computeGradients(inputs: inputs, labels: labels)
  let analytic = model.parameters.filter(\.trainable).map { ($0, $0.gradient) }
  // Small steps: with larger ones (1e-3 and up) a few differences straddle ReLU kinks and converge
  // to the analytic value only as the step shrinks.
  let eps: Float = 3e-4
  var failures: [String] = []
  var checked = 0
  for (p, g) in analytic {
    var v = p.values
    let bad = gradientMismatches(
      values: &v, analytic: g, indices: sampleIndices(v.count, count: 3), eps: eps, atol: 3e-3, rtol: 5e-2
    ) { v in
      p.setValues(v)
      return Double((try? model.computeGradients(inputs: inputs, labels: labels)) ?? .nan)
    }
    p.setValues(v)
    checked += min(v.count, 3)
    failures += bad.map { "\(p.name)[\($0.index)]: \($0.analytic) vs \($0.numeric)" }
  }
  // ReLU kinks and max-pool ties can make a handful of central differences meaningless.
  #expect(failures.count * 50 <= checked, "\(failures.count)/\(checked): \(failures.prefix(8))")

  // Input gradient (inference-mode BN) of the summed logits.
  let dx = try model.inputGradient(batch: inputs)
  let bad = gradientMismatches(
    values: &inputs, analytic: dx, indices: sampleIndices(inputs.count, count: 40), eps: 2e-3, atol: 2e-3,
    rtol: 2e-2
  ) { x in Double(((try? model.forward(batch: x, training: false)) ?? []).reduce(0, +)) }
  #expect(bad.count <= 1, "input gradient mismatches: \(bad.prefix(5))")
}

@Test func greyInputIsExactlyTheThreeChannelModel() throws {
  let rgb = ResNet3D(config: tinyConfig(), seed: 3)
  let grey = ResNet3D(config: tinyConfig(grey: true), seed: 3)
  let g = randomFloats(2 * grey.config.clipSize, seed: 4)
  let repeated = g.flatMap { [$0, $0, $0] }
  let labels: [Float] = [0, 1]
  // Same loss and gradients up to float rounding (the grey path sums the kernel first). After
  // Adam steps, weights with near-zero gradients may take opposite +-lr steps, so gradients of one
  // step are what is compared.
  let a = try rgb.computeGradients(inputs: repeated, labels: labels)
  let b = try grey.computeGradients(inputs: g, labels: labels)
  // How far rounding goes depends on which OpenBLAS kernel the processor gets (1.2e-5 relative
  // seen with the Haswell kernels); a wrong grey fold is off by whole percents.
  #expect(abs(a - b) <= 3e-5 * abs(a))
  // Conv biases are left out: every conv feeds a training-mode BN (directly or through the
  // residual stream), so their true gradient is zero and both values are rounding noise.
  for (p, q) in zip(rgb.parameters, grey.parameters)
  where p.trainable && !p.name.hasSuffix("conv.bias")
    && !(p.name.hasSuffix(".bias") && p.name.contains("stage"))
  {
    let scale = p.gradient.map(abs).max() ?? 0
    let worst = zip(p.gradient, q.gradient).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 3e-3 * scale + 1e-7, "\(p.name): \(worst) of \(scale)")
  }
}

@Test func sameSeedAndThreadsGiveBitIdenticalWeights() throws {
  func train() throws -> [[Float]] {
    let model = ResNet3D(config: tinyConfig(), seed: 11, threads: 2)
    let x = randomFloats(4 * model.config.clipSize, seed: 12)
    for _ in 0..<3 { try model.trainStep(inputs: x, labels: [1, 0, 0, 1]) }
    return model.parameters.map(\.values)
  }
  #expect(try train() == train())
}

@Test func trainingReducesTheLossOnAFixedBatch() throws {
  let model = ResNet3D(config: tinyConfig(grey: true), seed: 5)
  let x = randomFloats(4 * model.config.clipSize, seed: 6)
  let labels: [Float] = [1, 0, 1, 0]
  let first = try model.trainStep(inputs: x, labels: labels)
  var last = first
  for _ in 0..<15 { last = try model.trainStep(inputs: x, labels: labels) }
  #expect(last < first)
}

@Test func badBatchSizeIsRejected() {
  let model = ResNet3D(config: tinyConfig(), seed: 1)
  #expect(throws: ResNet3DError.self) { try model.forward(batch: [1, 2, 3]) }
  #expect(throws: ResNet3DError.badInput("2 labels for 1 clips")) {
    try model.computeGradients(inputs: randomFloats(model.config.clipSize, seed: 1), labels: [1, 0])
  }
}

@Test func presetNamesParseAndUnknownOnesListTheValid() throws {
  #expect(try ResNet3DConfig.Preset.named("resnet3d-34") == .resnet34)
  #expect(try ResNet3DConfig.Preset.named("50") == .resnet50)
  #expect(
    throws: ResNet3DError.unknownArchitecture(
      "resnet3d-19", valid: ["resnet3d-18", "resnet3d-34", "resnet3d-50"])
  ) {
    try ResNet3DConfig.Preset.named("resnet3d-19")
  }
}

@Test func trainStepWithL2InsideAdamEqualsL2InTheGradient() throws {
  let a = ResNet3D(config: tinyConfig(), seed: 9)
  let b = ResNet3D(config: tinyConfig(), seed: 9)
  let x = randomFloats(2 * a.config.clipSize, seed: 10)
  let labels: [Float] = [1, 0]
  let fused = try a.trainStep(inputs: x, labels: labels)
  let separate = try b.computeGradients(inputs: x, labels: labels)
  adamUpdate(b.parameters, step: 1, settings: b.config.adam, workers: b.workers)
  #expect(a.parameters.map(\.values) == b.parameters.map(\.values))
  #expect(abs(fused - separate) <= 1e-6 * abs(separate))
}
