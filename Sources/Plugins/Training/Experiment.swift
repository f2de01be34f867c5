import Foundation
import GRDB
import Platform
import Tiling

/// One row of the study's Table 4 (plus AUC and video accuracy), linked to its entities.
public struct ExperimentRow: Codable, Sendable, Equatable {
  public var architecture: String
  public var dataset: String
  public var datasetId: String
  public var splitId: String
  public var modelId: String
  public var evaluationId: String
  public var trainRun: String
  public var evaluateRun: String
  /// Train and evaluate both came from the run cache.
  public var reused: Bool
  public var cube: BinaryMetrics
  public var video: BinaryMetrics
}

/// Trains and evaluates every pair of a grid through the runner, so that each pair already in
/// the run cache is reused rather than trained again. The M-mode row and Table 5 follow from the
/// rows (``table5(_:rows:runner:execution:log:)``).
public enum Experiment {
  public static func run(
    _ grid: ExperimentGrid, runner: Runner, log: @Sendable (String) -> Void = { _ in }
  ) async throws -> [ExperimentRow] {
    try checkMModeRow(grid)
    let catalog = runner.catalog
    var datasets: [String: (dataset: String, reference: String, split: String)] = [:]
    var rows: [ExperimentRow] = []
    runner.progress("experiment", 0, grid.pairs.count, unit: "pairs", perItem: true)
    for pair in grid.pairs {
      let preset = try Resnet3DPresetName.canonical(pair.architecture)
      let prepared: (dataset: String, reference: String, split: String)
      if let known = datasets[pair.dataset] {
        prepared = known
      } else {
        prepared = try await tiledAndSplit(pair.dataset, grid: grid, runner: runner)
        datasets[pair.dataset] = prepared
        log("\(prepared.reference): dataset \(prepared.dataset), split \(prepared.split)")
      }
      let (datasetID, reference, splitID) = prepared
      var train = grid.train
      train.architecture = preset
      let trained = try await runner.run(
        TrainPlugin.self, parameters: train,
        inputs: [EntityRef(.dataset, datasetID), EntityRef(.split, splitID)])
      let evaluated = try await runner.run(
        EvaluatePlugin.self, parameters: grid.evaluate,
        inputs: [trained.outputs[0], EntityRef(.dataset, datasetID)])
      let evaluation = try await catalog.database.read { db in
        try Evaluation.find(db, key: evaluated.outputs[0].id)
      }
      let report = try EvaluationReport.decode(evaluation)
      rows.append(
        ExperimentRow(
          architecture: preset, dataset: reference, datasetId: datasetID, splitId: splitID,
          modelId: trained.outputs[0].id, evaluationId: evaluation.id, trainRun: trained.runID,
          evaluateRun: evaluated.runID, reused: trained.reused && evaluated.reused, cube: report.cube.metrics,
          video: report.video.metrics))
      log("\(preset) on \(reference): \(trained.reused ? "reused" : "trained") \(trained.outputs[0].id)")
      runner.progress("experiment", rows.count, grid.pairs.count, unit: "pairs", perItem: true)
    }
    return rows
  }

  /// Builds the recipe's dataset and splits it (each reused when the catalog already holds it).
  static func tiledAndSplit(_ recipeName: String, grid: ExperimentGrid, runner: Runner) async throws -> (
    dataset: String, reference: String, split: String
  ) {
    let (datasetID, reference) = try await tiled(try DatasetRecipe.load(recipeName), runner: runner)
    let splitRun = try await runner.run(
      SplitPlugin.self, parameters: grid.split, inputs: [EntityRef(.dataset, datasetID)])
    return (datasetID, reference, splitRun.outputs[0].id)
  }

  /// Builds the recipe's dataset (reused when the catalog already holds it).
  static func tiled(_ recipe: DatasetRecipe, runner: Runner) async throws -> (
    dataset: String, reference: String
  ) {
    let plan = try await runner.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    guard !plan.items.isEmpty else {
      throw TilingError.nothingToTile(recipe: recipe.name, skipped: plan.skipped.count)
    }
    let tiled = try await runner.run(TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs)
    // A build whose cubes the latest version already holds stands for that version (remade).
    let datasetID = (tiled.outputs + tiled.remade)[0].id
    let reference = try await runner.catalog.database.read { db in
      try Dataset.find(db, key: datasetID).reference
    }
    return (datasetID, reference)
  }
}

/// The preset's canonical name, refusing unknown ones with the valid list.
enum Resnet3DPresetName {
  static func canonical(_ name: String) throws -> String {
    try ModelSetup.presetName(name)
  }
}

/// Table 4 of the study as Markdown and CSV.
public enum ExperimentTable {
  static let header = [
    "Model", "Dataset", "Accuracy", "Sensitivity", "Specificity", "F1", "AUC", "Video accuracy", "Model id",
    "Evaluation id",
  ]

  static func cells(_ row: ExperimentRow) -> [String] {
    func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
    let name = row.architecture.replacingOccurrences(of: "resnet3d-", with: "Resnet3D-")
    return [
      name, row.dataset, f(row.cube.accuracy), f(row.cube.sensitivity), f(row.cube.specificity),
      f(row.cube.f1),
      f(row.cube.auc), f(row.video.accuracy), row.modelId, row.evaluationId,
    ]
  }

  public static func markdown(_ rows: [ExperimentRow]) -> String {
    var lines = ["| " + header.joined(separator: " | ") + " |"]
    lines.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
    for row in rows { lines.append("| " + cells(row).joined(separator: " | ") + " |") }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func csv(_ rows: [ExperimentRow]) -> String {
    ([header] + rows.map(cells)).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
  }
}
