import Foundation
import GRDB
import Platform
import Tiling

/// `pleura retrain MODEL`: a successor of a model, trained from its weights with its recorded
/// parameters on a newer version of its dataset, and both compared on the same test patients.
///
/// The steps are ordinary runs, so each is recorded, cached and in the lineage: a split of the new
/// version that continues the model's split (its patients keep their parts, see
/// `SplitPlugin.successorParts`), a train run with the model as its starting point, an evaluation
/// of each model on that split's test part, and the paired comparison of the two evaluations.
public enum Retraining {
  /// What a retrain will run, read from the catalog before anything is written.
  public struct Plan: Sendable {
    public var parent: Model
    public var parentDataset: Dataset
    public var dataset: Dataset
    public var split: SplitPlugin.Parameters
    public var train: TrainPlugin.Parameters
  }

  public struct Result: Codable, Sendable {
    public var parent: String
    public var successor: String
    public var dataset: String
    public var split: String
    public var runs: [RunOutcome]
    public var parentReport: EvaluationReport
    public var successorReport: EvaluationReport
    public var comparison: ModelComparison
  }

  /// The plan for `model` (any name `EntityLookup` takes) on `dataset`: `NAME@V`, `NAME@latest` or
  /// `NAME` (the newest), by default the newest version of the model's own dataset.
  public static func plan(model text: String, dataset reference: String?, in db: Database) throws -> Plan {
    let ref = try EntityLookup.resolve(text, as: [.model], in: db)
    let parent = try Model.find(db, key: ref.id)
    let parentDataset = try Dataset.find(db, key: parent.datasetId)
    let dataset: Dataset
    if let reference {
      let name = reference.hasSuffix("@latest") ? String(reference.dropLast("@latest".count)) : reference
      dataset = try Dataset.find(name, in: db)
    } else {
      // The newest version of the model's dataset at the site that made it.
      dataset =
        try Dataset.filter(Dataset.Columns.name == parentDataset.name)
        .filter(Column("site_id") == parentDataset.siteId).order(Dataset.Columns.version.desc).fetchOne(db)
        ?? parentDataset
    }
    guard
      let edge = try RunEdge.all().edges(.output, ofEntity: parent.id).fetchAll(db).first,
      let run = try Run.fetchOne(db, key: edge.runId), run.plugin == TrainPlugin.name
    else {
      throw TrainingError.badParameter("model \(parent.id) has no recorded train run to take parameters from")
    }
    var train = try ParameterSchema.decode(json: run.parametersJson, as: TrainPlugin.self)
    train.resume = ""
    let parentSplit = try Split.find(db, key: parent.splitId)
    let split = try ParameterSchema.decode(json: parentSplit.parametersJson, as: SplitPlugin.self)
    return Plan(parent: parent, parentDataset: parentDataset, dataset: dataset, split: split, train: train)
  }

  /// What would refuse the train run, or leave nothing to compare, checked before the split run
  /// writes anything: a bad input leaves the catalog as it was.
  static func preflight(_ plan: Plan, catalog: Catalog) async throws {
    try TrainPlugin.checkParameters(plan.train)
    try await catalog.database.read { db in
      try TrainPlugin.checkStart(
        plan.train, inputs: [EntityRef(.model, plan.parent.id)], dataset: plan.dataset, in: db)
      let tested = try SplitPlugin.parts(ofSplit: plan.parent.splitId, in: db).filter { $0.value == .test }
      let present = try String.fetchAll(
        db, sql: "SELECT DISTINCT patient_id FROM cube WHERE dataset_id = ?", arguments: [plan.dataset.id])
      guard present.contains(where: { tested[$0] != nil }) else {
        throw TrainingError.nothingToCompare(model: plan.parent.id, dataset: plan.dataset.reference)
      }
    }
  }

  /// Runs the plan: split, train, both evaluations and their comparison. `evaluate` sets the
  /// evaluations' bootstrap and seed, which the comparison's paired bootstrap uses too.
  public static func run(
    _ plan: Plan, evaluate: EvaluatePlugin.Parameters, runner: Runner, force: Bool = false
  ) async throws -> Result {
    try await preflight(plan, catalog: runner.catalog)
    let datasetRef = EntityRef(.dataset, plan.dataset.id)
    let splitRun = try await runner.run(
      SplitPlugin.self, parameters: plan.split, inputs: [datasetRef, EntityRef(.split, plan.parent.splitId)])
    guard let split = splitRun.outputs.first else {
      throw TrainingError.badParameter("the split made nothing")
    }
    let trainRun = try await runner.run(
      TrainPlugin.self, parameters: plan.train,
      inputs: [datasetRef, split, EntityRef(.model, plan.parent.id)],
      force: force)
    guard let successor = trainRun.outputs.first else {
      throw TrainingError.badParameter("the train run made no model")
    }
    var evaluate = evaluate
    evaluate.part = Evaluation.Part.test.rawValue
    // The successor on its own split's test part, the parent on the same cubes.
    let successorRun = try await runner.run(
      EvaluatePlugin.self, parameters: evaluate, inputs: [successor, datasetRef])
    let parentRun = try await runner.run(
      EvaluatePlugin.self, parameters: evaluate,
      inputs: [EntityRef(.model, plan.parent.id), datasetRef, split])
    guard let parentEvaluation = parentRun.outputs.first?.id,
      let successorEvaluation = successorRun.outputs.first?.id
    else { throw TrainingError.badParameter("an evaluate run made no evaluation") }
    let catalog = runner.catalog
    let comparison = try ModelComparison.compare(
      parentEvaluation, successorEvaluation, catalog: catalog, replicates: evaluate.bootstrap,
      seed: evaluate.seed)
    let (parentReport, successorReport) = try await catalog.database.read { db in
      (
        try EvaluationReport.decode(try Evaluation.find(db, key: parentEvaluation)),
        try EvaluationReport.decode(try Evaluation.find(db, key: successorEvaluation))
      )
    }
    return Result(
      parent: plan.parent.id, successor: successor.id, dataset: plan.dataset.reference, split: split.id,
      runs: [splitRun, trainRun, successorRun, parentRun], parentReport: parentReport,
      successorReport: successorReport, comparison: comparison)
  }
}
