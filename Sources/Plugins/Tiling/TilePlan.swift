import Foundation
import GRDB
import Media
import Platform

/// Which conversions a recipe takes, with the ROI of each, and which videos it skips and why.
public struct TilePlan: Sendable {
  public struct Item: Sendable {
    public var video: SourceVideo
    public var patientCode: String
    public var conversion: Conversion
    /// The current label version: its label is the cubes' label.
    public var label: LabelAnnotation
    public var roi: RoiAnnotation
    /// The ROI in the conversion's pixels.
    public var rect: PixelRect
    public var frames: Range<Int>
    public var tiles: [TileGrid.Tile]
    public var clipStarts: [Int]
  }

  public struct Skipped: Codable, Sendable, Equatable {
    public var video: String
    public var fileName: String
    public var reason: String
  }

  public var items: [Item]
  public var skipped: [Skipped]

  /// The inputs of the tile run: each conversion with the ROI version it is cut with and the label
  /// version its cubes carry, so that an edit of either makes the next build a new version.
  public var inputs: [EntityRef] {
    items.flatMap {
      [EntityRef(.conversion, $0.conversion.id), EntityRef(.roi, $0.roi.id), EntityRef(.label, $0.label.id)]
    }
  }

  public static func make(recipe: DatasetRecipe, in db: Database) throws -> TilePlan {
    var items: [Item] = []
    var skipped: [Skipped] = []
    let videos = try SourceVideo.order(Column("created_at"), Column("id")).fetchAll(db)
    for video in videos {
      func skip(_ reason: String) {
        skipped.append(Skipped(video: video.id, fileName: video.fileName, reason: reason))
      }
      let code =
        try String.fetchOne(db, sql: "SELECT code FROM patient WHERE id = ?", arguments: [video.patientId])
        ?? "?"
      guard let label = try LabelAnnotation.current(forVideo: video.id, in: db) else {
        skip("no label version (run `pleura verify`)")
        continue
      }
      guard recipe.labels.contains(label.label.rawValue) else {
        skip("label \(label.label.rawValue) is not among the recipe's labels")
        continue
      }
      guard recipe.patients.isEmpty || recipe.patients.contains(code) else {
        skip("patient \(code) is not among the recipe's patients")
        continue
      }
      guard let conversion = try matchingConversion(of: video, recipe: recipe, in: db) else {
        let c = recipe.conversion
        skip(
          "no conversion at \(c.width)x\(c.height) \(c.fpsNumerator)/\(c.fpsDenominator) fps (run `pleura transcode`)"
        )
        continue
      }
      guard let (roi, rect) = try RoiResolver.currentRect(videoID: video.id, conversion: conversion, in: db)
      else {
        skip("no ROI (set one with `pleura roi set` or `pleura roi suggest --apply`)")
        continue
      }
      let tiles = TileGrid.tiles(in: rect, size: recipe.tileSize, rowLimit: recipe.rowLimit)
      guard !tiles.isEmpty else {
        skip("ROI \(rect.width)x\(rect.height) is smaller than one \(recipe.tileSize) px tile")
        continue
      }
      let frames = frameRange(roi: roi, video: video, conversion: conversion)
      let starts = TileGrid.clipStarts(
        frames: frames, length: recipe.framesPerCube, stride: recipe.clipStride,
        overlap: recipe.leftovers == "overlap")
      guard !starts.isEmpty else {
        skip("\(frames.count) frames in the ROI's range, fewer than one \(recipe.framesPerCube)-frame clip")
        continue
      }
      items.append(
        Item(
          video: video, patientCode: code, conversion: conversion, label: label, roi: roi, rect: rect,
          frames: frames,
          tiles: tiles,
          clipStarts: starts))
    }
    return TilePlan(items: items, skipped: skipped)
  }

  static func matchingConversion(of video: SourceVideo, recipe: DatasetRecipe, in db: Database) throws
    -> Conversion?
  {
    let conversions = try Conversion.filter(Conversion.Columns.sourceVideoId == video.id)
      .order(Column("created_at").desc).fetchAll(db)
    let wanted = recipe.conversion
    return conversions.first { conversion in
      guard
        let object = try? JSONSerialization.jsonObject(with: Data(conversion.parametersJson.utf8))
          as? [String: Any]
      else { return false }
      return object["width"] as? Int == wanted.width && object["height"] as? Int == wanted.height
        && object["fpsNumerator"] as? Int == wanted.fpsNumerator
        && object["fpsDenominator"] as? Int == wanted.fpsDenominator
    }
  }

  /// The conversion frames the ROI holds for: its frame range mapped by time, else every frame.
  static func frameRange(roi: RoiAnnotation, video: SourceVideo, conversion: Conversion) -> Range<Int> {
    guard let start = roi.frameStart, let end = roi.frameEnd else { return 0..<conversion.frameCount }
    if roi.conversionId == conversion.id { return start..<min(end + 1, conversion.frameCount) }
    let mapping = RoiMapping(source: video, conversion: conversion)
    let from = max(0, mapping.frameToConversion(start))
    let to = min(conversion.frameCount, mapping.frameToConversion(end + 1))
    return from..<max(from, to)
  }
}
