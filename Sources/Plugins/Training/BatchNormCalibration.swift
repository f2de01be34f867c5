import Foundation
import Resnet3D

/// Sets every BN layer's moving statistics to their mean over the training cubes ("precise BN",
/// Wu & Johnson 2021), and measures the training accuracy on the way.
///
/// With BN momentum 0.99 (Keras' default; docs/ARCHITECTURE.md, "The network") the moving
/// statistics need several hundred steps to forget their start (mean 0, variance 1); a short run
/// on a small dataset never gets there and then predicts at chance in inference mode although it
/// has learned. A training-mode forward pass from zeroed moving statistics leaves exactly
/// (1 - momentum) x the batch's statistics in them, so one pass per batch recovers each batch's
/// statistics; their size-weighted mean replaces the moving ones. Weights, gradients and Adam are untouched, so the
/// training itself is the same with or without it.
enum BatchNormCalibration {
  /// The engine's BN momentum (keras-resnet3d; docs/ARCHITECTURE.md, "The network").
  static let momentum = 0.99

  /// Returns the accuracy of the training-mode predictions.
  static func run(_ model: ResNet3D, _ items: [CubeItem], reader: CubeReader, batchSize: Int) throws -> Double
  {
    let statistics = model.parameters.filter { !$0.trainable }
    var sums = statistics.map { [Double](repeating: 0, count: $0.count) }
    var correct = 0
    for start in stride(from: 0, to: items.count, by: batchSize) {
      let batch = items[start..<min(items.count, start + batchSize)]
      for p in statistics { p.setValues([Float](repeating: 0, count: p.count)) }
      let logits = try model.forward(batch: try reader.read(batch), training: true)
      for (logit, item) in zip(logits, batch) where (logit >= 0) == (item.target == 1) { correct += 1 }
      let weight = Double(batch.count) / (1 - momentum)
      for (index, p) in statistics.enumerated() {
        for (j, value) in p.values.enumerated() { sums[index][j] += Double(value) * weight }
      }
    }
    for (index, p) in statistics.enumerated() {
      p.setValues(sums[index].map { Float($0 / Double(items.count)) })
    }
    return Double(correct) / Double(max(1, items.count))
  }
}
