import Foundation
import Media
import Platform
import Primitives

/// Decodes one conversion once and cuts its cubes into an `.npy` shard: `[n, frames, size,
/// size]` uint8, clip by clip, each clip's tiles row by row. Frames stream through a `ClipWindow`
/// of one clip's length (only the tiles' bounding box of each frame is kept), so memory does not
/// grow with the video.
enum CubeCutter {
  struct Cut {
    var shard: URL
    var framesPerCube: Int
    var size: Int
    var cubes: [(clip: Int, firstFrame: Int, tile: TileGrid.Tile)]
    /// Tiles partly outside the valid image region (kept) and tiles mostly outside it (not cut), per
    /// clip, as judged on the first clip's frames; 0 where nothing was judged (M-mode images).
    var tilesPartlyOutside = 0
    var tilesMostlyOutside = 0
    var clips = 0

    var cubesPartlyOutside: Int { tilesPartlyOutside * clips }
    var cubesSkippedOutside: Int { tilesMostlyOutside * clips }
  }

  /// A tile with more than this share of its pixels outside the valid image region is not cut.
  static let mostlyOutside = 0.5
  /// Below this share a tile counts as inside (a stray pixel at the region's edge is not "outside").
  static let partlyOutside = 0.01

  static func cut(
    item: TilePlan.Item, recipe: DatasetRecipe, source: URL, into shard: URL, cancelled: () -> Bool
  ) throws -> Cut {
    let size = recipe.tileSize
    let length = recipe.framesPerCube
    guard let box = Box(tiles: item.tiles, size: size), !item.clipStarts.isEmpty else {
      throw TilingError.nothingToCut(conversion: item.conversion.id)
    }
    let writer = try NPY.StreamWriter(url: shard, dtype: .uint8, rowShape: [length, size, size])
    var cube = [UInt8](repeating: 0, count: length * size * size)
    var cubes: [(clip: Int, firstFrame: Int, tile: TileGrid.Tile)] = []
    // Decided on the first clip's frames, then kept for every clip: the same tiles for the whole video.
    var tiles: [TileGrid.Tile]?
    var partly = 0
    var mostly = 0
    try ClipWindow.stream(
      source, starts: item.clipStarts, length: length, conversion: item.conversion.id,
      cancelled: cancelled
    ) { image in
      // Only the tiles' bounding box of each frame is kept.
      guard box.x + box.width <= image.width, box.y + box.height <= image.height else {
        throw TilingError.roiOutsideFrame(
          conversion: item.conversion.id, width: image.width, height: image.height)
      }
      return box.crop(image)
    } emit: { clip, start, frames in
      let chosen: [TileGrid.Tile]
      if let tiles {
        chosen = tiles
      } else {
        let images = frames.map { GrayImage(width: box.width, height: box.height, pixels: $0) }
        (chosen, partly, mostly) = Self.tilesInside(
          item.tiles, box: box, size: size, region: EchoRegion.mask(of: images))
        tiles = chosen
      }
      for tile in chosen {
        cube.withUnsafeMutableBufferPointer { cube in
          for (f, crop) in frames.enumerated() {
            crop.withUnsafeBufferPointer { crop in
              for y in 0..<size {
                let from = (tile.y - box.y + y) * box.width + (tile.x - box.x)
                cube.address.advanced(by: (f * size + y) * size)
                  .update(from: crop.address.advanced(by: from), count: size)
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
      shard: shard, framesPerCube: length, size: size, cubes: cubes, tilesPartlyOutside: partly,
      tilesMostlyOutside: mostly, clips: item.clipStarts.count)
  }

  /// The tiles worth cutting, and how many lie partly or mostly outside `region` (in the box's pixels):
  /// a box that strays into a sector's black surround or the scanner's text must not fill a dataset
  /// with cubes of nothing.
  static func tilesInside(_ tiles: [TileGrid.Tile], box: Box, size: Int, region: ImageMask?)
    -> (kept: [TileGrid.Tile], partly: Int, mostly: Int)
  {
    guard let region else { return (tiles, 0, 0) }
    var kept: [TileGrid.Tile] = []
    var partly = 0
    var mostly = 0
    for tile in tiles {
      let outside = region.outsideFraction(
        of: PixelRect(x: tile.x - box.x, y: tile.y - box.y, width: size, height: size))
      if outside > mostlyOutside {
        mostly += 1
        continue
      }
      if outside > partlyOutside { partly += 1 }
      kept.append(tile)
    }
    return (kept, partly, mostly)
  }

  /// The bounding box of all tiles: the only part of each frame worth keeping.
  struct Box {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    /// Nil for no tiles.
    init?(tiles: [TileGrid.Tile], size: Int) {
      guard let left = tiles.map(\.x).min(), let top = tiles.map(\.y).min(),
        let right = tiles.map({ $0.x + size }).max(), let bottom = tiles.map({ $0.y + size }).max()
      else { return nil }
      (x, y, width, height) = (left, top, right - left, bottom - top)
    }

    func crop(_ image: GrayImage) -> [UInt8] {
      var crop = [UInt8](repeating: 0, count: width * height)
      image.pixels.withUnsafeBufferPointer { pixels in
        crop.withUnsafeMutableBufferPointer { crop in
          for row in 0..<height {
            crop.address.advanced(by: row * width)
              .update(from: pixels.address.advanced(by: (y + row) * image.width + x), count: width)
          }
        }
      }
      return crop
    }
  }
}
