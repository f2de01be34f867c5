import ArgumentParser
import Foundation
import Platform
import Resnet3D
import Training

/// Every option's default is the plugin's own.
private let defaults = EvaluatePlugin.Parameters()

extension Pleura {
  struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Evaluate a model on a dataset part: metrics with 95% CIs, at cube and video level.",
      discussion: """
        By default the test part of the model's own split. Accuracy, sensitivity, specificity, F1 \
        and AUC come with 95% intervals from a bootstrap over patients; a video's score is the \
        mean of its cubes' scores. The evaluation and its scores are stored.

        Example:
          pleura evaluate model_9e1f2c3d --part test
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var executorOptions: ExecutorOptions
    @Argument(help: "Model id.") var model: String
    @Option(help: "NAME@V to score (default: the model's dataset).") var dataset: String?
    @Option(help: "test, validation, train (of the model's split) or all.") var part = defaults.part
    @Option(help: "Bootstrap replicates over patients.") var bootstrap = defaults.bootstrap
    @Option(help: "Seed of the bootstrap.") var seed = defaults.seed
    @Option(help: "Engine threads.") var threads = defaults.threads
    @Flag(help: "Evaluate again even if an identical earlier run exists.") var force = false

    var parameters: EvaluatePlugin.Parameters {
      var parameters = EvaluatePlugin.Parameters()
      parameters.part = part
      parameters.bootstrap = bootstrap
      parameters.seed = seed
      parameters.threads = threads
      return parameters
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let inputs = try await catalog.database.read { db in
        try Model.scoringInputs(model: model, dataset: dataset, in: db)
      }
      let parameters = parameters
      if try await TrainingViews.sentToSlurm(
        EvaluatePlugin.self, parameters: parameters, inputs: inputs, catalog: catalog, force: force,
        executor: executorOptions, output: output)
      {
        return
      }
      let outcome = try await TrainingViews.refusing {
        try await catalogOptions.runner(catalog).run(
          EvaluatePlugin.self, parameters: parameters, inputs: inputs, force: force)
      }
      guard let evaluationID = outcome.outputs.first?.id else { return RunReport.print(outcome) }
      let evaluation = try ModelViews.evaluation(evaluationID, in: catalog)
      let report = try EvaluationReport.decode(evaluation)
      if output.json {
        struct Output: Encodable {
          var run: RunOutcome
          var evaluation: String
          var model: String
          var dataset: String
          var scoresSha256: String?
          var report: EvaluationReport
        }
        return try output.printJSON(
          Output(
            run: outcome, evaluation: evaluation.id, model: evaluation.modelId, dataset: evaluation.datasetId,
            scoresSha256: evaluation.scoresSha256, report: report))
      }
      RunReport.print(outcome)
      TrainingViews.printEvaluation(report)
    }
  }
}

/// Tables of training curves and evaluations for the terminal.
enum TrainingViews {
  /// Runs `body`, turning bad option values into usage errors (exit 2); refused inputs (a split of
  /// another dataset, an empty part) stay failures (exit 1) with their reason.
  static func refusing<T>(_ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch let error as TrainingError {
      if case .badParameter = error { throw ValidationError(error.description) }
      throw error
    } catch let error as ResNet3DError {
      throw ValidationError(error.description)
    }
  }

  /// The Slurm branch of `evaluate` and `explain`: when the executor is Slurm (by --executor or
  /// the catalog's default), the run is submitted (or the earlier identical run handed back),
  /// what happened is printed, and true tells the command it is done.
  static func sentToSlurm<P: Plugin>(
    _ plugin: P.Type, parameters: P.Parameters, inputs: [EntityRef], catalog: Catalog, force: Bool = false,
    executor: ExecutorOptions, output: OutputOptions
  ) async throws -> Bool {
    guard try await executor.chosen(for: catalog) == .slurm else { return false }
    try await refusing {
      try await executor.submit(
        P.self, parameters: parameters, inputs: inputs, catalog: catalog, force: force, output: output)
    }
    return true
  }

  static func printCurves(_ modelID: String, catalog: Catalog) throws {
    let model = try ModelViews.model(modelID, in: catalog)
    let curves = try JSONDecoder().decode([EpochCurve].self, from: Data(model.curvesJson.utf8))
    Terminal.table(
      ["EPOCH", "TRAIN LOSS", "TRAIN ACC", "VAL LOSS", "VAL ACC", ""],
      curves.map {
        [
          "\($0.epoch)", format($0.trainLoss), format($0.trainAccuracy), format($0.validationLoss),
          format($0.validationAccuracy), $0.epoch == model.chosenEpoch ? "<- kept" : "",
        ]
      })
  }

  static func printEvaluation(_ report: EvaluationReport) {
    func interval(_ level: LevelReport, _ name: String) -> String {
      level.intervals[name].map { "[\(format($0.lower)), \(format($0.upper))]" } ?? "-"
    }
    let rows = ["accuracy", "sensitivity", "specificity", "f1", "auc"].map { name in
      [
        name, format(report.cube.metrics.named[name] ?? nil), interval(report.cube, name),
        format(report.video.metrics.named[name] ?? nil), interval(report.video, name),
      ]
    }
    print(
      "part \(report.part): \(report.cube.metrics.count) cubes, \(report.videos) videos, "
        + "\(report.patients) patients; 95% CI by bootstrap over patients, stratified by label (\(report.bootstrap))"
    )
    Terminal.table(["METRIC", "CUBES", "95% CI", "VIDEOS", "95% CI"], rows)
    for (label, m) in [("cubes", report.cube.metrics.confusion), ("videos", report.video.metrics.confusion)] {
      print(
        "confusion (\(label), present = positive): TP \(m.truePositive)  FN \(m.falseNegative)  "
          + "FP \(m.falsePositive)  TN \(m.trueNegative)")
    }
  }

  static func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
}
