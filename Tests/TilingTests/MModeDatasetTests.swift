import Foundation
import GRDB
import Media
import Platform
import TestSupport
import Testing

@testable import Tiling

/// M-mode datasets built from a small synthetic collection: counts, shapes, the pixels of an
/// image against an M-mode made independently, the brightest columns, versions and splits.
@Suite(.serialized, .tags(.slow)) struct MModeDatasetTests {
  static func recipe(_ sampling: MModeSettings.Sampling) -> DatasetRecipe {
    var settings = MModeSettings()
    settings.window = 32
    settings.stride = 16
    settings.sampling = sampling
    settings.columnStep = 24
    settings.topK = 2
    settings.bandHeight = 24
    settings.size = 32
    return DatasetRecipe(name: "mmode_\(sampling.rawValue)", mmode: settings)
  }

  @Test func everyKthColumnMakesTheExpectedImagesWithTheDecodedPixels() async throws {
    let fixture = try await PipelineFixture(patients: 4, seconds: 2.2...2.6)
    defer { fixture.cleanUp() }
    let recipe = Self.recipe(.every)
    let plan = try await fixture.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    #expect(plan.items.count == 4 && plan.skipped.isEmpty)
    let dataset = try fixture.dataset(try await fixture.build(recipe))
    #expect(dataset.reference == "mmode_every@1")
    let summary = try DatasetViews.summary(dataset)
    for item in plan.items {
      let columns = (item.rect.width + 23) / 24
      let windows = Array(stride(from: 0, through: item.conversion.frameCount - 32, by: 16)).count
      let video = try #require(summary.videos.first { $0.video == item.video.id })
      #expect(video.tilesPerClip == columns && video.clips == windows && video.cubes == columns * windows)
    }
    let cubes = try await fixture.catalog.database.read { db in
      try Cube.filter(Cube.Columns.datasetId == dataset.id).order(Column("rowid")).fetchAll(db)
    }
    #expect(cubes.count == summary.cubes && Set(cubes.map(\.label)) == [.present, .absent])
    #expect(cubes.allSatisfy { $0.frames == 1 && $0.size == 32 })
    // Columns taken every k-th are not ranked: the sidecar has the cubes' columns only.
    let sidecar = try fixture.catalog.blobs.read(summary.shards[0].sidecar, of: "a test")
    #expect(
      String(decoding: sidecar, as: UTF8.self).hasPrefix(
        "index,clip,first_frame,frames,tile_row,tile_col,x,y,size,label,patient,conversion,roi_version\n"))
    for shard in summary.shards {
      let data = try fixture.catalog.blobs.read(shard.shard, of: "a test")
      let header = try #require(NPY.readHeader(data))
      #expect(header.descr == "|u1" && header.shape == [shard.cubes, 1, 32, 32])
      #expect(data.count == header.dataOffset + shard.cubes * 32 * 32)
    }
    // One image against the M-mode Media makes of the same column, cut to the window and resized.
    let cube = cubes[cubes.count / 2 + 1]
    let item = try #require(plan.items.first { $0.conversion.id == cube.conversionId })
    #expect(cube.x == item.rect.x + cube.tileCol && cube.y == item.rect.y && cube.tileCol % 24 == 0)
    let whole = try fixture.catalog.blobs.withNamedPath(
      item.conversion.blobSha256, of: "a test", fileName: item.conversion.fileName
    ) { url in try MModeImage.make(from: url, column: cube.x, rows: cube.y..<(cube.y + item.rect.height)) }
    var window: [UInt8] = []
    for y in 0..<whole.height {
      window += whole.pixels[(y * whole.width + cube.firstFrame)..<(y * whole.width + cube.firstFrame + 32)]
    }
    let expected = AreaResampler.resize(window, width: 32, height: whole.height, to: 32)
    let shard = try fixture.catalog.blobs.read(cube.shardSha256, of: "a test")
    let offset = NPY.readHeader(shard)!.dataOffset + cube.shardIndex * 32 * 32
    #expect(Array(shard[(shard.startIndex + offset)..<(shard.startIndex + offset + 1024)]) == expected)

    // The same build again holds the same images; the cube recipe of the same catalog is untouched.
    let again = try await fixture.build(recipe, force: true)
    #expect(again.outputs.isEmpty && again.remade.contains(EntityRef(.dataset, dataset.id)))
    let tiled = try fixture.dataset(try await fixture.build(try DatasetRecipe.load("demo")))
    #expect(DatasetViews.kind(of: tiled).kind == "cubes" && DatasetViews.kind(of: dataset).kind == "mmode")

    // Split by patient with the split machinery: each patient in one part, every part used.
    let split = try await fixture.split(
      dataset,
      {
        var p = SplitPlugin.Parameters(); p.test = 0.25; p.validation = 0.25; return p
      }())
    let patients = try await fixture.catalog.database.read { db in
      try DatasetViews.splitPatients(split, in: db)
    }
    #expect(patients.count == 4 && Set(patients.map(\.code)).count == 4)
    // (Two patients per label: validation gets one only from three on, as for cubes.)
    #expect(Set(patients.map(\.part)).isSuperset(of: ["train", "test"]))
    let counts = try await fixture.catalog.database.read { db in try DatasetViews.splitCounts(split, in: db) }
    #expect(counts.map(\.cubes).reduce(0, +) == cubes.count)
  }

  @Test func theBrightestColumnsOfThePleuralBandAreKeptPerWindow() async throws {
    let fixture = try await PipelineFixture(patients: 2, seconds: 2.2...2.4)
    defer { fixture.cleanUp() }
    let recipe = Self.recipe(.brightest)
    let plan = try await fixture.catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    let dataset = try fixture.dataset(try await fixture.build(recipe))
    let summary = try DatasetViews.summary(dataset)
    #expect(summary.videos.allSatisfy { $0.tilesPerClip == 2 && $0.cubes == 2 * $0.clips })
    let cubes = try await fixture.catalog.database.read { db in
      try Cube.filter(Cube.Columns.datasetId == dataset.id).order(Column("rowid")).fetchAll(db)
    }
    // The first window of the first video: its rank-0 column has the highest band sum of all.
    let first = cubes.filter { $0.conversionId == cubes[0].conversionId && $0.clipIndex == 0 }
    #expect(first.map(\.tileRow) == [0, 1])
    let item = try #require(plan.items.first { $0.conversion.id == cubes[0].conversionId })
    let sums = try fixture.catalog.blobs.withNamedPath(
      item.conversion.blobSha256, of: "a test", fileName: item.conversion.fileName
    ) { url -> [Int] in
      var sums = [Int](repeating: 0, count: item.rect.width)
      let decoder = try VideoDecoders.open(url)
      while let frame = try decoder.nextFrame(), frame.index < 32 {
        for y in item.rect.y..<(item.rect.y + 24) {
          for x in 0..<item.rect.width { sums[x] += Int(frame.image[item.rect.x + x, y]) }
        }
      }
      return sums
    }
    // The sidecar says which rows make one window and their rank, as its last two columns.
    let shard = try #require(summary.shards.first { $0.conversion == cubes[0].conversionId })
    let rows = String(decoding: try fixture.catalog.blobs.read(shard.sidecar, of: "a test"), as: UTF8.self)
      .split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
    #expect(rows[0].suffix(2) == ["window", "rank"] && rows[0].count == 15)
    let inShard = cubes.filter { $0.shardSha256 == shard.shard }.sorted { $0.shardIndex < $1.shardIndex }
    #expect(rows.dropFirst().map { $0.suffix(2) } == inShard.map { ["\($0.clipIndex)", "\($0.tileRow)"] })
    #expect(sums[first[0].tileCol] == sums.max())
    #expect(
      sums[first[1].tileCol] >= sums.enumerated().filter { $0.offset != first[0].tileCol }.map(\.element)
        .max()!)
  }
}
