import Foundation
import GRDB
import Platform

/// One ROI edit: a rectangle for a video, in its source pixels or in one conversion's pixels.
public struct RoiEntry: Codable, Sendable, Equatable {
  public var video: String
  /// Empty for the source video's pixels, else the conversion whose pixels `rect` is in.
  public var conversion: String
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int
  /// Inclusive frame range; -1 for "every frame".
  public var frameStart: Int
  public var frameEnd: Int
  public var author: String
  /// A reviewer's decision (see `RoiAnnotation.adjudicated`); absent means no.
  public var adjudicated: Bool?
  /// The version the editor started from; absent (the command line) takes the edit as it comes.
  public var base: EditBase?
  /// Set by automatic suggestion (0...1); nil for ROIs a person drew.
  public var confidence: Double?

  public init(
    video: String, conversion: String = "", rect: PixelRect, frameStart: Int = -1, frameEnd: Int = -1,
    author: String, adjudicated: Bool? = nil, base: EditBase? = nil, confidence: Double? = nil
  ) {
    self.video = video
    self.conversion = conversion
    x = rect.x
    y = rect.y
    width = rect.width
    height = rect.height
    self.frameStart = frameStart
    self.frameEnd = frameEnd
    self.author = author
    self.adjudicated = adjudicated
    self.base = base
    self.confidence = confidence
  }

  public var rect: PixelRect { PixelRect(x: x, y: y, width: width, height: height) }
}

public enum RoiError: Error, CustomStringConvertible, Equatable {
  case noEntries
  case unknownVideo(String)
  case conversionOfAnotherVideo(conversion: String, video: String)
  case outsideFrame(rect: PixelRect, frameWidth: Int, frameHeight: Int, space: String)
  case badFrames(start: Int, end: Int, frameCount: Int)
  case badAuthor(String)
  case conflict(AnnotationConflict)
  case badConfidence(Double)

  public var description: String {
    switch self {
    case .noEntries: "no ROI given"
    case .unknownVideo(let id): "no source video \(id) in this catalog"
    case .conversionOfAnotherVideo(let conversion, let video):
      "conversion \(conversion) is not of video \(video)"
    case .outsideFrame(let rect, let width, let height, let space):
      "ROI \(rect) does not fit the \(space) frame of \(width)x\(height): it needs a positive size and must lie "
        + "inside 0,0-\(width),\(height)"
    case .badFrames(let start, let end, let count):
      "frame range \(start)-\(end) is not inside the video's frames 0-\(count - 1)"
    case .badAuthor(let author): "author '\(author)' must be 1-64 printable characters"
    case .conflict(let conflict): conflict.description
    case .badConfidence(let value): "confidence \(value) is outside 0...1"
    }
  }
}

/// `roi`: records pleural ROI versions. An entry identical to the current version changes
/// nothing; any other adds a version that supersedes it.
public struct RoiPlugin: Plugin {
  public struct Parameters: PluginParameters {
    public var entries: [RoiEntry] = []
    public init() {}
    public init(entries: [RoiEntry]) { self.entries = entries }
  }

  public static let name = "roi"
  public static let version = SemanticVersion(1, 0, 0)
  public static let summary = "Record pleural ROI versions for source videos."
  public static let takes: [EntityKind] = []
  public static let makes: [EntityKind] = [.roi]
  public static let parameterHelp = [
    "entries":
      "list of {video, conversion (\"\" = source pixels), x, y, width, height, frameStart, frameEnd, author, confidence (suggestions only)}"
  ]
  /// Each edit is an act of a person: never stood in for by an earlier run.
  public static let usesRunCache = false

  public init() {}

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    guard !parameters.entries.isEmpty else { throw RoiError.noEntries }
    try await catalog.database.read { db in
      for entry in parameters.entries { try validate(entry, in: db) }
    }
  }

  /// Checks an entry against its video: the message names the frame size.
  public static func validate(_ entry: RoiEntry, in db: Database) throws {
    guard AnnotationAuthor.isValid(entry.author) else { throw RoiError.badAuthor(entry.author) }
    if let confidence = entry.confidence, !(0...1).contains(confidence) {
      throw RoiError.badConfidence(confidence)
    }
    guard let video = try SourceVideo.fetchOne(db, key: entry.video) else {
      throw RoiError.unknownVideo(entry.video)
    }
    var (width, height, frames, space) = (video.width, video.height, video.frameCount, "source")
    if !entry.conversion.isEmpty {
      guard let conversion = try Conversion.fetchOne(db, key: entry.conversion),
        conversion.sourceVideoId == video.id
      else { throw RoiError.conversionOfAnotherVideo(conversion: entry.conversion, video: video.id) }
      (width, height, frames, space) = (
        conversion.width, conversion.height, conversion.frameCount, "conversion"
      )
    }
    let every = entry.frameStart == -1 && entry.frameEnd == -1
    switch RecordRules.roiFits(
      entry.rect, frameStart: every ? nil : entry.frameStart, frameEnd: every ? nil : entry.frameEnd,
      width: width, height: height, frames: frames)
    {
    case nil: break
    case .outsideFrame:
      throw RoiError.outsideFrame(rect: entry.rect, frameWidth: width, frameHeight: height, space: space)
    case .badFrames:
      throw RoiError.badFrames(start: entry.frameStart, end: entry.frameEnd, frameCount: frames)
    }
    if let base = entry.base {
      let seen = try RoiAnnotation.history(forVideo: video.id, in: db).map {
        EditBase.Seen(version: $0.version, author: $0.author, createdAt: $0.createdAt)
      }
      do { try base.check(seen, editor: entry.author, what: .roi, video: video.id) } catch {
        throw RoiError.conflict(error)
      }
    }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    let entries = parameters.entries
    return PluginOutput(summary: "") { db, run in
      try entries.compactMap { entry in try Self.record(entry, in: db, run: run) }
    }
  }

  /// Adds a version unless the entry equals the current one, which the run then stands for
  /// (``PersistContext/remade(_:)``). Shared with `synthesize`.
  public static func record(_ entry: RoiEntry, in db: Database, run: PersistContext) throws -> EntityRef? {
    try validate(entry, in: db)
    let latest = try RoiAnnotation.latest(forVideo: entry.video, in: db)
    let frames = entry.frameStart == -1 ? (nil, nil) : (Optional(entry.frameStart), Optional(entry.frameEnd))
    let adjudicated = entry.adjudicated ?? false
    if let latest, latest.rect == entry.rect,
      latest.conversionId == (entry.conversion.isEmpty ? nil : entry.conversion),
      latest.frameStart == frames.0, latest.frameEnd == frames.1, latest.author == entry.author,
      latest.adjudicated == adjudicated, latest.confidence == entry.confidence
    {
      run.note("\(entry.video): ROI \(entry.rect) is already version \(latest.version); unchanged")
      run.remade(EntityRef(.roi, latest.id))
      return EntityRef(.roi, latest.id)
    }
    let annotation = RoiAnnotation(
      id: EntityKind.roi.newID(), siteId: run.siteID, sourceVideoId: entry.video,
      conversionId: entry.conversion.isEmpty ? nil : entry.conversion, version: (latest?.version ?? 0) + 1,
      x: entry.x, y: entry.y, width: entry.width, height: entry.height, frameStart: frames.0,
      frameEnd: frames.1,
      author: entry.author, supersedesId: latest?.id, createdAt: run.now, adjudicated: adjudicated,
      confidence: entry.confidence)
    try annotation.insert(db)
    run.note(
      "\(entry.video): ROI version \(annotation.version) \(entry.rect) in "
        + (entry.conversion.isEmpty ? "source pixels" : "\(entry.conversion) pixels") + " by \(entry.author)"
        + (adjudicated ? " (adjudicated)" : "")
        + (entry.confidence.map { ", confidence \(RoiConfidence.describe($0))" } ?? ""))
    if !adjudicated, let current = try RoiAnnotation.current(forVideo: entry.video, in: db),
      current.id != annotation.id
    {
      run.note(
        "\(entry.video): the current ROI stays the adjudicated version \(current.version) \(current.rect)")
    }
    return EntityRef(.roi, annotation.id)
  }
}

/// The current ROI of a video in the pixels of one of its conversions (or of the source).
public enum RoiResolver {
  public static func currentRect(videoID: String, conversion: Conversion?, in db: Database) throws
    -> (annotation: RoiAnnotation, rect: PixelRect)?
  {
    guard let annotation = try RoiAnnotation.current(forVideo: videoID, in: db),
      let video = try SourceVideo.fetchOne(db, key: videoID)
    else { return nil }
    var sourceRect = annotation.rect
    if let space = annotation.conversionId {
      if let conversion, conversion.id == space { return (annotation, annotation.rect) }
      guard let spaceConversion = try Conversion.fetchOne(db, key: space) else { return nil }
      sourceRect = RoiMapping(source: video, conversion: spaceConversion).toSource(annotation.rect)
    }
    guard let conversion else { return (annotation, sourceRect) }
    return (annotation, RoiMapping(source: video, conversion: conversion).toConversion(sourceRect))
  }
}
