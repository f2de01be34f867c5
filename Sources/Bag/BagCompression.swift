/// How a bag archive is compressed. Readers detect the compression from the content, so this only
/// matters when writing.
///
/// ```swift
/// let writer = try BagWriter(creating: url, bagName: "site-a-2026-11-26", compression: .gzip())
/// ```
public enum BagCompression: Sendable, Hashable {
  /// Zstandard (`.tar.zst`): `level` 1–19 (3 is zstd's own default); `threads` compression workers
  /// (libarchive's `threads` option; 1 compresses on the calling thread).
  case zstd(level: Int = 3, threads: Int = 2)
  /// gzip (`.tar.gz`), for sites whose tools predate zstd: `level` 1–9.
  case gzip(level: Int = 6)

  /// The conventional file-name suffix.
  public var fileExtension: String {
    switch self {
    case .zstd: "tar.zst"
    case .gzip: "tar.gz"
    }
  }
}
