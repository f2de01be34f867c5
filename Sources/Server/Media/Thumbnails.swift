import Curation
import Foundation
import GRDB
import Media
import Platform

/// A video's thumbnail: a one-row contact sheet (three frames) of its newest conversion, or of
/// the source when it has none, made once and kept as a blob (`video_thumbnail` names it).
enum Thumbnails {
  static func png(for videoID: String, catalog: Catalog) async throws -> Data {
    let (video, conversion, cached) = try await catalog.database.read { db in
      guard let video = try SourceVideo.fetchOne(db, key: videoID) else {
        throw WorkbenchError.notFound("video \(videoID)")
      }
      return (
        video, try VideoDetail.newestConversion(of: videoID, in: db),
        try VideoThumbnail.fetchOne(db, key: videoID)
      )
    }
    if let cached, catalog.blobs.contains(cached.blobSha256) {
      return try catalog.blobs.read(cached.blobSha256, of: "the thumbnail of video \(videoID)")
    }
    let (sha, name) = conversion.map { ($0.blobSha256, $0.fileName) } ?? (video.blobSha256, video.fileName)
    guard catalog.blobs.contains(sha) else {
      throw WorkbenchError.notFound("the bytes of video \(videoID) (they stayed at the site that made it)")
    }
    let data = try await Task.detached {
      try catalog.blobs.withNamedPath(
        sha, of: "video \(videoID) (\(conversion?.id ?? "source"))", fileName: name
      ) {
        url in
        try PNGWriter.encode(ContactSheet.make(from: url, columns: 3, rows: 1, thumbnailWidth: 96))
      }
    }.value
    let blob = try catalog.blobs.store(data: data)
    try await catalog.database.write { db in
      try BlobRecord.register(blob, in: db)
      try VideoThumbnail(sourceVideoId: videoID, blobSha256: blob.sha256, createdAt: Timestamp.now())
        .insert(db, onConflict: .replace)
    }
    return data
  }
}
