import Foundation
import Testing

@testable import Training

/// The paired statistics against values worked out by hand.
@Suite struct PairedComparisonTests {
  // MARK: McNemar

  @Test func exactBinomialForFewDiscordantPairs() {
    // n = 7, P(X <= 1) = (1 + 7) / 128; two-sided 0.125.
    let test = McNemarTest(firstOnlyCorrect: 1, secondOnlyCorrect: 6)
    #expect(test.method == .exactBinomial && test.statistic == nil)
    #expect(abs(test.pValue - 0.125) < 1e-12)
    // n = 12, P(X <= 2) = (1 + 12 + 66) / 4096; two-sided 158 / 4096, either way round.
    #expect(abs(McNemarTest(firstOnlyCorrect: 10, secondOnlyCorrect: 2).pValue - 158.0 / 4096) < 1e-12)
    #expect(abs(McNemarTest(firstOnlyCorrect: 2, secondOnlyCorrect: 10).pValue - 158.0 / 4096) < 1e-12)
    // Balanced or no discordant pairs: no evidence at all.
    #expect(McNemarTest(firstOnlyCorrect: 3, secondOnlyCorrect: 3).pValue == 1)
    #expect(McNemarTest(firstOnlyCorrect: 0, secondOnlyCorrect: 0).pValue == 1)
  }

  @Test func continuityCorrectedChiSquareFrom25DiscordantPairs() throws {
    // (|10 - 25| - 1)^2 / 35 = 5.6; P(chi2(1) > 5.6) = erfc(sqrt(2.8)) = 0.017960...
    let test = McNemarTest(firstOnlyCorrect: 10, secondOnlyCorrect: 25)
    #expect(test.method == .chiSquare)
    #expect(abs(try #require(test.statistic) - 5.6) < 1e-12)
    #expect(abs(test.pValue - 0.0179604) < 1e-6)
    #expect(McNemarTest(firstOnlyCorrect: 12, secondOnlyCorrect: 12).method == .exactBinomial)
    #expect(McNemarTest(firstOnlyCorrect: 13, secondOnlyCorrect: 12).method == .chiSquare)
  }

  @Test func discordantPairsAreCountedFromScores() {
    let examples = [
      PairedScore(patient: "a", positive: true, first: 0.9, second: 0.2),  // first only
      PairedScore(patient: "b", positive: false, first: 0.1, second: 0.8),  // first only
      PairedScore(patient: "c", positive: true, first: 0.3, second: 0.7),  // second only
      PairedScore(patient: "d", positive: false, first: 0.4, second: 0.3),  // both right
      PairedScore(patient: "e", positive: true, first: 0.2, second: 0.1),  // both wrong
    ]
    let test = McNemarTest(examples)
    #expect(test.firstOnlyCorrect == 2 && test.secondOnlyCorrect == 1)
    // A score at the threshold counts as present, as in BinaryMetrics.
    #expect(
      McNemarTest([PairedScore(patient: "a", positive: true, first: 0.5, second: 0.49)]).firstOnlyCorrect == 1
    )
  }

  // MARK: Paired bootstrap

  /// Four patients with one video each, two present and two absent. The first model is right on
  /// all; the second misses patient p2 (present). Within the present stratum a replicate draws p2
  /// k = 0, 1 or 2 times with probabilities 1/4, 1/2, 1/4: accuracy differs by -k/4 and
  /// sensitivity by -k/2, specificity never. The 2.5th and 97.5th percentiles are k = 2 and k = 0.
  static let oneMiss = [
    PairedScore(patient: "p1", positive: true, first: 0.9, second: 0.8),
    PairedScore(patient: "p2", positive: true, first: 0.9, second: 0.3),
    PairedScore(patient: "n1", positive: false, first: 0.1, second: 0.2),
    PairedScore(patient: "n2", positive: false, first: 0.2, second: 0.1),
  ]

  @Test func bootstrapOnAFixedCase() throws {
    let comparison = PairedComparison(examples: Self.oneMiss, replicates: 1000, seed: 42)
    #expect(comparison.count == 4 && comparison.patients == 4)
    let accuracy = try #require(comparison["accuracy"])
    #expect(accuracy.first == 1 && accuracy.second == 0.75 && accuracy.difference == -0.25)
    #expect(accuracy.interval == Interval(lower: -0.5, upper: 0))
    let sensitivity = try #require(comparison["sensitivity"])
    #expect(sensitivity.difference == -0.5 && sensitivity.interval == Interval(lower: -1, upper: 0))
    let specificity = try #require(comparison["specificity"])
    #expect(specificity.difference == 0 && specificity.interval == Interval(lower: 0, upper: 0))
    // Both rank every present video above every absent one: AUC 1 for both.
    #expect(comparison["auc"]?.difference == 0)
  }

  @Test func identicalModelsDifferByNothingAndOppositeOnesByEverything() throws {
    let same = Self.oneMiss.map {
      PairedScore(patient: $0.patient, positive: $0.positive, first: $0.first, second: $0.first)
    }
    for difference in PairedComparison(examples: same, replicates: 200, seed: 1).differences {
      #expect(
        difference.difference == 0 && difference.interval == Interval(lower: 0, upper: 0), "\(difference)")
    }
    let opposite = Self.oneMiss.map {
      PairedScore(patient: $0.patient, positive: $0.positive, first: $0.first, second: 1 - $0.first)
    }
    let accuracy = try #require(PairedComparison(examples: opposite, replicates: 200, seed: 1)["accuracy"])
    #expect(accuracy.difference == -1 && accuracy.interval == Interval(lower: -1, upper: -1))
  }

  @Test func theSameSeedGivesTheSameIntervalsAndPatientsMoveTogether() throws {
    // Two videos per patient, both of p1 missed by the second model: a patient is drawn as one
    // unit, so a replicate's accuracy difference is -2k/12 for k draws of p1, a multiple of 1/6.
    var examples: [PairedScore] = []
    for (index, patient) in ["p1", "p2", "p3", "n1", "n2", "n3"].enumerated() {
      let positive = patient.hasPrefix("p")
      for _ in 0..<2 {
        let right = positive ? 0.9 : 0.1
        examples.append(
          PairedScore(
            patient: patient, positive: positive, first: right, second: index == 0 ? 1 - right : right))
      }
    }
    let a = PairedComparison(examples: examples, replicates: 500, seed: 9)
    #expect(a == PairedComparison(examples: examples, replicates: 500, seed: 9))
    let samples = PairedComparison.bootstrap(
      Dictionary(grouping: examples, by: \.patient).values.map { $0 }, threshold: 0.5, replicates: 500,
      seed: 9)
    for value in try #require(samples["accuracy"]) {
      #expect(
        abs((value * 6).rounded() - value * 6) < 1e-9, "\(value) is not a whole number of patients' videos")
    }
  }
}
