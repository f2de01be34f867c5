import Foundation
import GRDB
import Platform

extension Experiment {
  /// The grid on Slurm: the datasets and splits are made here (they are quick and every row
  /// needs them), then every pair's training goes out as one job array, and once those have
  /// landed every pair's evaluation as a second (an evaluation needs its model). Pairs the run
  /// cache already holds are not submitted. This process is the coordinator while it waits: it
  /// collects the jobs as they finish; if it is killed, `pleura jobs collect` lands what finished
  /// and running the experiment again picks up from there.
  public static func runOnSlurm(
    _ grid: ExperimentGrid, runner: Runner, overrides: JobResources, pollInterval: Duration = .seconds(2),
    log: @Sendable (String) -> Void = { _ in }
  ) async throws -> [ExperimentRow] {
    let catalog = runner.catalog
    var prepared: [String: (dataset: String, reference: String, split: String)] = [:]
    var pairs: [(preset: String, dataset: String, reference: String, split: String)] = []
    for pair in grid.pairs {
      let preset = try Resnet3DPresetName.canonical(pair.architecture)
      if prepared[pair.dataset] == nil {
        prepared[pair.dataset] = try await tiledAndSplit(pair.dataset, grid: grid, runner: runner)
      }
      if let made = prepared[pair.dataset] {
        pairs.append((preset, made.dataset, made.reference, made.split))
      }
    }
    let trainings = try await JobArray.run(
      pairs.map { pair in
        { () async throws -> JobRequest.Plan in
          var train = grid.train
          train.architecture = pair.preset
          return try await JobRequest.plan(
            TrainPlugin.self, parameters: train,
            inputs: [EntityRef(.dataset, pair.dataset), EntityRef(.split, pair.split)], catalog: catalog)
        }
      }, overrides: overrides, catalog: catalog, pollInterval: pollInterval, log: log)
    let evaluations = try await JobArray.run(
      zip(pairs, trainings).map { pair, trained in
        { () async throws -> JobRequest.Plan in
          try await JobRequest.plan(
            EvaluatePlugin.self, parameters: grid.evaluate,
            inputs: [trained.outputs[0], EntityRef(.dataset, pair.dataset)], catalog: catalog)
        }
      }, overrides: overrides, catalog: catalog, pollInterval: pollInterval, log: log)
    var rows: [ExperimentRow] = []
    for ((pair, trained), evaluated) in zip(zip(pairs, trainings), evaluations) {
      let evaluation = try await catalog.database.read { db in
        try Evaluation.find(db, key: evaluated.outputs[0].id)
      }
      let report = try EvaluationReport.decode(evaluation)
      rows.append(
        ExperimentRow(
          architecture: pair.preset, dataset: pair.reference, datasetId: pair.dataset, splitId: pair.split,
          modelId: trained.outputs[0].id, evaluationId: evaluation.id, trainRun: trained.runID,
          evaluateRun: evaluated.runID, reused: trained.reused && evaluated.reused, cube: report.cube.metrics,
          video: report.video.metrics))
    }
    return rows
  }
}
