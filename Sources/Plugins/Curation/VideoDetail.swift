import Foundation
import GRDB
import Media
import Platform

/// Everything the workbench's video page shows of one video, as its viewer may see it: ROIs in
/// the pixels and frames of the conversion it plays (the newest), label and ROI histories, notes,
/// and the versions an edit would start from.
public struct VideoDetail: Codable, Sendable {
  public struct Info: Codable, Sendable {
    public var fileName: String
    public var patient: String
    public var site: String
    public var width: Int
    public var height: Int
    public var fps: Double
    public var frames: Int
    public var durationSeconds: Double
  }

  public struct ConversionInfo: Codable, Sendable {
    public var id: String
    public var width: Int
    public var height: Int
    public var fps: Double
    public var frames: Int
    public var durationSeconds: Double
  }

  public struct LabelVersion: Codable, Sendable {
    public var version: Int
    public var label: String
    public var author: String
    public var adjudicated: Bool
    public var createdAt: String
  }

  public struct RoiVersion: Codable, Sendable {
    public var version: Int
    /// In the shown conversion's pixels (the source's when the video has no conversion).
    public var rect: PixelRect
    public var frameStart: Int?
    public var frameEnd: Int?
    public var author: String
    public var adjudicated: Bool
    /// Made by a program: shown dashed until a person accepts it.
    public var suggestion: Bool
    public var createdAt: String
    /// An automatic suggestion's confidence (0...1), nil for boxes people drew; below
    /// `RoiConfidence.lowBelow` the page marks the box as low-confidence.
    public var confidence: Double?
    public var lowConfidence: Bool
  }

  public var id: String
  public var info: Info
  public var conversion: ConversionInfo?
  public var blind: Bool
  public var labels: [LabelVersion]
  public var currentLabel: LabelVersion?
  /// The highest version the viewer was shown: what an edit from this page starts from.
  public var labelBase: Int
  public var rois: [RoiVersion]
  public var currentRoi: RoiVersion?
  public var roiBase: Int
  /// `none`, `suggested` or `confirmed`, as the viewer sees it.
  public var roiStatus: String
  public var notes: [VideoNote]
  public var disagreement: Disagreements.Video?

  public static func read(_ videoID: String, perspective: Perspective, in db: Database) throws -> VideoDetail?
  {
    guard let video = try SourceVideo.fetchOne(db, key: videoID) else { return nil }
    let patient = try Patient.fetchOne(db, key: video.patientId)?.code ?? "?"
    let site = try Site.fetchOne(db, key: video.siteId)?.name ?? "?"
    let conversion = try newestConversion(of: video.id, in: db)
    let labelRows = try LabelAnnotation.history(forVideo: video.id, in: db)
    let roiRows = try RoiAnnotation.history(forVideo: video.id, in: db)
    let display = try DisplaySpace(video: video, conversion: conversion, in: db)

    let labels = labelRows.filter { perspective.sees($0.author) }.map {
      LabelVersion(
        version: $0.version, label: $0.label.rawValue, author: $0.author, adjudicated: $0.adjudicated,
        createdAt: $0.createdAt)
    }
    let rois = roiRows.filter { perspective.sees($0.author) }.map { row in
      let frames = display.frames(of: row)
      return RoiVersion(
        version: row.version, rect: display.rect(of: row), frameStart: frames?.lowerBound,
        frameEnd: frames?.upperBound, author: row.author, adjudicated: row.adjudicated,
        suggestion: AnnotationAuthor.isMachine(row.author), createdAt: row.createdAt,
        confidence: row.confidence, lowConfidence: row.confidence.map(RoiConfidence.isLow) ?? false)
    }
    let currentLabel: LabelVersion?
    let currentRoi: RoiVersion?
    let labelBase: Int
    let roiBase: Int
    switch perspective {
    case .everyone:
      let labelID = try LabelAnnotation.current(forVideo: video.id, in: db)?.version
      let roiID = try RoiAnnotation.current(forVideo: video.id, in: db)?.version
      currentLabel = labels.first { $0.version == labelID }
      currentRoi = rois.first { $0.version == roiID }
      labelBase = labelRows.last?.version ?? 0
      roiBase = roiRows.last?.version ?? 0
    case .blind(let me):
      currentLabel = labels.last { $0.author == me }
      currentRoi = rois.last { $0.author == me } ?? rois.last { $0.suggestion }
      labelBase = labelRows.last { $0.author == me }?.version ?? 0
      roiBase = roiRows.last { $0.author == me }?.version ?? 0
    }
    let notes = try VideoNotes.list(video: video.id, in: db).filter { perspective.sees($0.author) }
    let disagreement =
      perspective.isBlind ? nil : try Disagreements.find(videos: [video.id], in: db).first
    return VideoDetail(
      id: video.id,
      info: Info(
        fileName: video.fileName, patient: patient, site: site, width: video.width, height: video.height,
        fps: Double(video.fpsNum) / Double(video.fpsDen), frames: video.frameCount,
        durationSeconds: video.durationSeconds),
      conversion: conversion.map {
        ConversionInfo(
          id: $0.id, width: $0.width, height: $0.height, fps: Double($0.fpsNum) / Double($0.fpsDen),
          frames: $0.frameCount, durationSeconds: $0.durationSeconds)
      },
      blind: perspective.isBlind, labels: labels, currentLabel: currentLabel, labelBase: labelBase,
      rois: rois,
      currentRoi: currentRoi, roiBase: roiBase,
      roiStatus: currentRoi.map { $0.suggestion ? "suggested" : "confirmed" } ?? "none", notes: notes,
      disagreement: disagreement)
  }

  /// The conversion the workbench plays: the newest one.
  public static func newestConversion(of videoID: String, in db: Database) throws -> Conversion? {
    try Conversion.filter(Conversion.Columns.sourceVideoId == videoID).order(Column("created_at").desc)
      .fetchOne(db)
  }
}

/// Maps ROI versions drawn in any space (source pixels, or any conversion's) into the one shown.
public struct DisplaySpace: Sendable {
  let video: SourceVideo
  let conversion: Conversion?
  let spaces: [String: Conversion]

  public init(video: SourceVideo, conversion: Conversion?, in db: Database) throws {
    self.video = video
    self.conversion = conversion
    let all = try Conversion.filter(Conversion.Columns.sourceVideoId == video.id).fetchAll(db)
    spaces = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
  }

  public func rect(of roi: RoiAnnotation) -> PixelRect {
    if roi.conversionId == conversion?.id { return roi.rect }
    var source = roi.rect
    if let space = roi.conversionId.flatMap({ spaces[$0] }) {
      source = RoiMapping(source: video, conversion: space).toSource(roi.rect)
    }
    guard let conversion else { return source }
    return RoiMapping(source: video, conversion: conversion).toConversion(source)
  }

  public func frames(of roi: RoiAnnotation) -> ClosedRange<Int>? {
    guard let start = roi.frameStart, let end = roi.frameEnd else { return nil }
    if roi.conversionId == conversion?.id { return start...end }
    var source = (start, end)
    if let space = roi.conversionId.flatMap({ spaces[$0] }) {
      let mapping = RoiMapping(source: video, conversion: space)
      source = (mapping.frameToSource(start), mapping.frameToSource(end))
    }
    guard let conversion else { return source.0...max(source.0, source.1) }
    let mapping = RoiMapping(source: video, conversion: conversion)
    let a = min(mapping.frameToConversion(source.0), conversion.frameCount - 1)
    let b = min(mapping.frameToConversion(source.1), conversion.frameCount - 1)
    return a...max(a, b)
  }
}
