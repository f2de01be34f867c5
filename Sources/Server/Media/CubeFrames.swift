import Foundation
import GRDB
import Media
import Platform

/// A cube's frames as one picture for the dataset page to loop: every `every`-th frame of the
/// cube, stacked top to bottom, `size` pixels square each.
enum CubeFrames {
  static let every = 4

  static func png(cube id: String, catalog: Catalog) throws -> Data {
    guard let cube = try catalog.database.read({ db in try Cube.fetchOne(db, key: id) }) else {
      throw WorkbenchError.notFound("cube \(id)")
    }
    guard catalog.blobs.contains(cube.shardSha256) else {
      throw WorkbenchError.notFound("the shard of cube \(id)")
    }
    let handle = try catalog.blobs.openVerified(cube.shardSha256, of: "the shard of cube \(id)")
    defer { try? handle.close() }
    guard let header = NPY.readHeader(try handle.read(upToCount: 4096) ?? Data()) else {
      throw WorkbenchError(.internalServerError, "the shard of cube \(id) is not an .npy file")
    }
    let bytesPerCube = cube.frames * cube.size * cube.size
    try handle.seek(toOffset: UInt64(header.dataOffset + cube.shardIndex * bytesPerCube))
    let values = try handle.read(upToCount: bytesPerCube) ?? Data()
    guard values.count == bytesPerCube else {
      throw WorkbenchError(.internalServerError, "the shard of cube \(id) ends early")
    }
    let shown = Array(stride(from: 0, to: cube.frames, by: every))
    let frameBytes = cube.size * cube.size
    var pixels = [UInt8]()
    pixels.reserveCapacity(shown.count * frameBytes)
    for frame in shown { pixels += values[(frame * frameBytes)..<((frame + 1) * frameBytes)] }
    return try PNGWriter.encode(GrayImage(width: cube.size, height: cube.size * shown.count, pixels: pixels))
  }

  /// Up to `perLabel` cubes of each label, spread over the dataset's videos (first clip, first tile).
  static func samples(dataset: String, perLabel: Int = 6, in db: Database) throws -> [Cube] {
    let cubes = try Cube.filter(Cube.Columns.datasetId == dataset).order(Column("rowid")).fetchAll(db)
    var picked: [Cube] = []
    for label in SlidingLabel.allCases {
      var seen: Set<String> = []
      for cube in cubes where cube.label == label && seen.insert(cube.conversionId).inserted {
        picked.append(cube)
        if seen.count == perLabel { break }
      }
    }
    return picked
  }
}
