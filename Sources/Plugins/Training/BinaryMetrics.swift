import Foundation
import Platform
import Primitives

/// Confusion matrix with lung sliding *present* as the positive class, as in the study.
public struct ConfusionMatrix: Codable, Sendable, Equatable {
  public var truePositive = 0
  public var falseNegative = 0
  public var falsePositive = 0
  public var trueNegative = 0
}

/// Metrics of binary scores against labels. A metric is `nil` where it is undefined (for
/// example sensitivity with no positive example).
public struct BinaryMetrics: Codable, Sendable, Equatable {
  public var count: Int
  public var accuracy: Double?
  /// Recall of *present*.
  public var sensitivity: Double?
  /// Recall of *absent*.
  public var specificity: Double?
  public var precision: Double?
  public var f1: Double?
  /// Area under the ROC curve (probability that a random positive outscores a random negative).
  public var auc: Double?
  public var confusion: ConfusionMatrix

  /// `positives[i]` is true when example i has sliding present; `scores` are probabilities of it.
  public init(positives: [Bool], scores: [Double], threshold: Double = 0.5) {
    var c = ConfusionMatrix()
    for (positive, score) in zip(positives, scores) {
      switch (positive, score >= threshold) {
      case (true, true): c.truePositive += 1
      case (true, false): c.falseNegative += 1
      case (false, true): c.falsePositive += 1
      case (false, false): c.trueNegative += 1
      }
    }
    func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }
    count = positives.count
    confusion = c
    accuracy = ratio(c.truePositive + c.trueNegative, count)
    sensitivity = ratio(c.truePositive, c.truePositive + c.falseNegative)
    specificity = ratio(c.trueNegative, c.trueNegative + c.falsePositive)
    precision = ratio(c.truePositive, c.truePositive + c.falsePositive)
    f1 = ratio(2 * c.truePositive, 2 * c.truePositive + c.falsePositive + c.falseNegative)
    auc = Self.auc(positives: positives, scores: scores)
  }

  /// Mann-Whitney U with average ranks for ties.
  public static func auc(positives: [Bool], scores: [Double]) -> Double? {
    let nPositive = positives.filter { $0 }.count
    let nNegative = positives.count - nPositive
    guard nPositive > 0, nNegative > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var ranks = [Double](repeating: 0, count: scores.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
      let rank = Double(i + j) / 2 + 1
      for k in i...j { ranks[order[k]] = rank }
      i = j + 1
    }
    let positiveRanks = zip(positives, ranks).filter(\.0).reduce(0.0) { $0 + $1.1 }
    let u = positiveRanks - Double(nPositive * (nPositive + 1)) / 2
    return u / Double(nPositive * nNegative)
  }

  /// The headline metrics by name, for intervals and tables.
  public var named: [String: Double?] {
    [
      "accuracy": accuracy, "sensitivity": sensitivity, "specificity": specificity, "f1": f1, "auc": auc,
    ]
  }
}

/// A 95% confidence interval.
public struct Interval: Codable, Sendable, Equatable {
  public var lower: Double
  public var upper: Double
}

/// Percentile bootstrap over groups (patients), stratified by label: each replicate draws, within
/// each label, as many of that label's patients as there are, with replacement, and pools their
/// examples. Cubes of one patient move together (they are correlated), and every replicate keeps
/// both labels, so sensitivity, specificity and F1 are defined in each.
public enum PatientBootstrap {
  public static func intervals(
    groups: [[(positive: Bool, score: Double)]], replicates: Int, seed: Int
  ) -> [String: Interval] {
    var samples: [String: [Double]] = [:]
    draw(groups.filter { !$0.isEmpty }, positive: \.positive, replicates: replicates, seed: seed) { drawn in
      let metrics = BinaryMetrics(positives: drawn.map(\.positive), scores: drawn.map(\.score))
      for (name, value) in metrics.named {
        if let value { samples[name, default: []].append(value) }
      }
    }
    return samples.compactMapValues(percentileInterval)
  }

  /// Calls `replicate` with each replicate's pooled examples. A patient's stratum is the label of
  /// most of its examples; the draws follow one seeded generator, so a seed gives the same
  /// replicates to every caller (the paired comparison draws its patient pairs the same way).
  static func draw<Example>(
    _ groups: [[Example]], positive: (Example) -> Bool, replicates: Int, seed: Int,
    _ replicate: ([Example]) -> Void
  ) {
    guard !groups.isEmpty, replicates > 0 else { return }
    let strata = [true, false].map { label in
      groups.filter { group in (group.filter(positive).count * 2 >= group.count) == label }
    }.filter { !$0.isEmpty }
    var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)))
    for _ in 0..<replicates {
      var drawn: [Example] = []
      for stratum in strata {
        for _ in stratum.indices { drawn += stratum[Int.random(in: 0..<stratum.count, using: &generator)] }
      }
      replicate(drawn)
    }
  }

  /// The 2.5th and 97.5th percentiles (nearest rank on the sorted replicates).
  static func percentileInterval(_ values: [Double]) -> Interval? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    func percentile(_ q: Double) -> Double {
      sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count - 1)).rounded())))]
    }
    return Interval(lower: percentile(0.025), upper: percentile(0.975))
  }
}
