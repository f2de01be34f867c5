import Foundation
import GRDB
import Platform

/// What checking every blob against its hash while reading it costs: the catalog's blobs of
/// each kind read as the commands read them, without the check (the bytes as they are, what
/// Pleura did before) and with it (`BlobStore`'s verified readers), alternating in one process
/// after an untimed warm-up pass, so both sides read from the page cache. The hash pass alone
/// (`BlobStore.check`) is timed too: on a shared machine decoding varies more than it costs.
public enum BlobReadBenchmark {
  public struct Row: Codable, Sendable {
    public var kind: String
    public var work: String
    public var blobs: Int
    public var bytes: Int64
    public var unverifiedSeconds: [Double]
    public var verifiedSeconds: [Double]
    /// One SHA-256 pass over the same blobs, nothing else.
    public var hashSeconds: [Double]

    public var medianUnverified: Double { Self.median(unverifiedSeconds) }
    public var medianVerified: Double { Self.median(verifiedSeconds) }
    public var medianHash: Double { Self.median(hashSeconds) }
    /// The hash pass as a share of the unverified work.
    public var hashShare: Double { medianHash / medianUnverified }
    public var ratio: Double { medianVerified / medianUnverified }
    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
  }

  enum Work {
    case decode, readWhole
  }

  public static func run(catalog: Catalog, repetitions: Int) throws -> [Row] {
    let kinds: [(String, Work, String)] = [
      ("source videos", .decode, "SELECT blob_sha256, file_name FROM source_video ORDER BY id"),
      ("conversions", .decode, "SELECT blob_sha256, 'conversion.mp4' FROM conversion ORDER BY id"),
      ("cube shards", .readWhole, "SELECT DISTINCT shard_sha256, '' FROM cube ORDER BY shard_sha256"),
      ("model weights", .readWhole, "SELECT weights_sha256, '' FROM model ORDER BY id"),
    ]
    let scratch = try catalog.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    var rows: [Row] = []
    for (kind, work, sql) in kinds {
      let blobs = try catalog.database.read { db in
        try Row_.fetchAll(db, sql: sql).map { (sha: $0[0] as String, name: $0[1] as String) }
      }
      guard !blobs.isEmpty else { continue }
      var row = Row(
        kind: kind, work: work == .decode ? "decode every frame" : "read the whole blob", blobs: blobs.count,
        bytes: 0, unverifiedSeconds: [], verifiedSeconds: [], hashSeconds: [])
      for blob in blobs {
        row.bytes += Int64(
          (try? FileManager.default.attributesOfItem(atPath: catalog.blobs.url(for: blob.sha).path))?[.size]
            as? Int ?? 0)
      }
      func pass(verified: Bool) throws -> Double {
        BlobStore.forgetVerifications()
        let start = DispatchTime.now().uptimeNanoseconds
        for blob in blobs {
          switch (work, verified) {
          case (.decode, true):
            try catalog.blobs.withNamedPath(blob.sha, of: kind, fileName: blob.name) { try decodeAll($0) }
          case (.decode, false):
            let link = scratch.appendingPathComponent("blob." + URL(fileURLWithPath: blob.name).pathExtension)
            try? FileManager.default.removeItem(at: link)
            try FileManager.default.createSymbolicLink(
              at: link, withDestinationURL: try catalog.blobs.url(for: blob.sha))
            try decodeAll(link)
          case (.readWhole, true):
            _ = try catalog.blobs.read(blob.sha, of: kind)
          case (.readWhole, false):
            _ = try Data(contentsOf: try catalog.blobs.url(for: blob.sha))
          }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      }
      func hashPass() -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for blob in blobs { _ = catalog.blobs.check(blob.sha, expectedSize: nil) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      }
      _ = try pass(verified: false)
      for _ in 0..<repetitions {
        row.unverifiedSeconds.append(try pass(verified: false))
        row.verifiedSeconds.append(try pass(verified: true))
        row.hashSeconds.append(hashPass())
      }
      rows.append(row)
    }
    return rows
  }

  private typealias Row_ = GRDB.Row

  private static func decodeAll(_ url: URL) throws {
    let decoder = try VideoDecoder(url: url)
    while try decoder.nextFrame() != nil {}
  }
}
