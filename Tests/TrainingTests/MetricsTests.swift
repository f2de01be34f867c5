import Testing

@testable import Training

@Suite struct MetricsTests {
  @Test func confusionAndRatesTreatPresentAsPositive() {
    let m = BinaryMetrics(
      positives: [true, true, true, false, false], scores: [0.9, 0.6, 0.2, 0.1, 0.7])
    #expect(
      m.confusion == ConfusionMatrix(truePositive: 2, falseNegative: 1, falsePositive: 1, trueNegative: 1))
    #expect(m.accuracy == 0.6)
    #expect(m.sensitivity == 2.0 / 3)
    #expect(m.specificity == 0.5)
    #expect(m.f1 == 4.0 / 6)
  }

  @Test func aucCountsPairsAndTies() {
    #expect(BinaryMetrics.auc(positives: [true, false], scores: [0.9, 0.1]) == 1)
    #expect(BinaryMetrics.auc(positives: [true, false], scores: [0.1, 0.9]) == 0)
    #expect(BinaryMetrics.auc(positives: [true, false, true, false], scores: [0.5, 0.5, 0.8, 0.2]) == 0.875)
    #expect(BinaryMetrics.auc(positives: [true, true], scores: [0.5, 0.6]) == nil)
  }

  @Test func bootstrapIntervalsBracketTheEstimate() {
    let groups: [[(positive: Bool, score: Double)]] = (0..<10).map { i in
      [(i % 2 == 0, i % 3 == 0 ? 0.4 : (i % 2 == 0 ? 0.9 : 0.1)), (i % 2 == 0, 0.8)]
    }
    let intervals = PatientBootstrap.intervals(groups: groups, replicates: 300, seed: 1)
    let accuracy = BinaryMetrics(
      positives: groups.flatMap { $0.map(\.positive) }, scores: groups.flatMap { $0.map(\.score) }
    ).accuracy!
    let interval = intervals["accuracy"]!
    #expect(interval.lower <= accuracy && accuracy <= interval.upper)
    #expect(PatientBootstrap.intervals(groups: groups, replicates: 300, seed: 1) == intervals)
  }
}
