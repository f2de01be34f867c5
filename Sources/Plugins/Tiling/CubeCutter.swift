import Foundation
import Media
import Platform
import Primitives

/// Decodes one conversion once and cuts its cubes into an `.npy` shard: `[n, frames, size,
/// size]` uint8, clip by clip, each clip's tiles row by row. Frames stream through a window of
/// one clip's length (only the tiles' bounding box of each frame is kept), so memory does not
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
    guard let box = Box(tiles: item.tiles, size: size), let firstClip = item.clipStarts.first,
      let lastClip = item.clipStarts.last
    else { throw TilingError.nothingToCut(conversion: item.conversion.id) }
    let lastNeeded = lastClip + length
    // window[i] holds the crop of frame windowStart + i.
    var window: [[UInt8]] = []
    var windowStart = firstClip
    var nextClip = 0
    var seen = 0

    let writer = try NPY.StreamWriter(url: shard, dtype: .uint8, rowShape: [length, size, size])
    var cube = [UInt8](repeating: 0, count: length * size * size)
    var cubes: [(Int, Int, TileGrid.Tile)] = []
    // Decided on the first clip's frames, then kept for every clip: the same tiles for the whole video.
    var tiles: [TileGrid.Tile]?
    var partly = 0
    var mostly = 0

    func emitReadyClips() throws {
      while nextClip < item.clipStarts.count, item.clipStarts[nextClip] + length <= windowStart + window.count
      {
        let start = item.clipStarts[nextClip]
        let chosen: [TileGrid.Tile]
        if let tiles {
          chosen = tiles
        } else {
          let frames = (0..<length).map {
            GrayImage(width: box.width, height: box.height, pixels: window[start - windowStart + $0])
          }
          (chosen, partly, mostly) = Self.tilesInside(
            item.tiles, box: box, size: size, region: EchoRegion.mask(of: frames))
          tiles = chosen
        }
        for tile in chosen {
          cube.withUnsafeMutableBufferPointer { cube in
            for f in 0..<length {
              window[start - windowStart + f].withUnsafeBufferPointer { crop in
                for y in 0..<size {
                  let from = (tile.y - box.y + y) * box.width + (tile.x - box.x)
                  cube.address.advanced(by: (f * size + y) * size)
                    .update(from: crop.address.advanced(by: from), count: size)
                }
              }
            }
          }
          try cube.withUnsafeBytes { try writer.append($0) }
          cubes.append((nextClip, start, tile))
        }
        nextClip += 1
        // Frames before the next clip's start are no longer needed.
        let keepFrom =
          nextClip < item.clipStarts.count ? item.clipStarts[nextClip] : windowStart + window.count
        let drop = min(window.count, max(0, keepFrom - windowStart))
        window.removeFirst(drop)
        windowStart += drop
        if window.isEmpty { windowStart = max(windowStart, keepFrom) }  // a gap between clips
      }
    }

    let decoder = try VideoDecoders.open(source)
    while let frame = try decoder.nextFrame() {
      if cancelled() { throw CancellationError() }
      seen = frame.index + 1
      guard frame.index >= windowStart else { continue }
      guard frame.index < lastNeeded else { break }
      let image = frame.image
      guard box.x + box.width <= image.width, box.y + box.height <= image.height else {
        throw TilingError.roiOutsideFrame(
          conversion: item.conversion.id, width: image.width, height: image.height)
      }
      window.append(box.crop(image))
      try emitReadyClips()
    }
    guard nextClip == item.clipStarts.count else {
      throw TilingError.tooFewFrames(conversion: item.conversion.id, expected: lastNeeded, found: seen)
    }
    try writer.finish()
    return Cut(
      shard: shard, framesPerCube: length, size: size,
      cubes: cubes.map { (clip: $0.0, firstFrame: $0.1, tile: $0.2) }, tilesPartlyOutside: partly,
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
