import Foundation
import Platform
import Primitives
import Resnet3D

/// Saliency maps of a model's logit with respect to its input cube.
public enum Saliency {
  /// The vanilla gradient of each cube's logit (cubes one after another, as the batch).
  public static func vanilla(_ model: ResNet3D, cubes: [Float]) throws -> [Float] {
    try model.inputGradient(batch: cubes)
  }

  /// The vanilla gradients of a batch of cubes and each cube's score (sigmoid of its logit), from
  /// one forward and one backward pass over the whole batch.
  public static func vanillaAndScores(_ model: ResNet3D, cubes: [Float]) throws -> (
    maps: [Float], scores: [Float]
  ) {
    let (maps, logits) = try model.inputGradientAndLogits(batch: cubes)
    return (maps, logits.map { 1 / (1 + exp(-$0)) })
  }

  /// SmoothGrad (Smilkov et al. 2017): the mean gradient over `samples` copies of the cube with
  /// Gaussian noise of standard deviation `noise` times the cube's value range added.
  public static func smoothGrad(
    _ model: ResNet3D, cube: [Float], noise: Double, samples: Int, seed: Int, chunk: Int = 8
  ) throws -> [Float] {
    guard samples > 0 else { return [Float](repeating: 0, count: cube.count) }
    let range = Double((cube.max() ?? 0) - (cube.min() ?? 0))
    let sigma = noise * (range > 0 ? range : 1)
    var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)))
    var sum = [Double](repeating: 0, count: cube.count)
    var done = 0
    while done < samples {
      let n = min(chunk, samples - done)
      var batch = [Float]()
      batch.reserveCapacity(n * cube.count)
      for _ in 0..<n {
        for value in cube { batch.append(value + Float(sigma * gaussian(&generator))) }
      }
      let gradients = try model.inputGradient(batch: batch)
      for s in 0..<n {
        for i in cube.indices { sum[i] += Double(gradients[s * cube.count + i]) }
      }
      done += n
    }
    return sum.map { Float($0 / Double(samples)) }
  }

  /// Standard normal by Box-Muller.
  static func gaussian(_ generator: inout SeededGenerator) -> Double {
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
    let u2 = Double.random(in: 0..<1, using: &generator)
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Absolute values scaled so that the 99.5th percentile is 1 (clamped), for display.
  public static func normalized(_ map: some Collection<Float>) -> [Float] {
    let magnitudes = map.map { abs($0) }
    let sorted = magnitudes.sorted()
    guard let top = sorted.last, top > 0 else { return magnitudes }
    let scale = max(sorted[Int(Double(sorted.count - 1) * 0.995)], top * 1e-3)
    return magnitudes.map { min(1, $0 / scale) }
  }
}
