import Foundation
import GRDB
import Platform
import TestSupport
import Testing
import Tiling

@testable import Training

/// Table 5 out of a small grid: two narrow one-epoch 3D rows on the demo recipe and the M-mode
/// row on `mmode_64`, on six synthetic patients whose videos are long enough for one 64-frame
/// window each.
@Suite(.serialized, .tags(.slow)) struct Table5ExperimentTests {
  static func tinyGrid() -> ExperimentGrid {
    var grid = ExperimentGrid()
    grid.rows = ExperimentGrid.parseRows("18:demo,34:demo")
    grid.mmode = "mmode_64"
    grid.train.width = 1.0 / 32
    grid.train.epochs = 1
    grid.train.batchSize = 16
    grid.split.validation = 0.2
    grid.evaluate.bootstrap = 50
    return grid
  }

  /// The patients an evaluation scored, from its scores.
  static func scoredPatients(_ evaluation: String, in catalog: Catalog) throws -> Set<String> {
    let stored = try catalog.database.read { db in try Evaluation.find(db, key: evaluation) }
    return Set(try ModelComparison.scores(of: stored, blobs: catalog.blobs).values.map(\.patient))
  }

  @Test func tableFiveComparesTheBestThreeDModelWithTheMModeModelOnTheSameTestPatients() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.2...2.3)
    defer { fixture.cleanUp() }
    let grid = Self.tinyGrid()
    let rows = try await Experiment.run(grid, runner: fixture.runner)
    let table = try #require(try await Experiment.table5(grid, rows: rows, runner: fixture.runner))

    // One cube size (the demo recipe's 30 px), its row chosen by the rule.
    #expect(table.entries.map(\.cubeSize) == [30])
    let entry = try #require(table.entries.first)
    #expect(entry.row == Table5.best(rows.map { (row: $0, cubeSize: 30) })[0].row)
    #expect(table.mmode.architecture == "resnet-18" && table.mmode.dataset == "mmode_64@1")
    #expect(table.part == "test")

    // The same test patients: the M-mode split continues the 3D row's, and both scored them.
    let mmodePatients = try Self.scoredPatients(table.mmode.evaluationId, in: fixture.catalog)
    #expect(mmodePatients == (try Self.scoredPatients(entry.row.evaluationId, in: fixture.catalog)))
    #expect(mmodePatients.count == table.patients && table.patients > 0)
    let parts = try await fixture.catalog.database.read { db in
      (
        try SplitPlugin.parts(ofSplit: table.mmode.splitId, in: db),
        try SplitPlugin.parts(ofSplit: entry.row.splitId, in: db)
      )
    }
    #expect(parts.0 == parts.1)

    // The comparison: the M-mode model first, so each difference is 3D minus M-mode.
    let comparison = entry.comparison
    #expect(comparison.first == table.mmode.modelId && comparison.second == entry.row.modelId)
    #expect(comparison.cube.patients == table.patients && comparison.video.patients == table.patients)
    #expect(entry.videos.firstOnly == 0 && entry.videos.secondOnly == 0)
    #expect(
      comparison.cube.count == table.mmode.cube.count && comparison.cube.secondCount == entry.row.cube.count)
    for (paired, mmode, threeD) in [
      (comparison.cube, table.mmode.cube, entry.row.cube),
      (comparison.video, table.mmode.video, entry.row.video),
    ] {
      for metric in PairedComparison.metrics {
        let difference = try #require(paired[metric])
        if let a = mmode.named[metric] ?? nil, let b = threeD.named[metric] ?? nil {
          #expect(abs(try #require(difference.difference) - (b - a)) < 1e-9, "\(metric)")
          #expect(difference.interval != nil, "\(metric)")
        }
      }
    }
    // McNemar's discordant videos are what the accuracies differ by.
    let test = comparison.videoMcNemar
    let n = Double(comparison.video.count)
    let accuracy = try #require(comparison.video["accuracy"]?.difference)
    #expect(abs(accuracy - Double(test.secondOnlyCorrect - test.firstOnlyCorrect) / n) < 1e-9)
    #expect(test.pValue >= 0 && test.pValue <= 1)

    let markdown = Table5Table.markdown(table)
    #expect(markdown.contains("| ResNet-18 (M-mode) | mmode_64@1 | images |"))
    #expect(markdown.contains("| 0.8900 | 0.8200 | 0.9200 |"))
    #expect(markdown.contains("McNemar"))
    // The header, the 3D model's and the M-mode model's two levels each, the reference row.
    let csvLines = Table5Table.csv(table).split(separator: "\n")
    #expect(csvLines.count == 6)

    // Again: everything from the run cache, the same table.
    let again = try await Experiment.table5(
      grid, rows: try await Experiment.run(grid, runner: fixture.runner), runner: fixture.runner)
    #expect(again?.mmode.reused == true && again?.mmode.modelId == table.mmode.modelId)

    // An M-mode recipe that leaves out one of the test patients cannot be aligned: refused, and
    // no M-mode model is trained on it.
    let testPatient = try #require(
      parts.1.first { $0.value == .test }.map(\.key))
    let codes = try await fixture.catalog.database.read { db in
      try String.fetchAll(
        db, sql: "SELECT code FROM patient WHERE id != ? ORDER BY code", arguments: [testPatient])
    }
    var recipe = try DatasetRecipe.load("mmode_64")
    recipe.name = "mmode_fewer"
    recipe.patients = codes
    let file = fixture.folder.appendingPathComponent("mmode_fewer.json")
    try JSONEncoder().encode(recipe).write(to: file)
    var fewer = grid
    fewer.mmode = file.path
    let models = try await fixture.catalog.database.read { db in try Model.fetchCount(db) }
    do {
      _ = try await Experiment.table5(fewer, rows: rows, runner: fixture.runner)
      Issue.record("a Table 5 whose test patients differ was made")
    } catch TrainingError.testPatientsDiffer(let reason) {
      #expect(reason.contains("cannot be aligned") && reason.contains("1 missing"), "\(reason)")
    }
    #expect(try await fixture.catalog.database.read { db in try Model.fetchCount(db) } == models)
  }
}
