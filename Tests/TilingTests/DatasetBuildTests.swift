import Foundation
import GRDB
import Media
import Platform
import TestSupport
import Testing
import Tiling

/// Datasets built from a small synthetic collection: arithmetic, shards, versions, diff, splits.
@Suite(.serialized, .tags(.slow)) struct DatasetBuildTests {
  @Test func cubeCountsMatchTheArithmeticAndShardsOpenAsNPY() async throws {
    let fixture = try await PipelineFixture()
    defer { fixture.cleanUp() }
    let recipe = try DatasetRecipe.load("all_30x30")
    let plan = try await fixture.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    #expect(plan.items.count == 4 && plan.skipped.isEmpty)
    let outcome = try await fixture.build(recipe)
    let dataset = try fixture.dataset(outcome)
    #expect(dataset.reference == "all_30x30@1")
    let summary = try DatasetViews.summary(dataset)
    for item in plan.items {
      let columns = item.rect.width / 30
      let rows = item.rect.height / 30
      let clips = item.conversion.frameCount / 60
      let video = try #require(summary.videos.first { $0.video == item.video.id })
      #expect(video.tilesPerClip == columns * rows)
      #expect(video.clips == clips)
      #expect(video.cubes == columns * rows * clips)
    }
    let cubes = try await fixture.catalog.database.read { db in
      try Cube.filter(Cube.Columns.datasetId == dataset.id).fetchAll(db)
    }
    #expect(cubes.count == summary.cubes)
    #expect(Set(cubes.map(\.label)) == [.present, .absent])
    // Every shard is an .npy of [n, 60, 30, 30] uint8 whose n matches its cube rows.
    for shard in summary.shards {
      let data = try fixture.catalog.blobs.read(shard.shard, of: "a test")
      let header = try #require(NPY.readHeader(data))
      #expect(header.descr == "|u1")
      #expect(header.shape == [shard.cubes, 60, 30, 30])
      #expect(data.count == header.dataOffset + shard.cubes * 60 * 30 * 30)
    }
    // A cube holds the conversion's pixels at its tile: compare one against a fresh decode.
    let cube = cubes[cubes.count / 2]
    let conversion = try await fixture.catalog.database.read { db in
      try Conversion.fetchOne(db, key: cube.conversionId)!
    }
    let frame: GrayImage? = try fixture.catalog.blobs.withNamedPath(
      conversion.blobSha256, of: "a test", fileName: conversion.fileName
    ) { url in
      let decoder = try VideoDecoder(url: url)
      while let frame = try decoder.nextFrame() {
        if frame.index == cube.firstFrame + 4 { return frame.image }
      }
      return nil
    }
    let image = try #require(frame)
    let shard = try fixture.catalog.blobs.read(cube.shardSha256, of: "a test")
    let offset = NPY.readHeader(shard)!.dataOffset + cube.shardIndex * 60 * 900 + 4 * 900
    for y in 0..<30 {
      for x in 0..<30 {
        #expect(shard[offset + y * 30 + x] == image[cube.x + x, cube.y + y])
      }
    }
  }

  /// Overlapping clips and clips with gaps between them hold exactly the decoded pixels.
  @Test(arguments: [(20, 7), (10, 25)])
  func clipsWithOverlapsOrGapsHoldTheDecodedPixels(length: Int, stride: Int) async throws {
    let fixture = try await PipelineFixture(patients: 1)
    defer { fixture.cleanUp() }
    var recipe = DatasetRecipe(name: "odd_clips", tileSize: 30, rows: "1")
    recipe.framesPerCube = length
    recipe.clipStride = stride
    let dataset = try fixture.dataset(try await fixture.build(recipe))
    let cubes = try await fixture.catalog.database.read { db in
      try Cube.filter(Cube.Columns.datasetId == dataset.id).order(Column("rowid")).fetchAll(db)
    }
    let conversion = try await fixture.catalog.database.read { db in
      try Conversion.fetchOne(db, key: cubes[0].conversionId)!
    }
    #expect(
      Set(cubes.map(\.firstFrame))
        == Set(Swift.stride(from: 0, through: conversion.frameCount - length, by: stride)))
    let frames: [GrayImage] = try fixture.catalog.blobs.withNamedPath(
      conversion.blobSha256, of: "a test", fileName: conversion.fileName
    ) { url in
      let decoder = try VideoDecoder(url: url)
      var frames: [GrayImage] = []
      while let frame = try decoder.nextFrame() { frames.append(frame.image) }
      return frames
    }
    let shard = try fixture.catalog.blobs.read(cubes[0].shardSha256, of: "a test")
    let base = NPY.readHeader(shard)!.dataOffset
    for cube in [cubes[1], cubes[cubes.count / 2], cubes[cubes.count - 1]] {
      for f in [0, length / 2, length - 1] {
        let offset = base + cube.shardIndex * length * 900 + f * 900
        let image = frames[cube.firstFrame + f]
        for (x, y) in [(0, 0), (29, 0), (13, 17), (29, 29)] {
          #expect(
            shard[offset + y * 30 + x] == image[cube.x + x, cube.y + y], "cube \(cube.shardIndex) frame \(f)")
        }
      }
    }
  }

  @Test func rebuildingReusesEditsMakeANewVersionAndDiffSaysWhat() async throws {
    let fixture = try await PipelineFixture(patients: 2)
    defer { fixture.cleanUp() }
    let recipe = try DatasetRecipe.load("2_30x30")
    let first = try await fixture.build(recipe)
    let again = try await fixture.build(recipe)
    #expect(again.reused && again.outputs == first.outputs)
    let video = try fixture.videos()[0]
    let current = try await fixture.catalog.database.read { db in
      try RoiAnnotation.current(forVideo: video.id, in: db)!
    }
    var edited = current.rect
    edited.x += 30
    edited.width -= 30
    _ = try await fixture.runner.run(
      RoiPlugin.self, parameters: .init(entries: [RoiEntry(video: video.id, rect: edited, author: "tester")]))
    let second = try await fixture.build(recipe)
    #expect(!second.reused)
    #expect(try fixture.dataset(second).reference == "2_30x30@2")
    let diff = try DatasetViews.diff("2_30x30@1", "2_30x30@2", in: fixture.catalog)
    #expect(diff.map(\.video) == [video.id], "only the edited video changes")
    #expect(diff[0].added > 0 && diff[0].removed > 0)
    // The first version is immutable: its cubes are still there.
    let stillThere = try await fixture.catalog.database.read { db in
      try Cube.filter(Cube.Columns.datasetId == first.outputs[0].id).fetchCount(db)
    }
    #expect(stillThere == (try DatasetViews.summary(try fixture.dataset(first))).cubes)
  }

  /// An ROI edited between planning and running: the run says the inputs changed, names the
  /// conversion and both ROI versions, and leaves no dataset; planning again cuts the new ROI.
  @Test func aRunWhoseROIWasEditedSincePlanningSaysToPlanAgain() async throws {
    let fixture = try await PipelineFixture(patients: 2)
    defer { fixture.cleanUp() }
    let recipe = try DatasetRecipe.load("2_30x30")
    let plan = try await fixture.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    let item = try #require(plan.items.first)
    var edited = item.roi.rect
    edited.x += 30
    edited.width -= 30
    let edit = try await fixture.runner.run(
      RoiPlugin.self,
      parameters: .init(entries: [RoiEntry(video: item.video.id, rect: edited, author: "tester")]))
    let newROI = try #require(edit.outputs.first { $0.kind == .roi }).id

    let error = try await #require(throws: RunError.self) {
      try await fixture.runner.run(TilePlugin.self, parameters: .init(recipe: recipe), inputs: plan.inputs)
    }
    let message = String(describing: error)
    #expect(message.contains("the inputs changed since the dataset was planned; plan again"), "\(message)")
    #expect(
      message.contains(
        "conversion \(item.conversion.id) was planned with ROI version 1 (\(item.roi.id)); "
          + "version 2 (\(newROI)) is current"), "\(message)")
    #expect(!message.contains("no video can be tiled"))
    let datasets = try await fixture.catalog.database.read { db in try Dataset.fetchCount(db) }
    #expect(datasets == 0)

    let again = try await fixture.build(recipe)
    let cubes = try await fixture.catalog.database.read { db in
      try Cube.filter(Cube.Columns.datasetId == again.outputs[0].id).fetchAll(db)
    }
    #expect(Set(cubes.filter { $0.conversionId == item.conversion.id }.map(\.roiId)) == [newROI])
  }

  @Test func videosWithoutAnROIOrTooSmallAreSkippedWithTheReason() async throws {
    let fixture = try await PipelineFixture(patients: 2)
    defer { fixture.cleanUp() }
    let videos = try fixture.videos()
    _ = try await fixture.runner.run(
      RoiPlugin.self,
      parameters: .init(entries: [
        RoiEntry(video: videos[1].id, rect: PixelRect(x: 0, y: 0, width: 40, height: 40), author: "t")
      ]))
    let recipe = try DatasetRecipe.load("all_90x90")
    let outcome = try await fixture.build(recipe)
    let summary = try DatasetViews.summary(try fixture.dataset(outcome))
    #expect(summary.videos.map(\.video) == [videos[0].id])
    #expect(summary.skipped.count == 1)
    #expect(summary.skipped[0].video == videos[1].id)
    #expect(summary.skipped[0].reason.contains("smaller than one 90 px tile"))
  }

  /// A box that strays over a convex probe's black surround (here: the whole frame) no longer fills the
  /// dataset with black cubes: tiles mostly outside the image region are not cut, those partly outside
  /// are counted, per video, in the run's notes and the summary.
  @Test func cubesMostlyOutsideTheImageRegionAreNotCut() async throws {
    let fixture = try await PipelineFixture(patients: 2, style: .realistic, probe: .convex)
    defer { fixture.cleanUp() }
    let videos = try fixture.videos()
    _ = try await fixture.runner.run(
      RoiPlugin.self,
      parameters: .init(
        entries: videos.map {
          RoiEntry(video: $0.id, rect: PixelRect(x: 0, y: 0, width: $0.width, height: $0.height), author: "t")
        }))
    let outcome = try await fixture.build(try DatasetRecipe.load("all_30x30"))
    let summary = try DatasetViews.summary(try fixture.dataset(outcome))
    #expect(summary.videos.count == 2)
    for video in summary.videos {
      #expect((video.cubesSkippedOutside ?? 0) > 0, "\(video.video): no cube skipped")
      #expect((video.cubesPartlyOutside ?? 0) > 0, "\(video.video): no cube at the sector's edge")
      #expect(video.cubes == video.tilesPerClip * video.clips)
      #expect(outcome.summary.contains("\(video.video) \(video.fileName): \(video.cubes) cubes"))
    }
    #expect(outcome.summary.contains("skipped as mostly outside it"))
    // No cube that was cut is mostly black.
    for shard in summary.shards {
      let data = try fixture.catalog.blobs.read(shard.shard, of: "a test")
      let header = try #require(NPY.readHeader(data))
      let black = data[header.dataOffset...].min()!
      for cube in 0..<shard.cubes {
        let first = header.dataOffset + cube * 60 * 900
        let dark = data[first..<(first + 900)].filter { $0 <= black &+ 3 }.count
        #expect(dark < 450, "cube \(cube) of \(shard.video) is mostly black")
      }
    }
  }

  @Test func theSixStudyRecipesBuild() async throws {
    let fixture = try await PipelineFixture(patients: 2)
    defer { fixture.cleanUp() }
    for name in ["2_30x30", "all_30x30", "2_60x60", "all_60x60", "2_90x90", "all_90x90"] {
      let recipe = try DatasetRecipe.load(name)
      let summary = try DatasetViews.summary(try fixture.dataset(try await fixture.build(recipe)))
      #expect(summary.cubes > 0, "\(name) built no cubes")
      if recipe.rowLimit == 2 {
        #expect(summary.videos.allSatisfy { $0.tilesPerClip % 2 == 0 || $0.tilesPerClip < 2 })
      }
    }
  }

  @Test func splitIsPatientWiseStratifiedAndSeeded() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.0...2.2)
    defer { fixture.cleanUp() }
    let dataset = try await fixture.build(try DatasetRecipe.load("demo"))
    let input = [EntityRef(.dataset, dataset.outputs[0].id)]
    let split = try await fixture.runner.run(SplitPlugin.self, parameters: .init(), inputs: input)
    let assignments = try await fixture.catalog.database.read { db in
      try SplitAssignment.filter(SplitAssignment.Columns.splitId == split.outputs[0].id).fetchAll(db)
    }
    #expect(Set(assignments.map(\.patientId)).count == assignments.count, "a patient in two parts")
    #expect(assignments.count == 6)
    let counts = try await fixture.catalog.database.read { db in
      try DatasetViews.splitCounts(split.outputs[0].id, in: db)
    }
    for part in ["train", "test"] {
      #expect(
        Set(counts.filter { $0.part == part }.map(\.label)) == ["present", "absent"], "\(part) lacks a label")
    }
  }

  /// Two patients with a video of each label: each is one unit whose cubes all land in one part,
  /// counted in both strata, and the stored split is the pure plan's for the catalog's patients.
  @Test func patientsWithBothLabelsAreKeptWholeAndCountedInBothStrata() async throws {
    let fixture = try await PipelineFixture(patients: 6, mixedPatients: 2, seconds: 2.0...2.2)
    defer { fixture.cleanUp() }
    let datasetID = try await fixture.build(try DatasetRecipe.load("demo")).outputs[0].id
    let split = try await fixture.runner.run(
      SplitPlugin.self, parameters: .init(), inputs: [EntityRef(.dataset, datasetID)])
    let splitID = split.outputs[0].id
    #expect(split.summary.contains("2 with both labels"), "\(split.summary)")
    let (labelRows, partsPerPatient, stored, counts, listed) = try await fixture.catalog.database.read { db in
      (
        try Row.fetchAll(
          db,
          sql: """
            SELECT DISTINCT c.patient_id, p.code, c.label FROM cube c JOIN patient p ON p.id = c.patient_id
            WHERE c.dataset_id = ?
            """, arguments: [datasetID]
        ).map { (id: $0["patient_id"] as String, code: $0["code"] as String, label: $0["label"] as String) },
        // The parts each patient's cubes fall in: exactly one, ever.
        try Int.fetchAll(
          db,
          sql: """
            SELECT count(DISTINCT a.part) FROM cube c
            LEFT JOIN split_assignment a ON a.patient_id = c.patient_id AND a.split_id = ?
            WHERE c.dataset_id = ? GROUP BY c.patient_id
            """, arguments: [splitID, datasetID]),
        try SplitAssignment.filter(SplitAssignment.Columns.splitId == splitID).fetchAll(db),
        try DatasetViews.splitCounts(splitID, in: db),
        try DatasetViews.splitPatients(splitID, in: db)
      )
    }
    var patients: [String: SplitAssignmentPlan.Patient] = [:]
    for row in labelRows {
      patients[row.id, default: .init(id: row.id, order: row.code, labels: [])].labels.insert(row.label)
    }
    #expect(patients.values.filter { $0.labels.count == 2 }.count == 2)
    #expect(partsPerPatient.count == 6 && partsPerPatient.allSatisfy { $0 == 1 }, "\(partsPerPatient)")

    let plan = SplitAssignmentPlan(patients: Array(patients.values), test: 0.3, validation: 0.15, seed: 42)
    #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0.patientId, $0.part) }) == plan.parts)
    // `split show`'s table: per part and label, the patients carrying the label, both-label
    // patients under both; per label they add up to the stratum and meet its targets.
    for label in ["present", "absent"] {
      let carrying = patients.values.filter { $0.labels.contains(label) }.count
      #expect(plan.targets[label]!.total == carrying)
      for part in SplitAssignment.Part.allCases {
        let row = counts.first { $0.part == part.rawValue && $0.label == label }
        #expect((row?.patients ?? 0) == plan.targets[label]![part], "\(label) in \(part): \(counts)")
      }
    }
    #expect(counts.map(\.patients).reduce(0, +) == 6 + 2)
    // Its patient list: each patient once, both-label ones marked as such.
    #expect(listed.count == 6)
    #expect(listed.filter { $0.labels == "absent+present" }.count == 2)
    #expect(listed.allSatisfy { ["absent", "present", "absent+present"].contains($0.labels) })
  }

  @Test func numpyLoadsTheExport() async throws {
    let fixture = try await PipelineFixture(patients: 2)
    defer { fixture.cleanUp() }
    let outcome = try await fixture.build(try DatasetRecipe.load("demo"))
    let folder = fixture.folder.appendingPathComponent("export")
    let count = try DatasetExport.writeNPY("demo@1", to: folder, catalog: fixture.catalog)
    #expect(count == (try DatasetViews.summary(try fixture.dataset(outcome))).cubes)
    let header = try #require(
      NPY.readHeader(try Data(contentsOf: folder.appendingPathComponent("cubes.npy"))))
    #expect(header.shape == [count, 60, 30, 30])
    guard Python.has("numpy") else {
      print("skipped the numpy check: python3 with numpy is not available")
      return
    }
    let result = Python.run([
      "-c",
      "import numpy as n; c=n.load('\(folder.path)/cubes.npy'); l=n.load('\(folder.path)/labels.npy'); "
        + "print(c.shape, c.dtype, l.shape, int(l.sum()))",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("(\(count), 60, 30, 30) uint8 (\(count),)"))
  }

}
