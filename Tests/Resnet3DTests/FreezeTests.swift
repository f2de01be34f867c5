import Testing

@testable import Resnet3D

/// `freeze(stages:)` holds conv1 and the first stages at their values through training steps,
/// and only those: the rest of the network still learns.
@Suite struct FreezeTests {
  static func tinyModel() -> ResNet3D {
    ResNet3D(
      config: ResNet3DConfig(preset: .resnet18, frames: 8, height: 8, width: 8, widthMultiplier: 1.0 / 32),
      seed: 3, threads: 1)
  }

  static func batch(_ model: ResNet3D, n: Int) -> ([Float], [Float]) {
    var state: UInt32 = 12345
    let values = (0..<(n * model.config.clipSize)).map { _ -> Float in
      state = state &* 1_103_515_245 &+ 12345
      return Float(state >> 16 & 0xFF) / 255
    }
    return (values, (0..<n).map { Float($0 % 2) })
  }

  @Test func frozenStagesKeepTheirWeightsAndTheRestLearn() throws {
    let model = Self.tinyModel()
    try model.freeze(stages: 2)
    let before = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.values) })
    let (inputs, labels) = Self.batch(model, n: 4)
    for _ in 0..<3 { try model.trainStep(inputs: inputs, labels: labels) }
    let held = model.parameters.filter { p in
      p.trainable && ["stem.", "stage1.", "stage2."].contains { p.name.hasPrefix($0) }
    }
    #expect(!held.isEmpty)
    #expect(Set(model.frozenParameterNames) == Set(held.map(\.name)))
    for p in held { #expect(p.values == before[p.name], "\(p.name) changed although frozen") }
    let learning = model.parameters.filter { p in
      p.trainable && ["stage3.", "stage4.", "head."].contains { p.name.hasPrefix($0) }
    }
    #expect(learning.contains { $0.values != before[$0.name] }, "nothing after stage 2 learned")
  }

  @Test func zeroFreezesNothingAndTooManyIsRefused() throws {
    let model = Self.tinyModel()
    try model.freeze(stages: 2)
    try model.freeze(stages: 0)
    #expect(model.frozenParameterNames.isEmpty)
    #expect(throws: ResNet3DError.self) { try model.freeze(stages: 5) }
    #expect(throws: ResNet3DError.self) { try model.freeze(stages: -1) }
  }
}
