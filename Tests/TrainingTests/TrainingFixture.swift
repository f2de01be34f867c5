import Foundation
import GRDB
import Media
import Platform
import Tiling

@testable import Training

/// A temporary catalog with a small synthetic collection, transcoded, tiled into a dataset and
/// split by patient (the pattern of PipelineTests' fixture, which a test target cannot import).
struct TrainingFixture {
  let folder: URL
  let catalog: Catalog
  let runner: Runner
  let dataset: Dataset
  let split: String

  init(
    patients: Int, seed: Int = 7, recipe: String = "all_30x30", splitSeed: Int = 42,
    test: Double = 0.3, validation: Double = 0.2
  ) async throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pleura-training-\(UUID().uuidString)")
    catalog = try Catalog.create(at: folder.appendingPathComponent("catalog"), siteName: "test")
    runner = Runner(catalog: catalog)
    var synthesize = SynthesizePlugin.Parameters()
    synthesize.patients = patients
    synthesize.seed = seed
    synthesize.absentFraction = 0.5
    synthesize.minSeconds = 2.1
    synthesize.maxSeconds = 2.2
    // The classic videos these suites' figures were set on (synthesize 1.0.0's).
    synthesize.style = "classic"
    _ = try await runner.run(SynthesizePlugin.self, parameters: synthesize)
    var transcode = TranscodePlugin.Parameters()
    transcode.preset = "ultrafast"
    let videos = try await catalog.database.read { db in
      try SourceVideo.order(Column("created_at"), Column("id")).fetchAll(db)
    }
    for video in videos {
      _ = try await runner.run(
        TranscodePlugin.self, parameters: transcode, inputs: [EntityRef(.sourceVideo, video.id)])
    }
    let recipe = try DatasetRecipe.load(recipe)
    let plan = try await catalog.database.read { [catalog] db in
      _ = catalog
      return try TilePlan.make(recipe: recipe, in: db)
    }
    let built = try await runner.run(TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs)
    dataset = try await catalog.database.read { db in try Dataset.fetchOne(db, key: built.outputs[0].id)! }
    var splitParameters = SplitPlugin.Parameters()
    splitParameters.seed = splitSeed
    splitParameters.test = test
    splitParameters.validation = validation
    let splitRun = try await runner.run(
      SplitPlugin.self, parameters: splitParameters, inputs: [EntityRef(.dataset, dataset.id)])
    split = splitRun.outputs[0].id
  }

  func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  var trainInputs: [EntityRef] { [EntityRef(.dataset, dataset.id), EntityRef(.split, split)] }

  func train(_ parameters: TrainPlugin.Parameters, force: Bool = false) async throws -> Model {
    let outcome = try await runner.run(
      TrainPlugin.self, parameters: parameters, inputs: trainInputs, force: force)
    return try await catalog.database.read { db in try Model.fetchOne(db, key: outcome.outputs[0].id)! }
  }

  func evaluate(_ model: Model, part: String = "test") async throws -> EvaluationReport {
    var parameters = EvaluatePlugin.Parameters()
    parameters.part = part
    parameters.bootstrap = 200
    let outcome = try await runner.run(
      EvaluatePlugin.self, parameters: parameters,
      inputs: [EntityRef(.model, model.id), EntityRef(.dataset, dataset.id)])
    let evaluation = try await catalog.database.read { db in
      try Evaluation.fetchOne(db, key: outcome.outputs[0].id)!
    }
    return try EvaluationReport.decode(evaluation)
  }

  func count(_ table: String) async throws -> Int {
    try await catalog.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! }
  }
}
