import Foundation
import Media
import Platform

/// Decodes one conversion once and writes its M-mode images into an `.npy` shard shaped like a
/// shard of one-frame cubes, `[n, 1, size, size]` uint8, window by window, each window's images
/// in rank order. Frames stream through a `ClipWindow` (one window's ROIs at a time), so memory
/// does not grow with the video. (ARCHITECTURE.md, Tiling: M-mode datasets.)
enum MModeCutter {
  static func cut(
    item: TilePlan.Item, settings: MModeSettings, source: URL, into shard: URL,
    cancelled: () -> Bool
  ) throws -> CubeCutter.Cut {
    let rect = item.rect
    let length = settings.window
    guard !item.tiles.isEmpty, !item.clipStarts.isEmpty else {
      throw TilingError.nothingToCut(conversion: item.conversion.id)
    }
    let writer = try NPY.StreamWriter(
      url: shard, dtype: .uint8, rowShape: [1, settings.size, settings.size])
    var images: [(clip: Int, firstFrame: Int, tile: TileGrid.Tile)] = []
    try ClipWindow.stream(
      source, starts: item.clipStarts, length: length, conversion: item.conversion.id,
      cancelled: cancelled
    ) { image in
      // Only the ROI of each frame is kept.
      guard let crop = image.cropped(x: rect.x, y: rect.y, width: rect.width, height: rect.height),
        crop.width == rect.width, crop.height == rect.height
      else {
        throw TilingError.roiOutsideFrame(
          conversion: item.conversion.id, width: image.width, height: image.height)
      }
      return crop.pixels
    } emit: { window, start, frames in
      for tile in columns(of: frames, tiles: item.tiles, width: rect.width, settings: settings) {
        let image = mmode(of: frames, column: tile.column, width: rect.width, height: rect.height)
        let resized = AreaResampler.resize(
          image, width: length, height: rect.height, to: settings.size)
        try resized.withUnsafeBytes { try writer.append($0) }
        images.append((window, start, tile))
      }
    }
    try writer.finish()
    return CubeCutter.Cut(shard: shard, framesPerCube: 1, size: settings.size, cubes: images)
  }

  /// The columns a window's images are taken at, in rank order (`row` = rank). `every`: the
  /// planned columns as they are. `brightest`: the `topK` planned columns with the highest pixel
  /// sum over the pleural band and the window's frames (ties to the leftmost).
  static func columns(
    of frames: ArraySlice<[UInt8]>, tiles: [TileGrid.Tile], width: Int, settings: MModeSettings
  ) -> [TileGrid.Tile] {
    guard settings.sampling == .brightest else { return tiles }
    let band = min(settings.bandHeight, (frames.first?.count ?? 0) / max(1, width))
    var sums = [Int](repeating: 0, count: width)
    for crop in frames {
      crop.withUnsafeBufferPointer { crop in
        for y in 0..<band {
          let row = y * width
          for x in 0..<width { sums[x] += Int(crop[row + x]) }
        }
      }
    }
    let ranked = tiles.sorted {
      sums[$0.column] != sums[$1.column] ? sums[$0.column] > sums[$1.column] : $0.column < $1.column
    }
    return ranked.prefix(settings.topK).enumerated().map { rank, tile in
      TileGrid.Tile(row: rank, column: tile.column, x: tile.x, y: tile.y)
    }
  }

  /// The M-mode of ROI column `column` over `frames`: `height` rows (depth, from the ROI's top)
  /// by one column per frame (time), row-major.
  static func mmode(of frames: ArraySlice<[UInt8]>, column: Int, width: Int, height: Int) -> [UInt8] {
    let length = frames.count
    var image = [UInt8](repeating: 0, count: height * length)
    for (t, crop) in frames.enumerated() {
      for y in 0..<height { image[y * length + t] = crop[y * width + column] }
    }
    return image
  }
}
