import Foundation
import GRDB
import Media
import Platform

/// Every label and ROI version of some videos, read once, with each ROI also in its video's
/// source pixels so that versions drawn on different conversions compare.
public struct AnnotationHistory: Sendable {
  public struct Roi: Sendable {
    public var annotation: RoiAnnotation
    public var sourceRect: PixelRect
  }

  public var labels: [String: [LabelAnnotation]]
  public var rois: [String: [Roi]]

  /// All videos' history, or only `videos` when given.
  public static func read(videos: [String]? = nil, in db: Database) throws -> AnnotationHistory {
    var labelRequest = LabelAnnotation.order(LabelAnnotation.Columns.version)
    var roiRequest = RoiAnnotation.order(RoiAnnotation.Columns.version)
    if let videos {
      labelRequest = labelRequest.filter(videos.contains(LabelAnnotation.Columns.sourceVideoId))
      roiRequest = roiRequest.filter(videos.contains(RoiAnnotation.Columns.sourceVideoId))
    }
    let labels = Dictionary(grouping: try labelRequest.fetchAll(db), by: \.sourceVideoId)
    let roiRows = try roiRequest.fetchAll(db)
    let sources = Dictionary(
      uniqueKeysWithValues: try SourceVideo.fetchAll(db, keys: Set(roiRows.map(\.sourceVideoId))).map {
        ($0.id, $0)
      })
    let conversions = Dictionary(
      uniqueKeysWithValues: try Conversion.fetchAll(db, keys: Set(roiRows.compactMap(\.conversionId))).map {
        ($0.id, $0)
      })
    var rois: [String: [Roi]] = [:]
    for row in roiRows {
      var rect = row.rect
      if let space = row.conversionId, let conversion = conversions[space],
        let video = sources[row.sourceVideoId]
      {
        rect = RoiMapping(source: video, conversion: conversion).toSource(row.rect)
      }
      rois[row.sourceVideoId, default: []].append(Roi(annotation: row, sourceRect: rect))
    }
    return AnnotationHistory(labels: labels, rois: rois)
  }

  /// Each author's latest version that is not an adjudication, per video.
  public func latestLabelPerAuthor() -> [String: [String: LabelAnnotation]] {
    labels.mapValues { versions in
      var byAuthor: [String: LabelAnnotation] = [:]
      for version in versions where !version.adjudicated { byAuthor[version.author] = version }
      return byAuthor
    }
  }

  public func latestRoiPerAuthor() -> [String: [String: Roi]] {
    rois.mapValues { versions in
      var byAuthor: [String: Roi] = [:]
      for version in versions where !version.annotation.adjudicated {
        byAuthor[version.annotation.author] = version
      }
      return byAuthor
    }
  }
}
