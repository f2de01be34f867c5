import Foundation
import GRDB
import Media
import Platform

/// One video a reviewer must settle, as the review page shows it: each side's label and ROI
/// (ROIs in the pixels of the conversion the page shows), and the versions a decision starts from.
public struct ReviewItem: Codable, Sendable {
  public struct RoiSide: Codable, Sendable {
    public var author: String
    public var version: Int
    public var rect: PixelRect
    public var adjudicated: Bool
    public var createdAt: String
    /// An automatic suggestion's confidence (nil for boxes people drew), and whether it is low.
    public var confidence: Double?
    public var lowConfidence: Bool
  }

  public var video: String
  public var fileName: String
  public var patient: String
  public var conversion: String?
  public var width: Int
  public var height: Int
  public var labels: [Disagreements.Side<String>]
  public var rois: [RoiSide]
  public var labelDisagrees: Bool
  public var roiDisagrees: Bool
  public var lowestIoU: Double?
  public var labelBase: Int
  public var roiBase: Int

  public static func all(iouThreshold: Double, in db: Database) throws -> [ReviewItem] {
    let found = try Disagreements.find(iouThreshold: iouThreshold, in: db)
    return try found.compactMap { item in
      guard let video = try SourceVideo.fetchOne(db, key: item.video) else { return nil }
      let conversion = try VideoDetail.newestConversion(of: video.id, in: db)
      let space = try DisplaySpace(video: video, conversion: conversion, in: db)
      let roiRows = try RoiAnnotation.history(forVideo: video.id, in: db)
      let rois: [RoiSide] = item.rois.compactMap { side in
        guard let row = roiRows.first(where: { $0.version == side.version }) else { return nil }
        return RoiSide(
          author: side.author, version: side.version, rect: space.rect(of: row),
          adjudicated: side.adjudicated,
          createdAt: side.createdAt, confidence: row.confidence,
          lowConfidence: row.confidence.map(RoiConfidence.isLow) ?? false)
      }
      return ReviewItem(
        video: video.id, fileName: video.fileName,
        patient: try Patient.fetchOne(db, key: video.patientId)?.code ?? "?", conversion: conversion?.id,
        width: conversion?.width ?? video.width, height: conversion?.height ?? video.height,
        labels: item.labels, rois: rois, labelDisagrees: item.labelDisagrees, roiDisagrees: item.roiDisagrees,
        lowestIoU: item.lowestIoU,
        labelBase: try LabelAnnotation.latest(forVideo: video.id, in: db)?.version ?? 0,
        roiBase: roiRows.last?.version ?? 0)
    }
  }
}
