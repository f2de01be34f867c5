import Foundation

/// One example scored by one model: its patient, its label and the probability of *present*.
public struct PatientScore: Sendable, Equatable {
  public var patient: String
  public var positive: Bool
  public var score: Double

  public init(patient: String, positive: Bool, score: Double) {
    (self.patient, self.positive, self.score) = (patient, positive, score)
  }
}

extension PairedComparison {
  /// Two models that scored different examples of the same patients (Table 5: a 3D model's cubes
  /// and the M-mode model's images of the same test patients). Each metric is the model's own on
  /// its own examples; the interval of the difference comes from the same bootstrap over patients
  /// as the paired one: each replicate draws patients (within their label's stratum) and takes
  /// both models' examples of the drawn patients, so the pairing is by patient, not by example.
  /// `count` is the first model's examples, `secondCount` the second's.
  public init(
    first: [PatientScore], second: [PatientScore], threshold: Double = 0.5, replicates: Int, seed: Int
  ) {
    (count, secondCount, self.threshold, self.replicates, self.seed) =
      (first.count, second.count, threshold, replicates, seed)
    // One group per patient holding both models' examples, tagged by model.
    let tagged = first.map { (second: false, example: $0) } + second.map { (second: true, example: $0) }
    let byPatient = Dictionary(grouping: tagged) { $0.example.patient }
    let groups = byPatient.keys.sorted().compactMap { byPatient[$0] }
    patients = groups.count
    func metrics(_ examples: [(second: Bool, example: PatientScore)]) -> (
      first: [String: Double?], second: [String: Double?]
    ) {
      func named(_ side: Bool) -> [String: Double?] {
        let chosen = examples.filter { $0.second == side }.map(\.example)
        return BinaryMetrics(
          positives: chosen.map(\.positive), scores: chosen.map(\.score), threshold: threshold
        ).named
      }
      return (named(false), named(true))
    }
    var samples: [String: [Double]] = [:]
    PatientBootstrap.draw(groups, positive: { $0.example.positive }, replicates: replicates, seed: seed) {
      drawn in
      let (a, b) = metrics(drawn)
      for name in Self.metrics {
        if let a = a[name] ?? nil, let b = b[name] ?? nil { samples[name, default: []].append(b - a) }
      }
    }
    let whole = metrics(tagged)
    differences = Self.metrics.map { name in
      let (a, b) = (whole.first[name] ?? nil, whole.second[name] ?? nil)
      return PairedDifference(
        metric: name, first: a, second: b, difference: a.flatMap { a in b.map { $0 - a } },
        interval: samples[name].flatMap(PatientBootstrap.percentileInterval))
    }
  }
}
