import Foundation

/// What `BagWriter.finish` wrote.
public struct BagSummary: Sendable, Hashable {
  /// The finished archive.
  public let archive: URL
  /// The number of payload files (under `data/`).
  public let payloadFiles: Int
  /// The payload's total size, as in `Payload-Oxum`.
  public let payloadBytes: Int64
  /// The size of the compressed archive on disk.
  public let archiveBytes: Int64
}
