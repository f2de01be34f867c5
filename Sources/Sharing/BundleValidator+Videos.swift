import Foundation
import Platform

/// Validation steps for the rows that describe videos: source videos, conversions, ROI versions.
extension BundleValidator {
  func checkVideos(_ known: Known) throws {
    for (i, video) in content.sourceVideos.enumerated() {
      try need(known.sites, video.siteId, "source_video.json", i, "siteId")
      try need(known.patients, video.patientId, "source_video.json", i, "patientId")
      try need(Set(known.blobs.keys), video.blobSha256, "source_video.json", i, "blobSha256")
      try rule("source_video.json", i) {
        try RecordRules.fileName(video.fileName)
        try RecordRules.notes(video.notes ?? "")
        try RecordRules.word("container", video.container)
        try RecordRules.word("codec", video.codec)
        try RecordRules.word("createdAt", video.createdAt)
      }
      try range("source_video.json", i, video.width, video.height, video.fpsNum, video.fpsDen)
      try counts("source_video.json", i, video.frameCount)
      try duration("source_video.json", i, video.durationSeconds)
    }
  }

  func checkConversions(_ known: Known) throws {
    for (i, conversion) in content.conversions.enumerated() {
      try need(known.sites, conversion.siteId, "conversion.json", i, "siteId")
      try need(known.videos, conversion.sourceVideoId, "conversion.json", i, "sourceVideoId")
      try need(Set(known.blobs.keys), conversion.blobSha256, "conversion.json", i, "blobSha256")
      try json("conversion.json", i, conversion.parametersJson)
      try rule("conversion.json", i) {
        try RecordRules.word("container", conversion.container)
        try RecordRules.word("codec", conversion.codec)
        try RecordRules.word("createdAt", conversion.createdAt)
      }
      try range(
        "conversion.json", i, conversion.width, conversion.height, conversion.fpsNum, conversion.fpsDen)
      try counts("conversion.json", i, conversion.frameCount)
      try duration("conversion.json", i, conversion.durationSeconds)
    }
  }

  /// ROI versions: an author as `roi set` takes one, a rectangle and frames that fit the frame
  /// they are drawn in (as `roi set` checks), and a chain of versions in order.
  func checkROIs(_ known: Known) throws {
    let versions = Dictionary(
      content.roiAnnotations.map { ($0.id, ($0.sourceVideoId, $0.version)) }, uniquingKeysWith: { a, _ in a })
    let videos = Dictionary(content.sourceVideos.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let conversions = Dictionary(content.conversions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for (i, roi) in content.roiAnnotations.enumerated() {
      try need(known.sites, roi.siteId, "roi_annotation.json", i, "siteId")
      try need(known.videos, roi.sourceVideoId, "roi_annotation.json", i, "sourceVideoId")
      if let conversion = roi.conversionId {
        try need(known.conversions, conversion, "roi_annotation.json", i, "conversionId")
        guard conversions[conversion]?.sourceVideoId == roi.sourceVideoId else {
          throw ImportError.badRow(
            file: "roi_annotation.json", index: i,
            reason: "conversion \(conversion) is not of video \(roi.sourceVideoId)")
        }
      }
      if let previous = roi.supersedesId {
        try need(known.rois, previous, "roi_annotation.json", i, "supersedesId")
        // Versions are written in order, each after the one it supersedes.
        guard let (video, version) = versions[previous], video == roi.sourceVideoId, version < roi.version
        else {
          throw ImportError.badRow(
            file: "roi_annotation.json", index: i,
            reason: "it supersedes \(previous), which is not an earlier version for the same video")
        }
      }
      try rule("roi_annotation.json", i) {
        try RecordRules.author(roi.author)
        try RecordRules.word("createdAt", roi.createdAt)
      }
      try range("roi_annotation.json", i, roi.width, roi.height, roi.version)
      try counts("roi_annotation.json", i, roi.x, roi.y)
      let space = roi.conversionId.flatMap { conversions[$0] }.map { ($0.width, $0.height, $0.frameCount) }
      if let (width, height, frames) = space
        ?? videos[roi.sourceVideoId].map({ ($0.width, $0.height, $0.frameCount) }),
        RecordRules.roiFits(
          roi.rect, frameStart: roi.frameStart, frameEnd: roi.frameEnd, width: width, height: height,
          frames: frames) != nil
      {
        throw ImportError.badRow(
          file: "roi_annotation.json", index: i,
          reason:
            "ROI \(roi.rect) (frames \(roi.frameStart.map(String.init) ?? "all")-\(roi.frameEnd.map(String.init) ?? "")) "
            + "does not fit the \(width)x\(height) frame of \(frames) frames it is drawn in")
      }
    }
  }

  /// Label versions: each of a video in the bundle, after the version it supersedes, by a valid author.
  func checkLabels(_ known: Known) throws {
    let versions = Dictionary(
      content.labelAnnotations.map { ($0.id, ($0.sourceVideoId, $0.version)) },
      uniquingKeysWith: { a, _ in a })
    for (i, label) in content.labelAnnotations.enumerated() {
      try need(known.sites, label.siteId, "label_annotation.json", i, "siteId")
      try need(known.videos, label.sourceVideoId, "label_annotation.json", i, "sourceVideoId")
      if let previous = label.supersedesId {
        try need(known.labels, previous, "label_annotation.json", i, "supersedesId")
        guard let (video, version) = versions[previous], video == label.sourceVideoId, version < label.version
        else {
          throw ImportError.badRow(
            file: "label_annotation.json", index: i,
            reason: "it supersedes \(previous), which is not an earlier version for the same video")
        }
      }
      try rule("label_annotation.json", i) {
        try RecordRules.author(label.author)
        try RecordRules.word("createdAt", label.createdAt)
      }
      try range("label_annotation.json", i, label.version)
    }
  }
}
