import Foundation
import GRDB
import Media
import Platform
import TestSupport
import Testing
import Tiling

@testable import Training

/// Training from a model's weights (`train --init`) and retraining a model on a newer version of
/// its dataset (`retrain`): what is refused, what is held, what the lineage and the split keep.
@Suite(.serialized, .tags(.slow)) struct FineTuneTests {
  static func parent(_ fixture: TrainingFixture) async throws -> Model {
    try await fixture.train(tinyTraining(epochs: 1))
  }

  static func startingFrom(_ model: Model, _ fixture: TrainingFixture) -> [EntityRef] {
    fixture.trainInputs + [EntityRef(.model, model.id)]
  }

  @Test func initRefusesAMismatchedModelAndLeavesTheCatalogAsItWas() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let parent = try await Self.parent(fixture)
    let wider = try await fixture.pipeline.dataset(
      try await fixture.pipeline.build(try DatasetRecipe.load("2_60x60")))
    let widerSplit = try await fixture.pipeline.split(wider)
    let before = try CatalogSnapshot.take(fixture.catalog)

    var deeper = tinyTraining(epochs: 1)
    deeper.architecture = "resnet3d-34"
    var narrower = tinyTraining(epochs: 1)
    narrower.width = 1.0 / 64
    var tooMany = tinyTraining(epochs: 1)
    tooMany.freezeStages = 5
    var noModel = tinyTraining(epochs: 1)
    noModel.freezeStages = 1
    let refusals: [(TrainPlugin.Parameters, [EntityRef], String)] = [
      (deeper, Self.startingFrom(parent, fixture), "it is a resnet3d-18 and this run trains a resnet3d-34"),
      (narrower, Self.startingFrom(parent, fixture), "its width is 0.03125 and this run's is 0.015625"),
      (
        tinyTraining(epochs: 1),
        [EntityRef(.dataset, wider.id), EntityRef(.split, widerSplit), EntityRef(.model, parent.id)],
        "it takes 60x30x30 cubes and 2_60x60@1 has 60x60x60"
      ),
      (tooMany, Self.startingFrom(parent, fixture), "freezeStages 5 must be in 0...4"),
      (noModel, fixture.trainInputs, "freezeStages 1 needs a model to start from"),
    ]
    for (parameters, inputs, reason) in refusals {
      do {
        _ = try await fixture.runner.run(TrainPlugin.self, parameters: parameters, inputs: inputs)
        Issue.record("not refused: \(reason)")
      } catch let error as TrainingError {
        #expect(error.description.contains(reason), "\(error)")
        #expect(!error.description.contains("\n"))
      }
    }
    #expect(try CatalogSnapshot.take(fixture.catalog) == before)
  }

  @Test func aFineTunedModelStartsFromItsParentHoldsFrozenStagesAndNamesItInItsLineage() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let parent = try await Self.parent(fixture)
    var parameters = tinyTraining(epochs: 1)
    parameters.freezeStages = 2
    parameters.learningRate = 0.0005
    let outcome = try await fixture.runner.run(
      TrainPlugin.self, parameters: parameters, inputs: Self.startingFrom(parent, fixture))
    let child = try ModelViews.model(outcome.outputs[0].id, in: fixture.catalog)

    // conv1 and stages 1-2 are the parent's, bit for bit; later layers learned.
    let (parentNetwork, _) = try ModelLoader.load(parent, blobs: fixture.catalog.blobs, threads: 1)
    let (childNetwork, setup) = try ModelLoader.load(child, blobs: fixture.catalog.blobs, threads: 1)
    let parentValues = Dictionary(uniqueKeysWithValues: parentNetwork.parameters.map { ($0.name, $0.values) })
    let trainable = childNetwork.parameters.filter(\.trainable)
    let held = trainable.filter { p in ["stem.", "stage1.", "stage2."].contains { p.name.hasPrefix($0) } }
    #expect(held.count > 0)
    for p in held { #expect(p.values == parentValues[p.name], "\(p.name) changed although frozen") }
    #expect(
      trainable.filter { !held.map(\.name).contains($0.name) }.contains { $0.values != parentValues[$0.name] }
    )
    #expect(setup.initialModel == parent.id && setup.freezeStages == 2 && setup.learningRate == 0.0005)

    // The lineage goes through the parent back to its own train run and the dataset.
    let lineage = try LineageNode.build(for: EntityRef(.model, child.id), in: fixture.catalog)
    let parentNode = try #require(lineage.inputs.first { $0.kind == .model })
    #expect(parentNode.id == parent.id && parentNode.madeBy?.plugin == "train")
    #expect(parentNode.inputs.contains { $0.kind == .dataset && $0.id == fixture.dataset.id })
    #expect(try ModelViews.successorForest(fixture.catalog).map(\.id) == [parent.id])
    #expect(try ModelViews.successorForest(fixture.catalog).first?.successors.map(\.id) == [child.id])

    // The run cache keys on the parent: the same run again is reused, from another parent it is not.
    let again = try await fixture.runner.run(
      TrainPlugin.self, parameters: parameters, inputs: Self.startingFrom(parent, fixture))
    #expect(again.reused && again.outputs == outcome.outputs)
    var otherSeed = tinyTraining(epochs: 1)
    otherSeed.seed = 4
    let otherParent = try await fixture.train(otherSeed)
    let fromOther = try await fixture.runner.run(
      TrainPlugin.self, parameters: parameters, inputs: Self.startingFrom(otherParent, fixture))
    #expect(!fromOther.reused && fromOther.outputs != outcome.outputs)
  }

  @Test func retrainKeepsTheParentsPatientsPartsAndComparesBothOnTheSameTestPatients() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let parent = try await Self.parent(fixture)
    // New patients arrive; the recipe is built again into demo@2.
    let known = Set(try fixture.pipeline.videos().map(\.id))
    var synthesize = SynthesizePlugin.Parameters()
    (synthesize.patients, synthesize.seed, synthesize.absentFraction) = (6, 8, 0.5)
    (synthesize.minSeconds, synthesize.maxSeconds) = (2.1, 2.2)
    _ = try await fixture.runner.run(SynthesizePlugin.self, parameters: synthesize)
    var transcode = TranscodePlugin.Parameters()
    transcode.preset = "ultrafast"
    for video in try fixture.pipeline.videos() where !known.contains(video.id) {
      _ = try await fixture.runner.run(
        TranscodePlugin.self, parameters: transcode, inputs: [EntityRef(.sourceVideo, video.id)])
    }
    _ = try await fixture.pipeline.build(try DatasetRecipe.load("demo"))

    let plan = try await fixture.catalog.database.read { db in
      try Retraining.plan(model: parent.id, dataset: nil, in: db)
    }
    #expect(plan.dataset.reference == "demo@2" && plan.train == tinyTraining(epochs: 1))
    var evaluate = EvaluatePlugin.Parameters()
    evaluate.bootstrap = 100
    let result = try await Retraining.run(plan, evaluate: evaluate, runner: fixture.runner)

    let (before, after) = try await fixture.catalog.database.read { db in
      (
        try SplitPlugin.parts(ofSplit: parent.splitId, in: db),
        try SplitPlugin.parts(ofSplit: result.split, in: db)
      )
    }
    #expect(after.count > before.count)
    for (patient, part) in before { #expect(after[patient] == part, "patient \(patient) moved from \(part)") }
    // Both models were scored on the same cubes: the successor's test part.
    #expect(result.parentReport.cube.metrics.count == result.successorReport.cube.metrics.count)
    #expect(result.comparison.cube.count == result.successorReport.cube.metrics.count)
    #expect(result.comparison.video.count == result.successorReport.videos)
    #expect(result.comparison.first == parent.id && result.comparison.second == result.successor)
    let accuracy = try #require(result.comparison.video["accuracy"])
    #expect(accuracy.first == result.parentReport.video.metrics.accuracy)
    #expect(accuracy.second == result.successorReport.video.metrics.accuracy)
    let parentOf = try await fixture.catalog.database.read { db in
      try ModelViews.parent(of: result.successor, in: db)
    }
    #expect(parentOf == parent.id)
  }
}
