import Foundation
import GRDB
import Platform
import Tiling

/// The grid's M-mode row and Table 5: after the 3D rows, the study's M-mode baseline (a 2D
/// ResNet-18 on the grid's M-mode recipe) is trained on a split that continues the split of the
/// chosen 3D models (every patient keeps its part, as `pleura retrain` does), so that it is tested
/// on the same patients; it is then compared with the best 3D model of each cube size.
extension Experiment {
  /// How the M-mode row's train and evaluate runs are executed: through the runner here, or as
  /// Slurm jobs (the datasets and splits are always made here, as for the 3D rows).
  public struct RowExecution: Sendable {
    let train: @Sendable (TrainPlugin.Parameters, [EntityRef]) async throws -> RunOutcome
    let evaluate: @Sendable (EvaluatePlugin.Parameters, [EntityRef]) async throws -> RunOutcome

    public static func local(_ runner: Runner) -> RowExecution {
      RowExecution(
        train: { try await runner.run(TrainPlugin.self, parameters: $0, inputs: $1) },
        evaluate: { try await runner.run(EvaluatePlugin.self, parameters: $0, inputs: $1) })
    }

    /// Each run as a one-job array, collected while this process waits (as the 3D rows are).
    public static func slurm(
      _ catalog: Catalog, overrides: JobResources, pollInterval: Duration = .seconds(2),
      log: @escaping @Sendable (String) -> Void = { _ in }
    ) -> RowExecution {
      @Sendable func one<P: Plugin>(_ plugin: P.Type, _ parameters: P.Parameters, _ inputs: [EntityRef])
        async throws -> RunOutcome
      {
        let outcomes = try await JobArray.run(
          [{ try await JobRequest.plan(plugin, parameters: parameters, inputs: inputs, catalog: catalog) }],
          overrides: overrides, catalog: catalog, pollInterval: pollInterval, log: log)
        guard let outcome = outcomes.first else {
          throw TrainingError.badParameter("the Slurm job made no run")
        }
        return outcome
      }
      return RowExecution(
        train: { try await one(TrainPlugin.self, $0, $1) },
        evaluate: { try await one(EvaluatePlugin.self, $0, $1) })
    }
  }

  /// What would stop Table 5, checked before anything runs: the grid's M-mode recipe must be an
  /// M-mode one, and the models must be scored on the test part (Table 5 holds test results).
  public static func checkMModeRow(_ grid: ExperimentGrid) throws {
    guard !grid.mmode.isEmpty else { return }
    let recipe: DatasetRecipe
    do { recipe = try DatasetRecipe.load(grid.mmode) } catch {
      throw TrainingError.badParameter("the grid's mmode recipe \(grid.mmode): \(error)")
    }
    guard recipe.kind == .mmode else {
      throw TrainingError.badParameter(
        "the grid's mmode recipe \(grid.mmode) is not an M-mode recipe (its kind is \(recipe.kind.rawValue))")
    }
    guard grid.evaluate.part == Evaluation.Part.test.rawValue else {
      throw TrainingError.badParameter(
        "Table 5 compares test results: the grid's part is \(grid.evaluate.part), not test (or drop mmode)")
    }
  }

  /// Trains and evaluates the M-mode row and makes Table 5 from it and the grid's 3D `rows`; nil
  /// when the grid has no M-mode recipe.
  public static func table5(
    _ grid: ExperimentGrid, rows: [ExperimentRow], runner: Runner, execution: RowExecution? = nil,
    log: @Sendable (String) -> Void = { _ in }
  ) async throws -> Table5? {
    guard !grid.mmode.isEmpty else { return nil }
    try checkMModeRow(grid)
    let catalog = runner.catalog
    let sized = try await catalog.database.read { db in
      try rows.compactMap { row in
        try cubeSize(ofDataset: row.datasetId, in: db).map { (row: row, cubeSize: $0) }
      }
    }
    let best = Table5.best(sized)
    guard let anchor = best.first?.row else {
      throw TrainingError.badParameter("Table 5 needs at least one 3D row; the grid trained none")
    }
    let (datasetID, reference) = try await tiled(try DatasetRecipe.load(grid.mmode), runner: runner)
    let dataset = EntityRef(.dataset, datasetID)
    // The anchor's patients keep their parts; a patient only the M-mode dataset has is dealt out.
    let splitRun = try await runner.run(
      SplitPlugin.self, parameters: grid.split, inputs: [dataset, EntityRef(.split, anchor.splitId)])
    guard let split = splitRun.outputs.first else {
      throw TrainingError.badParameter("the split made nothing")
    }
    log("\(reference): dataset \(datasetID), split \(split.id) continuing \(anchor.splitId)")
    let patients = try await catalog.database.read { db in
      try sameTestPatients(mmode: (datasetID, reference, split.id), as: best.map(\.row), in: db)
    }
    var train = grid.train
    train.architecture = ExperimentGrid.mmodeArchitecture
    let execution = execution ?? .local(runner)
    let trained = try await execution.train(train, [dataset, split])
    guard let model = trained.outputs.first else {
      throw TrainingError.badParameter("the train run made no model")
    }
    let evaluated = try await execution.evaluate(grid.evaluate, [model, dataset])
    guard let evaluationID = evaluated.outputs.first?.id else {
      throw TrainingError.badParameter("the evaluate run made no evaluation")
    }
    let report = try await catalog.database.read { db in
      try EvaluationReport.decode(try Evaluation.find(db, key: evaluationID))
    }
    let mmode = ExperimentRow(
      architecture: train.architecture, dataset: reference, datasetId: datasetID, splitId: split.id,
      modelId: model.id, evaluationId: evaluationID, trainRun: trained.runID, evaluateRun: evaluated.runID,
      reused: trained.reused && evaluated.reused, cube: report.cube.metrics, video: report.video.metrics)
    log("\(train.architecture) on \(reference): \(trained.reused ? "reused" : "trained") \(model.id)")
    let entries = try best.map { row, size in
      let (comparison, videos) = try ModelComparison.compareOnSamePatients(
        evaluationID, row.evaluationId, catalog: catalog, replicates: grid.evaluate.bootstrap,
        seed: grid.evaluate.seed)
      return Table5.Entry(cubeSize: size, row: row, comparison: comparison, videos: videos)
    }
    return Table5(part: grid.evaluate.part, patients: patients, mmode: mmode, entries: entries)
  }

  /// The tile side of a dataset of cubes; nil for an M-mode dataset (or a recipe this version
  /// cannot read), which has no cube size.
  static func cubeSize(ofDataset id: String, in db: Database) throws -> Int? {
    guard let recipe = DatasetViews.recipe(try Dataset.find(db, key: id)), recipe.kind == .cubes else {
      return nil
    }
    return recipe.tileSize
  }

  /// The number of test patients, refusing unless the M-mode split tests exactly the patients
  /// each chosen 3D model is tested on.
  static func sameTestPatients(
    mmode: (dataset: String, reference: String, split: String), as rows: [ExperimentRow], in db: Database
  ) throws -> Int {
    func tested(dataset: String, split: String) throws -> Set<String> {
      let parts = try SplitPlugin.parts(ofSplit: split, in: db)
      let present = try String.fetchAll(
        db, sql: "SELECT DISTINCT patient_id FROM cube WHERE dataset_id = ?", arguments: [dataset])
      return Set(present.filter { parts[$0] == .test })
    }
    let ours = try tested(dataset: mmode.dataset, split: mmode.split)
    for row in rows {
      let theirs = try tested(dataset: row.datasetId, split: row.splitId)
      guard theirs == ours, !ours.isEmpty else {
        throw TrainingError.testPatientsDiffer(
          "Table 5 needs the same test patients, and they cannot be aligned: \(row.architecture) on "
            + "\(row.dataset) (split \(row.splitId)) is tested on \(theirs.count) patient(s), the M-mode "
            + "model on \(mmode.reference) (split \(mmode.split)) would be on \(ours.count), "
            + "\(ours.subtracting(theirs).count) of them not among the 3D model's and "
            + "\(theirs.subtracting(ours).count) missing (a recipe that drops a patient's videos?)")
      }
    }
    return ours.count
  }
}
