import Foundation
import Media
import Platform

/// Decodes one conversion and cuts its cubes into an `.npy` shard: `[n, frames, size, size]`
/// uint8, clip by clip, each clip's tiles row by row. Memory holds only the tiles' bounding box
/// of the frames in use.
enum CubeCutter {
  struct Cut {
    var shard: URL
    var framesPerCube: Int
    var size: Int
    var cubes: [(clip: Int, firstFrame: Int, tile: TileGrid.Tile)]
  }

  static func cut(
    item: TilePlan.Item, recipe: DatasetRecipe, source: URL, into shard: URL, cancelled: () -> Bool
  ) throws -> Cut {
    let size = recipe.tileSize
    let length = recipe.framesPerCube
    let boxX = item.tiles.map(\.x).min()!
    let boxY = item.tiles.map(\.y).min()!
    let boxWidth = item.tiles.map { $0.x + size }.max()! - boxX
    let boxHeight = item.tiles.map { $0.y + size }.max()! - boxY
    let firstNeeded = item.clipStarts.first!
    let lastNeeded = item.clipStarts.last! + length
    var crops = [UInt8](repeating: 0, count: (lastNeeded - firstNeeded) * boxWidth * boxHeight)
    var seen = 0

    let decoder = try VideoDecoder(url: source)
    while let frame = try decoder.nextFrame() {
      if cancelled() { throw CancellationError() }
      guard frame.index >= firstNeeded else { continue }
      guard frame.index < lastNeeded else { break }
      let image = frame.image
      guard boxX + boxWidth <= image.width, boxY + boxHeight <= image.height else {
        throw TilingError.roiOutsideFrame(
          conversion: item.conversion.id, width: image.width, height: image.height)
      }
      let base = (frame.index - firstNeeded) * boxWidth * boxHeight
      image.pixels.withUnsafeBufferPointer { pixels in
        crops.withUnsafeMutableBufferPointer { crops in
          for row in 0..<boxHeight {
            let from = (boxY + row) * image.width + boxX
            let to = base + row * boxWidth
            crops.baseAddress!.advanced(by: to).update(
              from: pixels.baseAddress!.advanced(by: from), count: boxWidth)
          }
        }
      }
      seen = frame.index + 1
    }
    guard seen >= lastNeeded else {
      throw TilingError.tooFewFrames(conversion: item.conversion.id, expected: lastNeeded, found: seen)
    }

    let writer = try NPY.StreamWriter(url: shard, dtype: .uint8, rowShape: [length, size, size])
    var cube = [UInt8](repeating: 0, count: length * size * size)
    var cubes: [(Int, Int, TileGrid.Tile)] = []
    for (clip, start) in item.clipStarts.enumerated() {
      for tile in item.tiles {
        crops.withUnsafeBufferPointer { crops in
          cube.withUnsafeMutableBufferPointer { cube in
            for f in 0..<length {
              let frameBase = (start - firstNeeded + f) * boxWidth * boxHeight
              for y in 0..<size {
                let from = frameBase + (tile.y - boxY + y) * boxWidth + (tile.x - boxX)
                cube.baseAddress!.advanced(by: (f * size + y) * size)
                  .update(from: crops.baseAddress!.advanced(by: from), count: size)
              }
            }
          }
        }
        try cube.withUnsafeBytes { try writer.append($0) }
        cubes.append((clip, start, tile))
      }
    }
    try writer.finish()
    return Cut(
      shard: shard, framesPerCube: length, size: size,
      cubes: cubes.map { (clip: $0.0, firstFrame: $0.1, tile: $0.2) })
  }
}

public enum TilingError: Error, CustomStringConvertible {
  case roiOutsideFrame(conversion: String, width: Int, height: Int)
  case tooFewFrames(conversion: String, expected: Int, found: Int)
  case nothingToTile(recipe: String, skipped: Int)

  public var description: String {
    switch self {
    case .roiOutsideFrame(let conversion, let width, let height):
      "conversion \(conversion): the tiles fall outside its \(width)x\(height) frames"
    case .tooFewFrames(let conversion, let expected, let found):
      "conversion \(conversion): decoding gave \(found) frames, the clips need \(expected)"
    case .nothingToTile(let recipe, let skipped):
      "recipe \(recipe): no video can be tiled (\(skipped) skipped; see the reasons with --json or `pleura videos`)"
    }
  }
}
