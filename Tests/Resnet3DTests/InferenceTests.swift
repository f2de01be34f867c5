import Foundation
import Testing

@testable import Resnet3D

/// Gives every batch norm non-trivial running statistics and affine weights, and every
/// convolution a bias, so that a wrong fold (a missing shift, a scale on the wrong axis, a stale
/// copy) shows in the logits. (WinogradTests uses it too.)
func randomizeNormalizations(_ model: ResNet3D, seed: UInt64) {
  for (i, p) in model.parameters.enumerated() {
    let r = randomFloats(p.count, seed: seed &+ UInt64(i))
    if p.name.hasSuffix(".gamma") {
      p.setValues(r.map { 1 + 0.3 * $0 })
    } else if p.name.hasSuffix(".beta") || p.name.hasSuffix(".moving_mean") {
      p.setValues(r.map { 0.2 * $0 })
    } else if p.name.hasSuffix(".moving_variance") {
      p.setValues(r.map { 0.5 + abs($0) })
    } else if p.name.hasSuffix(".bias") {
      p.setValues(r.map { 0.05 * $0 })
    }
  }
}

struct InferenceCase: Sendable, CustomStringConvertible {
  var config: ResNet3DConfig
  var description: String {
    "\(config.block) \(config.repetitions) \(config.frames)x\(config.height)x\(config.width)"
      + " grey=\(config.greyInput)"
  }
}

/// R18/34/50 at small widths, on the study's cube shape and on odd ones (tap classes, strided
/// and pointwise shortcuts, identity shortcuts, the stem's grey fold and its RGB kernel).
private let inferenceCases = [
  InferenceCase(config: ResNet3DConfig(preset: .resnet18, widthMultiplier: 1.0 / 32, greyInput: true)),
  InferenceCase(config: tinyConfig(.resnet18)),
  InferenceCase(
    config: ResNet3DConfig(
      preset: .resnet34, frames: 16, height: 16, width: 16, widthMultiplier: 1.0 / 16, greyInput: true)),
  InferenceCase(config: ResNet3DConfig(preset: .resnet50, widthMultiplier: 1.0 / 32, greyInput: true)),
  InferenceCase(
    config: ResNet3DConfig(preset: .resnet50, frames: 16, height: 12, width: 14, widthMultiplier: 1.0 / 16)),
]

// float32 rounding differs between the folded and the layer-by-layer order of operations (seen
// under 1e-5 relative); a missing shift or a wrong scale is off by whole percents.
private let tolerance: Float = 1e-4

@Test(arguments: inferenceCases)
func foldedInferenceGivesTheLogitsOfTheLayeredForward(_ c: InferenceCase) throws {
  let model = ResNet3D(config: c.config, seed: 21, threads: 2)
  randomizeNormalizations(model, seed: 22)
  let x = randomFloats(3 * c.config.clipSize, seed: 23)
  let layered = try model.forward(batch: x, training: false)
  let folded = try model.infer(batch: x)
  #expect(folded.count == 3)
  #expect(relativeError(folded, layered) <= tolerance, "\(folded) vs \(layered)")
  // The logits do depend on the statistics: the comparison is not between two constants.
  #expect(Set(layered.map { ($0 * 1e4).rounded() }).count > 1)
  #expect(try model.predict(batch: x) == folded.map(SigmoidCrossEntropy.sigmoid))
}

@Test func foldedInferenceFollowsTrainingStepsAndWrittenWeights() throws {
  let model = ResNet3D(config: tinyConfig(.resnet18, grey: true), seed: 31, threads: 2)
  let x = randomFloats(4 * model.config.clipSize, seed: 32)
  let before = try model.infer(batch: x)
  // Training moves the weights and the running statistics; the fold must be made again.
  for _ in 0..<3 { try model.trainStep(inputs: x, labels: [1, 0, 1, 0]) }
  let trained = try model.infer(batch: x)
  #expect(trained != before)
  #expect(relativeError(trained, try model.forward(batch: x, training: false)) <= tolerance)
  // A training-mode forward alone updates the running statistics.
  _ = try model.forward(batch: x, training: true)
  #expect(relativeError(try model.infer(batch: x), try model.forward(batch: x, training: false)) <= tolerance)
  // So does a write through setValues (as loading weights and BN calibration do).
  guard let variance = model.parameters.first(where: { $0.name == "stage2.block1.bn2.moving_variance" })
  else {
    Issue.record("no stage2.block1.bn2.moving_variance")
    return
  }
  variance.setValues(variance.values.map { $0 * 4 })
  let written = try model.infer(batch: x)
  #expect(written != trained)
  #expect(relativeError(written, try model.forward(batch: x, training: false)) <= tolerance)
}

@Test func foldedInferenceTakesAnyBatchSizeAndRefusesPartialClips() throws {
  let model = ResNet3D(config: tinyConfig(.resnet50, grey: true), seed: 41, threads: 2)
  randomizeNormalizations(model, seed: 42)
  let x = randomFloats(5 * model.config.clipSize, seed: 43)
  let all = try model.infer(batch: x)
  // Each clip's logit is the same alone as in the batch (inference mode has no batch statistics).
  let size = model.config.clipSize
  for i in [0, 4] {
    let one = try model.infer(batch: Array(x[(i * size)..<((i + 1) * size)]))
    #expect(abs(one[0] - all[i]) <= tolerance * max(1, abs(all[i])))
  }
  #expect(throws: ResNet3DError.self) { try model.infer(batch: Array(x.dropLast())) }
  #expect(throws: ResNet3DError.self) { try model.infer(batch: []) }
}

@Test func saliencyComputesNoParameterGradientsAndScoresFromTheSamePass() throws {
  let model = ResNet3D(config: tinyConfig(.resnet18, grey: true), seed: 51, threads: 2)
  randomizeNormalizations(model, seed: 52)
  let x = randomFloats(2 * model.config.clipSize, seed: 53)
  try model.computeGradients(inputs: x, labels: [1, 0])
  let gradients = model.parameters.filter(\.trainable).map(\.gradient)
  let (map, logits) = try model.inputGradientAndLogits(batch: x)
  #expect(map.count == x.count && map.contains { $0 != 0 })
  #expect(relativeError(logits, try model.infer(batch: x)) <= tolerance)
  #expect(map == (try model.inputGradient(batch: x)))
  // The training gradients left by computeGradients are untouched by the saliency pass.
  #expect(model.parameters.filter(\.trainable).map(\.gradient) == gradients)
}

@Test(arguments: [ResNet3DConfig.Preset.resnet18, .resnet50])
func keptGEMMKernelsGiveTheSameLogitsAsKernelsMadePerBatch(_ preset: ResNet3DConfig.Preset) throws {
  let model = ResNet3D(
    config: ResNet3DConfig(preset: preset, widthMultiplier: 1.0 / 32, greyInput: true), seed: 71, threads: 2)
  randomizeNormalizations(model, seed: 72)
  let x = randomFloats(3 * model.config.clipSize, seed: 73)
  let signature = model.parameters.reduce(0) { $0 &+ $1.version }
  let kept = InferenceNetwork(model, signature: signature)
  let none = InferenceNetwork(model, signature: signature, budget: 0)
  // The stem's and the stage convolutions' tap-class kernels are kept (the 60x30x30 cube has
  // borders at every stage), and a zero budget keeps none.
  #expect(kept.prepared[ObjectIdentifier(model.stemConv)] != nil)
  #expect(kept.prepared.count >= model.blocks.count)
  #expect(none.prepared.isEmpty)
  let n = try model.loadForInference(x)
  let withKept = model.runInference(kept, batch: n)
  let perBatch = model.runInference(none, batch: n)
  // The same copies of the same kernel rows: the same floats, not merely close ones.
  #expect(withKept == perBatch)
  #expect(relativeError(withKept, try model.forward(batch: x, training: false)) <= tolerance)
}
