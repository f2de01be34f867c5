import Foundation
import Primitives
import Testing
import Tiling

@testable import Training

/// Table 5's parts that need no training: which row a cube size takes, the comparison paired by
/// patient over different examples, the grid's M-mode key and the tables' text.
@Suite struct Table5Tests {
  static func row(
    _ architecture: String, _ dataset: String, accuracy: Double, f1: Double = 0.5, auc: Double = 0.5
  )
    -> ExperimentRow
  {
    var metrics = BinaryMetrics(positives: [true, false], scores: [0.9, 0.1])
    (metrics.accuracy, metrics.f1, metrics.auc) = (accuracy, f1, auc)
    return ExperimentRow(
      architecture: architecture, dataset: dataset, datasetId: "ds_" + dataset, splitId: "split_" + dataset,
      modelId: "model_\(architecture)_\(dataset)", evaluationId: "eval_\(architecture)_\(dataset)",
      trainRun: "",
      evaluateRun: "", reused: false, cube: metrics, video: metrics)
  }

  @Test func eachCubeSizeTakesTheRowWithTheHighestAccuracyThenF1ThenAUCThenTheEarlier() {
    let rows: [(row: ExperimentRow, cubeSize: Int)] = [
      (Self.row("resnet3d-18", "all_60x60", accuracy: 0.7), 60),
      (Self.row("resnet3d-18", "2_30x30", accuracy: 0.8, f1: 0.6), 30),
      (Self.row("resnet3d-34", "2_30x30", accuracy: 0.8, f1: 0.7), 30),
      (Self.row("resnet3d-50", "all_30x30", accuracy: 0.75, f1: 0.9), 30),
      (Self.row("resnet3d-34", "all_60x60", accuracy: 0.7), 60),
      (Self.row("resnet3d-18", "2_90x90", accuracy: 0.6, auc: 0.8), 90),
      (Self.row("resnet3d-34", "2_90x90", accuracy: 0.6, auc: 0.9), 90),
    ]
    let best = Table5.best(rows)
    #expect(best.map(\.cubeSize) == [30, 60, 90])
    #expect(
      best.map(\.row.modelId) == [
        "model_resnet3d-34_2_30x30", "model_resnet3d-18_all_60x60", "model_resnet3d-34_2_90x90",
      ])
    // An undefined accuracy loses to any value.
    var undefined = Self.row("resnet3d-50", "2_60x60", accuracy: 0)
    undefined.cube.accuracy = nil
    #expect(
      Table5.best([(undefined, 60), (Self.row("resnet3d-18", "x", accuracy: 0.1), 60)])[0].row.dataset == "x")
  }

  static func examples(seed: UInt64) -> [PairedScore] {
    var generator = SeededGenerator(seed: seed)
    return (0..<12).flatMap { patient in
      (0..<5).map { _ in
        let positive = patient % 2 == 0
        let signal = positive ? 0.2 : -0.2
        return PairedScore(
          patient: "p\(patient)", positive: positive,
          first: min(1, max(0, 0.5 + signal + Double.random(in: -0.4...0.4, using: &generator))),
          second: min(1, max(0, 0.5 + 1.5 * signal + Double.random(in: -0.4...0.4, using: &generator))))
      }
    }
  }

  @Test func onTheSameExamplesThePatientPairedComparisonIsThePairedOne() {
    let examples = Self.examples(seed: 3)
    let paired = PairedComparison(examples: examples, replicates: 200, seed: 9)
    let byPatient = PairedComparison(
      first: examples.map { PatientScore(patient: $0.patient, positive: $0.positive, score: $0.first) },
      second: examples.map { PatientScore(patient: $0.patient, positive: $0.positive, score: $0.second) },
      replicates: 200, seed: 9)
    // The same patients drawn in every replicate, so the same intervals.
    #expect(byPatient.differences == paired.differences)
    #expect(byPatient.patients == 12 && byPatient.count == 60 && byPatient.secondCount == 60)
    #expect(paired.secondCount == nil)
  }

  @Test func differentExamplesOfTheSamePatientsAreComparedModelByModel() throws {
    let first = Self.examples(seed: 4).map {
      PatientScore(patient: $0.patient, positive: $0.positive, score: $0.first)
    }
    // The second model scored three examples a patient, not five.
    let second = Self.examples(seed: 5).enumerated().filter { $0.offset % 5 < 3 }.map {
      PatientScore(patient: $0.element.patient, positive: $0.element.positive, score: $0.element.second)
    }
    let comparison = PairedComparison(first: first, second: second, replicates: 300, seed: 1)
    #expect(comparison.count == 60 && comparison.secondCount == 36 && comparison.patients == 12)
    let a = BinaryMetrics(positives: first.map(\.positive), scores: first.map(\.score))
    let b = BinaryMetrics(positives: second.map(\.positive), scores: second.map(\.score))
    for metric in PairedComparison.metrics {
      let difference = try #require(comparison[metric])
      #expect(difference.first == a.named[metric] ?? nil && difference.second == b.named[metric] ?? nil)
      let (x, y) = (try #require(a.named[metric] ?? nil), try #require(b.named[metric] ?? nil))
      #expect(abs(try #require(difference.difference) - (y - x)) < 1e-12)
      let interval = try #require(difference.interval, "\(metric)")
      #expect(interval.lower <= interval.upper)
    }
  }

  @Test func theGridNamesItsMModeRecipeAndRefusesOneThatIsNot() throws {
    #expect(try ExperimentGrid.load("paper-grid").mmode == "mmode_64")
    #expect(ExperimentGrid().mmode == "")
    var grid = try ExperimentGrid(json: Data(#"{"mmode": "mmode_64_brightest"}"#.utf8))
    #expect(grid.mmode == "mmode_64_brightest")
    try Experiment.checkMModeRow(grid)
    grid.mmode = "all_30x30"
    #expect(
      throws: TrainingError.badParameter(
        "the grid's mmode recipe all_30x30 is not an M-mode recipe (its kind is cubes)")
    ) {
      try Experiment.checkMModeRow(grid)
    }
    grid.mmode = "mmode_64"
    grid.evaluate.part = "all"
    #expect(throws: TrainingError.self) { try Experiment.checkMModeRow(grid) }
    #expect(throws: (any Error).self) { try ExperimentGrid(json: Data(#"{"mmode": 64}"#.utf8)) }
  }
}
