import Foundation
import Primitives

/// One example (a cube or a video) scored by two models: the same patient, the same label.
public struct PairedScore: Sendable, Equatable {
  public var patient: String
  /// Lung sliding present (the positive class).
  public var positive: Bool
  /// The first (reference) model's probability of *present*.
  public var first: Double
  /// The second model's.
  public var second: Double

  public init(patient: String, positive: Bool, first: Double, second: Double) {
    (self.patient, self.positive, self.first, self.second) = (patient, positive, first, second)
  }
}

/// One metric of two models on the same examples and its difference, second minus first, with a
/// 95 % interval from the paired bootstrap.
public struct PairedDifference: Codable, Sendable, Equatable {
  public var metric: String
  public var first: Double?
  public var second: Double?
  public var difference: Double?
  public var interval: Interval?
}

/// Two models compared on the same examples: each metric's difference with a 95 % percentile
/// interval from a bootstrap over patients that draws the same patients for both models in each
/// replicate (so the interval is of the difference itself, narrower than two separate intervals
/// suggest when the models err on the same cases). Patients are drawn within their label's
/// stratum, as ``PatientBootstrap`` does, so both labels are in every replicate.
///
/// ```swift
/// let comparison = PairedComparison(examples: videos, replicates: 1000, seed: 42)
/// comparison.differences.first { $0.metric == "accuracy" }?.interval  // e.g. [-0.05, 0.20]
/// ```
public struct PairedComparison: Codable, Sendable, Equatable {
  /// The metrics compared, in the order tables show them.
  public static let metrics = ["accuracy", "sensitivity", "specificity", "f1", "auc"]

  public var count: Int
  /// The second model's examples when they are not the first's (``init(first:second:threshold:replicates:seed:)``);
  /// nil when both scored the same `count` examples.
  public var secondCount: Int? = nil
  public var patients: Int
  public var threshold: Double
  public var replicates: Int
  public var seed: Int
  public var differences: [PairedDifference]

  public init(examples: [PairedScore], threshold: Double = 0.5, replicates: Int, seed: Int) {
    (count, self.threshold, self.replicates, self.seed) = (examples.count, threshold, replicates, seed)
    let byPatient = Dictionary(grouping: examples, by: \.patient)
    let groups = byPatient.keys.sorted().compactMap { byPatient[$0] }
    patients = groups.count
    let firstMetrics = Self.metrics(examples, threshold: threshold)
    let samples = Self.bootstrap(groups, threshold: threshold, replicates: replicates, seed: seed)
    differences = Self.metrics.map { name in
      let (first, second) = (firstMetrics.first[name] ?? nil, firstMetrics.second[name] ?? nil)
      let difference = first.flatMap { a in second.map { $0 - a } }
      return PairedDifference(
        metric: name, first: first, second: second, difference: difference,
        interval: samples[name].flatMap(PatientBootstrap.percentileInterval))
    }
  }

  /// The comparison of one metric.
  public subscript(metric: String) -> PairedDifference? { differences.first { $0.metric == metric } }

  static func metrics(_ examples: [PairedScore], threshold: Double) -> (
    first: [String: Double?], second: [String: Double?]
  ) {
    let positives = examples.map(\.positive)
    return (
      BinaryMetrics(positives: positives, scores: examples.map(\.first), threshold: threshold).named,
      BinaryMetrics(positives: positives, scores: examples.map(\.second), threshold: threshold).named
    )
  }

  /// Per metric, the differences of the replicates where both models' metric is defined.
  static func bootstrap(
    _ groups: [[PairedScore]], threshold: Double, replicates: Int, seed: Int
  ) -> [String: [Double]] {
    var samples: [String: [Double]] = [:]
    PatientBootstrap.draw(groups, positive: \.positive, replicates: replicates, seed: seed) { drawn in
      let (first, second) = metrics(drawn, threshold: threshold)
      for name in Self.metrics {
        if let a = first[name] ?? nil, let b = second[name] ?? nil {
          samples[name, default: []].append(b - a)
        }
      }
    }
    return samples
  }
}

/// McNemar's test of two classifiers on the same examples: do they err on different ones more
/// often one way than the other? Only the discordant pairs count: `firstOnly` examples the first
/// model gets right and the second wrong, `secondOnly` the reverse. Below 25 discordant pairs the
/// p-value is the exact two-sided binomial one (each discordant pair a fair coin under the null);
/// from 25 on, the chi-square with Edwards' continuity correction, (|b - c| - 1)^2 / (b + c), on
/// one degree of freedom. The examples must be independent: use it on videos, not on the
/// cubes of one video.
public struct McNemarTest: Codable, Sendable, Equatable {
  public enum Method: String, Codable, Sendable {
    case exactBinomial = "exact binomial"
    case chiSquare = "chi-square, continuity-corrected"
  }

  /// Discordant pairs below which the exact test is used.
  public static let exactBelow = 25

  public var firstOnlyCorrect: Int
  public var secondOnlyCorrect: Int
  public var method: Method
  /// The chi-square statistic (the chi-square method only).
  public var statistic: Double?
  public var pValue: Double

  public init(firstOnlyCorrect b: Int, secondOnlyCorrect c: Int) {
    (firstOnlyCorrect, secondOnlyCorrect) = (b, c)
    let n = b + c
    if n < Self.exactBelow {
      method = .exactBinomial
      statistic = nil
      pValue = n == 0 ? 1 : min(1, 2 * Self.binomialLowerTail(min(b, c), of: n))
    } else {
      method = .chiSquare
      let x = pow(max(0, Double(abs(b - c)) - 1), 2) / Double(n)
      statistic = x
      // The chi-square survival function on one degree of freedom.
      pValue = erfc((x / 2).squareRoot())
    }
  }

  /// Correctness of both models at `threshold` on the same examples.
  public init(_ examples: [PairedScore], threshold: Double = 0.5) {
    var (b, c) = (0, 0)
    for example in examples {
      let first = (example.first >= threshold) == example.positive
      let second = (example.second >= threshold) == example.positive
      if first, !second { b += 1 }
      if second, !first { c += 1 }
    }
    self.init(firstOnlyCorrect: b, secondOnlyCorrect: c)
  }

  /// P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n does not overflow.
  static func binomialLowerTail(_ k: Int, of n: Int) -> Double {
    let logHalfToTheN = -Double(n) * log(2.0)
    let logNFactorial = logGamma(Double(n + 1))
    var sum = 0.0
    for i in 0...k {
      let logChoose = logNFactorial - logGamma(Double(i + 1)) - logGamma(Double(n - i + 1))
      sum += exp(logChoose + logHalfToTheN)
    }
    return sum
  }

  /// log Γ(x), the one-result overload (the C library also offers one returning the sign).
  static func logGamma(_ x: Double) -> Double {
    let value: Double = lgamma(x)
    return value
  }
}
