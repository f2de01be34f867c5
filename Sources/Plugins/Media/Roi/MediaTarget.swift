import Foundation
import GRDB
import Platform

public enum MediaTargetError: Error, CustomStringConvertible {
  case notAVideo(String)
  case noConversion(String)
  case noRoi(video: String, fileName: String)

  public var description: String {
    switch self {
    case .notAVideo(let id): "\(id) is neither a source video nor a conversion"
    case .noConversion(let id): "video \(id) has no conversion yet: run `pleura transcode \(id)` first"
    case .noRoi(let id, let fileName):
      "video \(id) (\(fileName.escapedForMessage)) has no ROI yet: set one with "
        + "`pleura roi set \(id) --rect X,Y,W,H` or `pleura roi suggest \(id) --apply`"
    }
  }
}

/// A video or conversion named on the command line, with its bytes and the current ROI in its
/// own pixels.
public struct MediaTarget: Sendable {
  public var video: SourceVideo
  public var conversion: Conversion?
  public var roi: PixelRect?
  public var roiVersion: Int?
  /// The current ROI's confidence, when a suggestion made it.
  public var roiConfidence: Double?

  public var blobSha256: String { conversion?.blobSha256 ?? video.blobSha256 }
  public var fileName: String { conversion?.fileName ?? video.fileName }
  public var width: Int { conversion?.width ?? video.width }
  public var height: Int { conversion?.height ?? video.height }
  public var frameCount: Int { conversion?.frameCount ?? video.frameCount }
  /// The entity whose bytes these are, for a damaged-blob message.
  public var entity: String {
    conversion.map { "conversion \($0.id) of \(video.fileName)" }
      ?? "source video \(video.id) (\(video.fileName))"
  }
  public var label: String {
    conversion.map { "\($0.id) (conversion of \(video.fileName))" } ?? video.fileName
  }

  /// Resolves an id; `preferConversion` picks a source video's newest conversion.
  public static func resolve(_ id: String, preferConversion: Bool = false, in catalog: Catalog) throws
    -> MediaTarget
  {
    try catalog.database.read { db in
      let ref = try EntityLookup.resolve(name: id, as: [.sourceVideo, .conversion], in: db)
      var conversion: Conversion?
      let video: SourceVideo
      switch ref.kind {
      case .sourceVideo:
        video = try SourceVideo.find(db, key: ref.id)
        if preferConversion {
          conversion = try Conversion.filter(Conversion.Columns.sourceVideoId == video.id)
            .order(Column("created_at").desc).fetchOne(db)
          guard conversion != nil else { throw MediaTargetError.noConversion(video.id) }
        }
      case .conversion:
        let found = try Conversion.find(db, key: ref.id)
        conversion = found
        video = try SourceVideo.find(db, key: found.sourceVideoId)
      default:
        throw MediaTargetError.notAVideo(id)
      }
      let current = try RoiResolver.currentRect(videoID: video.id, conversion: conversion, in: db)
      return MediaTarget(
        video: video, conversion: conversion, roi: current?.rect, roiVersion: current?.annotation.version,
        roiConfidence: current?.annotation.confidence)
    }
  }

  /// Calls `body` with a readable path to the bytes (named with the right extension).
  public func withFile<T>(in catalog: Catalog, _ body: (URL) throws -> T) throws -> T {
    try catalog.blobs.withNamedPath(blobSha256, of: entity, fileName: fileName) { url in
      do {
        return try body(url)
      } catch {
        throw MediaFailure(message: String(describing: error).replacingOccurrences(of: url.path, with: label))
      }
    }
  }
}

/// A media library error restated with the catalog's name for the file.
public struct MediaFailure: Error, CustomStringConvertible {
  public var message: String
  public init(message: String) { self.message = message }
  public var description: String { message }
}
