import Foundation
import GRDB
import Platform
import TestSupport
import Testing
import Tiling

@testable import Training

/// A narrow, quick configuration for tests of mechanics (not of learning).
func tinyTraining(epochs: Int = 2) -> TrainPlugin.Parameters {
  var parameters = TrainPlugin.Parameters()
  parameters.width = 1.0 / 32
  parameters.epochs = epochs
  parameters.batchSize = 16
  parameters.seed = 3
  return parameters
}

@Suite(.serialized, .tags(.slow)) struct TrainPluginTests {
  @Test func batchReaderStreamsCubesAsFloatsInUnitRange() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let items = try await fixture.catalog.database.read { db in
      try CubeItem.fetch(dataset: fixture.dataset.id, split: nil, part: nil, in: db)
    }
    let cube = try await fixture.catalog.database.read { db in
      try Cube.fetchOne(db, sql: "SELECT * FROM cube WHERE id = ?", arguments: [items[1].id])!
    }
    let reader = CubeReader(blobs: fixture.catalog.blobs, frames: cube.frames, size: cube.size)
    let values = try reader.read(items[0..<3])
    #expect(values.count == 3 * cube.frames * cube.size * cube.size)
    #expect(values.allSatisfy { (0...1).contains($0) })
    // The second cube equals the shard's bytes divided by 255.
    let shard = try fixture.catalog.blobs.read(cube.shardSha256, of: "a test")
    let header = NPY.readHeader(shard)!
    let bytes = cube.frames * cube.size * cube.size
    let start = header.dataOffset + cube.shardIndex * bytes
    let expected = shard[start..<(start + bytes)].map { Float($0) / 255 }
    #expect(zip(values[bytes..<(2 * bytes)], expected).allSatisfy { abs($0 - $1) < 1e-6 })
  }

  @Test func trainRefusesASplitOfAnotherDatasetAndAMissingSplit() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let recipe = try DatasetRecipe.load("all_30x30")
    let plan = try await fixture.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    let other = try await fixture.runner.run(
      TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs)
    let runs = try await fixture.count("run")
    await #expect(throws: TrainingError.self) {
      try await fixture.runner.run(
        TrainPlugin.self, parameters: tinyTraining(),
        inputs: [other.outputs[0], EntityRef(.split, fixture.split)])
    }
    await #expect(throws: TrainingError.needsDatasetAndSplit(plugin: "train")) {
      try await fixture.runner.run(TrainPlugin.self, parameters: tinyTraining(), inputs: [other.outputs[0]])
    }
    #expect(try await fixture.count("run") == runs)
    #expect(try await fixture.count("model") == 0)
  }

  @Test func trainRecordsWeightsCurvesAndTheLowestValidationEpoch() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let model = try await fixture.train(tinyTraining(epochs: 3))
    let curves = try JSONDecoder().decode([EpochCurve].self, from: Data(model.curvesJson.utf8))
    #expect(curves.count == 3)
    let lowest = curves.min { $0.validationLoss < $1.validationLoss }!
    #expect(model.chosenEpoch == lowest.epoch)
    let setup = try ModelSetup.decode(model)
    #expect(setup.architecture == "resnet3d-18" && setup.widthMultiplier == 1.0 / 32 && setup.epochs == 3)
    #expect(setup.batchSize == 16 && setup.seed == 3 && setup.optimizer == "adam")
    #expect(fixture.catalog.blobs.contains(model.weightsSha256))
    #expect(model.datasetId == fixture.dataset.id && model.splitId == fixture.split)
    // Nothing is left in the checkpoint folder after success.
    let checkpoints = fixture.catalog.root.appendingPathComponent("checkpoints")
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).isEmpty)

    let report = try await fixture.evaluate(model)
    #expect(report.cube.metrics.count > 0 && report.part == "test")
    #expect(report.videos >= 2)
    let evaluation = try await fixture.catalog.database.read { db in try Evaluation.fetchOne(db)! }
    let scores = String(
      decoding: try fixture.catalog.blobs.read(evaluation.scoresSha256!, of: "a test"), as: UTF8.self)
    #expect(scores.split(separator: "\n").count == report.cube.metrics.count + 1)
  }

  @Test func resumedTrainingEndsWithTheSameWeightsAsAnUninterruptedRun() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let parameters = tinyTraining(epochs: 3)
    await #expect(throws: (any Error).self) {
      try await TrainPlugin.$stopAfterEpoch.withValue(2) {
        _ = try await fixture.train(parameters)
      }
    }
    let interrupted = try await fixture.catalog.database.read { db in
      try Run.filter(Column("plugin") == "train").fetchOne(db)!
    }
    #expect(interrupted.status == .failed)
    #expect(try await fixture.count("model") == 0)
    var resume = parameters
    resume.resume = interrupted.id
    let checkpoints = fixture.catalog.root.appendingPathComponent("checkpoints")
    #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path) == [interrupted.id])
    let resumed = try await fixture.train(resume)
    #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).isEmpty)
    let uninterrupted = try await fixture.train(parameters, force: true)
    #expect(resumed.weightsSha256 == uninterrupted.weightsSha256)
    #expect(resumed.curvesJson == uninterrupted.curvesJson)
  }
}
