import Foundation
import Media
import Platform

/// Tiling against decoding alone, side by side in one process: for every conversion a recipe
/// takes, the decode-only pass and the tiling pass alternate, `repetitions` times each.
public enum TileBenchmark {
  public struct Result: Codable, Sendable {
    public var videos: Int
    public var frames: Int
    public var cubes: Int
    public var decodeSeconds: [Double]
    public var tileSeconds: [Double]

    public var medianDecode: Double { decodeSeconds.sorted()[decodeSeconds.count / 2] }
    public var medianTile: Double { tileSeconds.sorted()[tileSeconds.count / 2] }
    public var ratio: Double { medianTile / medianDecode }
  }

  public static func run(recipe: DatasetRecipe, catalog: Catalog, repetitions: Int) throws -> Result {
    let plan = try catalog.database.read { db in try TilePlan.make(recipe: recipe, in: db) }
    guard !plan.items.isEmpty else {
      throw TilingError.nothingToTile(recipe: recipe.name, skipped: plan.skipped.count)
    }
    let scratch = try catalog.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    var result = Result(videos: plan.items.count, frames: 0, cubes: 0, decodeSeconds: [], tileSeconds: [])
    for _ in 0..<repetitions {
      var decode = 0.0
      var tile = 0.0
      var frames = 0
      var cubes = 0
      for item in plan.items {
        try catalog.blobs.withNamedPath(
          item.conversion.blobSha256, of: "conversion \(item.conversion.id)",
          fileName: item.conversion.fileName
        ) {
          url in
          var start = DispatchTime.now().uptimeNanoseconds
          let decoder = try VideoDecoders.open(url)
          while try decoder.nextFrame() != nil { frames += 1 }
          decode += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
          start = DispatchTime.now().uptimeNanoseconds
          let shard = scratch.appendingPathComponent("shard.npy")
          cubes += try DatasetCutter.cut(item: item, recipe: recipe, source: url, into: shard) { false }.cubes
            .count
          tile += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
          try FileManager.default.removeItem(at: shard)
        }
      }
      result.decodeSeconds.append(decode)
      result.tileSeconds.append(tile)
      (result.frames, result.cubes) = (frames, cubes)
    }
    return result
  }
}
