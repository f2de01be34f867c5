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

  /// A video with several conversions the recipe takes, and the one the plan took.
  public struct Choice: Codable, Sendable, Equatable {
    public var video: String
    public var fileName: String
    public var chosen: String
    public var others: [String]
  }

  public var items: [Item]
  public var skipped: [Skipped]
  /// Videos where more than one conversion matched: the choice is the first made, and said.
  public var choices: [Choice] = []

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
    var choices: [Choice] = []
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
      let matching = try matchingConversions(of: video, recipe: recipe, in: db)
      guard let conversion = matching.first else {
        skip("no conversion \(recipe.conversion) (run `pleura transcode`)")
        continue
      }
      if matching.count > 1 {
        choices.append(
          Choice(
            video: video.id, fileName: video.fileName, chosen: conversion.id,
            others: matching.dropFirst().map(\.id)))
      }
      guard let (roi, rect) = try RoiResolver.currentRect(videoID: video.id, conversion: conversion, in: db)
      else {
        skip("no ROI (set one with `pleura roi set` or `pleura roi suggest --apply`)")
        continue
      }
      let tiles = recipe.plannedTiles(in: rect)
      guard !tiles.isEmpty else {
        skip(recipe.tooSmallReason(rect))
        continue
      }
      let frames = frameRange(roi: roi, video: video, conversion: conversion)
      let starts = TileGrid.clipStarts(
        frames: frames, length: recipe.clipLength, stride: recipe.clipStep,
        overlap: recipe.leftovers == "overlap")
      guard !starts.isEmpty else {
        skip("\(frames.count) frames in the ROI's range, fewer than one \(recipe.clipLength)-frame clip")
        continue
      }
      items.append(
        Item(
          video: video, patientCode: code, conversion: conversion, label: label, roi: roi, rect: rect,
          frames: frames,
          tiles: tiles,
          clipStarts: starts))
    }
    return TilePlan(items: items, skipped: skipped, choices: choices)
  }

  /// The video's conversions made with parameters the recipe takes, first made first: the plan
  /// cuts the first, so a conversion made later never changes a dataset by itself.
  static func matchingConversions(of video: SourceVideo, recipe: DatasetRecipe, in db: Database) throws
    -> [Conversion]
  {
    try Conversion.filter(Conversion.Columns.sourceVideoId == video.id)
      .order(Column("created_at"), Column("id")).fetchAll(db)
      .filter { conversion in
        // Read through transcode's own type: one spelling of its parameters.
        guard
          let parameters = try? ParameterSchema.decode(
            json: conversion.parametersJson, as: TranscodePlugin.self)
        else { return false }
        return recipe.conversion.matches(parameters)
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
