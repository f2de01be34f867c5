import Foundation
import Testing

@testable import Resnet3D

// The 2D ResNet-18 (`resnet-18`, the M-mode baseline): ResNet3D-18 with every kernel, stride and
// pool one frame deep. Gradients are checked with the 3D ones (ResNet3DModelTests) and against
// Keras' Conv2D network in KerasParityTests (fixture parity-r18-2d).

/// A narrow 2D ResNet-18 on single-frame images.
func tiny2DConfig(size: Int = 16, grey: Bool = false) -> ResNet3DConfig {
  ResNet3DConfig(
    preset: .resnet2d18, frames: 1, height: size, width: size, widthMultiplier: 1.0 / 16, greyInput: grey)
}

@Test func twoDimensionalNetworkConvolvesHeightAndWidthOnly() {
  let model = ResNet3D(config: ResNet3DConfig(preset: .resnet2d18, frames: 1, height: 64, width: 64), seed: 1)
  // conv1, pool, stages 1-4: halved in height and width only.
  #expect(
    model.stageShapes.map { [$0.depth, $0.height, $0.width] } == [
      [1, 32, 32], [1, 16, 16], [1, 16, 16], [1, 8, 8], [1, 4, 4], [1, 2, 2],
    ])
  let kernels = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.shape) })
  #expect(kernels["stem.conv.kernel"] == [1, 7, 7, 3, 64])
  #expect(kernels["stage1.block1.conv1.kernel"] == [1, 3, 3, 64, 64])
  #expect(kernels["stage2.block1.shortcut.kernel"] == [1, 1, 1, 64, 128])
  #expect(model.config.architecture.hasPrefix("resnet2d block=basic repetitions=2,2,2,2"))
}

/// Keras' `count_params()` of keras-resnet's 2D ResNet-18 with 3 input channels and Dense(1)
/// (benchmarks/peers/keras_parity.py's `build` at width 1).
@Test func twoDimensionalParameterCountMatchesKeras() {
  let model = ResNet3D(config: ResNet3DConfig(preset: .resnet2d18, frames: 1, height: 32, width: 32), seed: 1)
  #expect(model.parameterCount == 11_187_841)
  #expect(model.parameterCount - model.trainableParameterCount == 7_808)
}

/// On one frame a 3x3x3 kernel only ever uses its middle slice, so the 3D network with its kernels'
/// middle slices set to the 2D network's (and the rest zero) computes exactly the 2D network.
@Test func twoDimensionalNetworkIsTheThreeDimensionalOneOnASingleFrame() throws {
  let planar = ResNet3D(config: tiny2DConfig(), seed: 3)
  var config = tiny2DConfig()
  config.twoDimensional = false
  let cubic = ResNet3D(config: config, seed: 4)
  for (p, q) in zip(planar.parameters, cubic.parameters) {
    #expect(p.name == q.name)
    guard p.shape != q.shape else {
      q.setValues(p.values)
      continue
    }
    // (k, k, k, Ci, Co) is depth-major: the middle slice is one contiguous block.
    var values = [Float](repeating: 0, count: q.count)
    let offset = q.shape[0] / 2 * p.count
    values.replaceSubrange(offset..<(offset + p.count), with: p.values)
    q.setValues(values)
  }
  let x = randomFloats(3 * planar.config.clipSize, seed: 5)
  let a = try planar.forward(batch: x, training: false)
  let b = try cubic.forward(batch: x, training: false)
  for (u, v) in zip(a, b) { #expect(abs(u - v) <= 1e-5 * max(1, abs(v)), "\(a) vs \(b)") }
}

@Test func twoDimensionalPresetNamesParseAndThreeDimensionalOnesStay() throws {
  #expect(try ResNet3DConfig.Preset.named("resnet-18") == .resnet2d18)
  #expect(try ResNet3DConfig.Preset.named("resnet2d-18") == .resnet2d18)
  #expect(try ResNet3DConfig.Preset.named("18") == .resnet18)
  #expect(try ResNet3DConfig.Preset.named("resnet18") == .resnet18)
  #expect(try ResNet3DConfig.Preset.named("resnet3d-18") == .resnet18)
  #expect(throws: ResNet3DError.self) { try ResNet3DConfig.Preset.named("resnet2d-50") }
}

@Test func threeDimensionalWeightsDoNotLoadIntoTheTwoDimensionalNetwork() throws {
  var config = tiny2DConfig()
  config.twoDimensional = false
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resnet2d-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let file = folder.appendingPathComponent("weights.safetensors")
  try ResNet3D(config: config, seed: 1).save(to: file)
  let planar = ResNet3D(config: tiny2DConfig(), seed: 1)
  #expect(throws: ResNet3DError.self) { try planar.load(from: file) }
}
