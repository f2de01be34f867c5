import Foundation

/// A bag that `BagReader` extracted into a private staging folder and fully verified. The
/// caller reads what it needs from `root` and then calls `remove()`.
///
/// ```swift
/// let bag = try BagReader().extract(archive: bundleURL)
/// defer { try? bag.remove() }
/// let rows = try Data(contentsOf: bag.url(of: "data/catalog/videos.json"))
/// ```
public struct VerifiedBag: Sendable {
  /// The staging folder (mode 0700), which is the bag's root: `bagit.txt`, `data/`, ...
  public let root: URL
  /// The name of the bag's top-level folder in the archive.
  public let name: String
  /// The fields of `bag-info.txt`.
  public let info: BagInfo
  /// Every payload file, sorted by path.
  public let payload: [PayloadFile]

  /// A verified payload file.
  public struct PayloadFile: Sendable, Hashable {
    /// The path relative to the bag root, starting with `data/`.
    public let path: String
    public let size: Int64
    /// Lower-case hex SHA-256, as checked against the manifest.
    public let sha256: String
  }

  /// The location of `path` (relative to the bag root) inside staging.
  public func url(of path: String) -> URL {
    root.appending(path: path, directoryHint: .notDirectory)
  }

  /// Deletes the staging folder and everything in it.
  public func remove() throws(BagError) {
    let code = StagingDirectory.removeTree(at: root.path)
    guard code == 0 else {
      throw .io(path: root.path, reason: "cannot remove staging: \(String(cString: strerror(code)))")
    }
  }
}
