import Foundation
import Platform
import Primitives
import Resnet3D

// What one epoch feeds the network and how it is scored.
extension TrainPlugin {
  /// The training cubes of an epoch in the order they are fed, from the seed and the epoch alone
  /// (so a resumed run sees the same batches). With `sampling`, one image per window is drawn
  /// first. With class weighting the rarer label's cubes are repeated until both labels count the
  /// same.
  static func epochOrder(
    _ train: [CubeItem], epoch: Int, parameters: Parameters, sampling: WindowSampling? = nil
  ) -> [CubeItem] {
    var generator = SeededGenerator(
      seed: UInt64(bitPattern: Int64(parameters.seed)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch + 1))
    let fed = sampling?.drawn(train, epoch: epoch, seed: parameters.seed) ?? train
    var order = fed
    if parameters.classWeighting {
      let present = fed.filter { $0.label == .present }
      let absent = fed.filter { $0.label == .absent }
      var (rare, common) = present.count < absent.count ? (present, absent) : (absent, present)
      if !rare.isEmpty, rare.count < common.count {
        rare.shuffle(using: &generator)
        let extra = (0..<(common.count - rare.count)).map { rare[$0 % rare.count] }
        common += rare + extra
        order = common
      }
    }
    order.shuffle(using: &generator)
    return order
  }

  /// The same cubes with each video's label taken from another video: a seeded permutation of the
  /// per-video labels (so the label counts stay as they were), the one of 200 candidates whose
  /// labels agree with the true ones on closest to half of the cubes in the training and in the
  /// validation part, so that the shuffled labels carry no information about sliding.
  static func shuffledLabels(_ train: [CubeItem], _ validation: [CubeItem], seed: Int) -> (
    [CubeItem], [CubeItem]
  ) {
    var labels: [String: SlidingLabel] = [:]
    var shard: [String: String] = [:]
    for item in train + validation {
      labels[item.conversionId] = item.label
      shard[item.conversionId] = min(shard[item.conversionId] ?? item.shardSha256, item.shardSha256)
    }
    // Videos in the order of their shards' digests, which follow the pixels: conversion ids are
    // drawn at random in each catalog, and ordering by them gave the same collection and seed a
    // different permutation (and control result) every time it was built.
    let videos = labels.keys.sorted { (shard[$0, default: ""], $0) < (shard[$1, default: ""], $1) }
    let truth = videos.map { labels[$0, default: .unknown] }
    let inTrain = Set(train.map(\.conversionId))
    var cubes: [String: Int] = [:]
    for item in train + validation { cubes[item.conversionId, default: 0] += 1 }
    // How far the shuffled labels are from agreeing with the true ones half of the time, in
    // each part: a permutation that happens to keep most labels would still teach sliding.
    func imbalance(_ candidate: [SlidingLabel]) -> Double {
      [true, false].reduce(0.0) { sum, trainPart in
        let indices = videos.indices.filter { inTrain.contains(videos[$0]) == trainPart }
        guard !indices.isEmpty else { return sum }
        // Weighted by cubes: that is how much each video weighs in the loss.
        let total = indices.reduce(0) { $0 + cubes[videos[$1], default: 0] }
        let agree = indices.filter { candidate[$0] == truth[$0] }.reduce(0) {
          $0 + cubes[videos[$1], default: 0]
        }
        return sum + abs(Double(agree) / Double(total) - 0.5)
      }
    }
    var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)) ^ 0x5348_5546)
    var permuted = truth
    var best = Double.infinity
    for _ in 0..<200 {
      var candidate = truth
      candidate.shuffle(using: &generator)
      let score = imbalance(candidate)
      if score < best {
        best = score
        permuted = candidate
      }
    }
    let mapping = Dictionary(uniqueKeysWithValues: zip(videos, permuted))
    func relabel(_ items: [CubeItem]) -> [CubeItem] {
      items.map { item in
        var item = item
        item.label = mapping[item.conversionId, default: item.label]
        return item
      }
    }
    return (relabel(train), relabel(validation))
  }

  /// Mean binary cross-entropy (plus the L2 term, as Keras reports it) and accuracy of a part.
  static func validate(_ model: ResNet3D, _ items: [CubeItem], reader: CubeReader, batchSize: Int) throws -> (
    Double, Double
  ) {
    var lossSum = 0.0
    var correct = 0
    for start in stride(from: 0, to: items.count, by: batchSize) {
      let batch = items[start..<min(items.count, start + batchSize)]
      let probabilities = try model.predict(batch: try reader.read(batch))
      for (p, item) in zip(probabilities, batch) {
        let clamped = min(max(Double(p), 1e-7), 1 - 1e-7)
        lossSum -= item.target == 1 ? log(clamped) : log(1 - clamped)
        if (p >= 0.5) == (item.target == 1) { correct += 1 }
      }
    }
    let l2 = model.parameters.filter(\.regularized).reduce(0.0) { sum, p in
      sum + p.values.reduce(0.0) { $0 + Double($1 * $1) }
    }
    return (
      lossSum / Double(items.count) + Double(model.config.l2) * l2, Double(correct) / Double(items.count)
    )
  }
}
