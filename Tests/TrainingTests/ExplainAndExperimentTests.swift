import Foundation
import GRDB
import Platform
import TestSupport
import Testing
import Tiling

@testable import Training

@Suite(.serialized, .tags(.slow)) struct ExplainAndExperimentTests {
  @Test func explainStoresMapsAndFigureFivePictures() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let model = try await fixture.train(tinyTraining(epochs: 1))
    var parameters = ExplainPlugin.Parameters()
    parameters.samples = 3
    let outcome = try await fixture.runner.run(
      ExplainPlugin.self, parameters: parameters,
      inputs: [EntityRef(.model, model.id), EntityRef(.dataset, fixture.dataset.id)])
    let blobs = Dictionary(
      uniqueKeysWithValues: outcome.summary.split(separator: "\n").compactMap { line -> (String, String)? in
        let parts = line.split(separator: " ").map(String.init)
        return parts.count == 2 && ExplainPlugin.outputNames.contains(parts[0]) ? (parts[0], parts[1]) : nil
      })
    #expect(Set(blobs.keys) == Set(ExplainPlugin.outputNames))
    let maps = try fixture.catalog.blobs.read(blobs["saliency.npy"]!, of: "a test")
    let header = NPY.readHeader(maps)!
    #expect(header.descr == "<f4")
    #expect(header.shape == [2, 2, 60, 30, 30])  // a present and an absent cube; vanilla, SmoothGrad
    for name in ["strip.png", "overlay.png"] {
      #expect(
        try fixture.catalog.blobs.read(blobs[name]!, of: "a test").prefix(4)
          == Data([0x89, 0x50, 0x4E, 0x47]))
    }
    // Registered, so `pleura gc` keeps them.
    let registered = try await fixture.catalog.database.read { db in
      try String.fetchAll(db, sql: "SELECT sha256 FROM blob")
    }
    #expect(Set(blobs.values).isSubset(of: Set(registered)))
  }

  @Test func rerunOfTrainAndEvaluateGivesIdenticalOutputs() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    var registry = PluginRegistry()
    try registry.register(TrainPlugin.self)
    try registry.register(EvaluatePlugin.self)
    let trained = try await fixture.runner.run(
      TrainPlugin.self, parameters: tinyTraining(epochs: 2), inputs: fixture.trainInputs)
    let comparison = try await RunReplay.rerun(trained.runID, registry: registry, runner: fixture.runner)
    #expect(comparison.identical, "\(comparison.pairs)")
    #expect(comparison.rerun != trained.runID)
    var evaluate = EvaluatePlugin.Parameters()
    evaluate.bootstrap = 50
    let evaluated = try await fixture.runner.run(
      EvaluatePlugin.self, parameters: evaluate,
      inputs: [trained.outputs[0], EntityRef(.dataset, fixture.dataset.id)])
    #expect(try await RunReplay.rerun(evaluated.runID, registry: registry, runner: fixture.runner).identical)
  }

  @Test func evaluateRefusesATestPartOfAnotherDatasetAndABadPart() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let model = try await fixture.train(tinyTraining(epochs: 1))
    let recipe = try DatasetRecipe.load("all_30x30")
    let plan = try await fixture.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    let other = try await fixture.runner.run(
      TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs)
    let runs = try await fixture.count("run")
    let onOther = [EntityRef(.model, model.id), other.outputs[0]]
    await #expect(throws: TrainingError.self) {
      try await fixture.runner.run(EvaluatePlugin.self, parameters: .init(), inputs: onOther)
    }
    var bad = EvaluatePlugin.Parameters()
    bad.part = "nonsense"
    await #expect(throws: TrainingError.self) {
      try await fixture.runner.run(
        EvaluatePlugin.self, parameters: bad,
        inputs: [EntityRef(.model, model.id), EntityRef(.dataset, fixture.dataset.id)])
    }
    #expect(try await fixture.count("run") == runs)
    #expect(try await fixture.count("evaluation") == 0)
    // Every cube of another dataset with the same cube shape is fine.
    var all = EvaluatePlugin.Parameters()
    all.part = "all"
    all.bootstrap = 20
    _ = try await fixture.runner.run(EvaluatePlugin.self, parameters: all, inputs: onOther)
    #expect(try await fixture.count("evaluation") == 1)
  }

  @Test func experimentTrainsEachPairOnceAndPrintsTableFour() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    var grid = ExperimentGrid()
    grid.rows = ExperimentGrid.parseRows("18:demo,34:demo")
    grid.train.width = 1.0 / 32
    grid.train.epochs = 1
    grid.train.batchSize = 16
    grid.split.validation = 0.2
    grid.evaluate.bootstrap = 20
    let first = try await Experiment.run(grid, runner: fixture.runner)
    #expect(first.map(\.architecture) == ["resnet3d-18", "resnet3d-34"])
    #expect(first.allSatisfy { $0.datasetId == fixture.dataset.id && $0.splitId == fixture.split })
    #expect(!first.contains { $0.reused })
    // Each pair done is a progress step, for a log that would otherwise wait for the table.
    let steps = ProgressRecorder()
    let second = try await Experiment.run(
      grid, runner: Runner(catalog: fixture.catalog, progress: steps.sink))
    #expect(second.allSatisfy { $0.reused })
    #expect(
      steps.updates.filter { $0.label == "experiment" }.map { "\($0.done)/\($0.total ?? -1) \($0.unit)" }
        == ["0/2 pairs", "1/2 pairs", "2/2 pairs"])
    #expect(second.map(\.evaluationId) == first.map(\.evaluationId))
    #expect(try await fixture.count("model") == 2)
    let markdown = ExperimentTable.markdown(second)
    #expect(markdown.contains("| Model | Dataset | Accuracy | Sensitivity | Specificity | F1 | AUC |"))
    #expect(markdown.contains("| Resnet3D-34 | demo@1 |"))
    #expect(ExperimentTable.csv(second).split(separator: "\n").count == 3)
  }

  @Test func paperGridIsTheStudysThreeBySix() throws {
    let grid = try ExperimentGrid.load("paper-grid")
    #expect(grid.pairs.count == 18)
    #expect(grid.train.epochs == 16 && grid.train.batchSize == 32 && grid.train.width == 1)
  }
}

/// Keeps every progress report it is given.
final class ProgressRecorder: @unchecked Sendable {
  private let lock = NSLock()
  private var kept: [ProgressUpdate] = []

  var sink: ProgressSink {
    ProgressSink(receive: { update in self.lock.withLock { self.kept.append(update) } })
  }
  var updates: [ProgressUpdate] { lock.withLock { kept } }
}
