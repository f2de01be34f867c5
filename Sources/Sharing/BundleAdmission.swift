import Bag
import Foundation
import Platform
import Primitives

/// Which entries a Pleura bundle may hold, judged from each entry's header before a byte of it
/// is written (`BagReader.admit`), so that a decompression bomb is refused instead of extracted:
///
/// - `data/catalog/<table>.json` for the tables Pleura writes, each at most 1 GiB;
/// - `data/ro-crate-metadata.json`, at most 256 MiB;
/// - `data/blobs/<sha256>` for a blob `data/catalog/blob.json` lists as shipped, with exactly the
///   size it lists. Pleura writes the catalog files first, so the list is known before the first
///   blob; a blob that comes before it is refused. When the list is read, the space all shipped
///   blobs need is checked against the device holding the staging folder, before any is written.
///
/// Anything else under `data/` is refused. Tag files are bounded by `BagLimits`.
final class BundleAdmission: @unchecked Sendable {
  static let maxCrateBytes: Int64 = 256 << 20

  private let lock = NSLock()
  private let staging: URL
  private let reserve: Int64
  /// Shipped blobs by hash with the size blob.json lists; nil until blob.json is complete.
  private var shipped: [String: Int64]?
  /// Why blob.json could not be read, if it could not.
  private var unreadable: String?
  private var spaceChecked = false

  init(staging: URL, limits: BagLimits) {
    self.staging = staging
    self.reserve = limits.reserveFreeBytes
  }

  /// For `BagReader.onFileExtracted`: reads the blob list as soon as it is complete.
  func fileExtracted(_ path: String, at url: URL) {
    guard path == BundleImporter.catalogFolder + "blob.json" else { return }
    let result = Result {
      try JSONDecoder().decode([BlobRecord].self, from: Data(contentsOf: url))
    }
    lock.withLock {
      switch result {
      case .success(let blobs):
        shipped = Dictionary(
          blobs.filter(\.stored).map { ($0.sha256, $0.size) }, uniquingKeysWith: { first, _ in first })
      case .failure(let error): unreadable = BundleImporter.describe(error)
      }
    }
  }

  /// For `BagReader.admit`.
  func admit(_ path: String, _ size: Int64) throws(BagError) {
    guard path.hasPrefix("data/") else { return }
    func refuse(_ reason: String) -> BagError { .refusedEntry(entry: path, reason: reason) }
    if path.hasPrefix(BundleImporter.catalogFolder) {
      let name = String(path.dropFirst(BundleImporter.catalogFolder.count))
      guard BundleContent.fileNames.contains(name) else {
        throw refuse("it is not a table of a Pleura bundle")
      }
      guard size <= BundleImporter.maxCatalogFileBytes else {
        throw refuse("it declares \(size) bytes; a catalog file may have at most 1 GiB")
      }
      return
    }
    if path == "data/" + RoCrate.metadataFileName {
      guard size <= Self.maxCrateBytes else {
        throw refuse("it declares \(size) bytes; the RO-Crate metadata may have at most 256 MiB")
      }
      return
    }
    guard path.hasPrefix("data/blobs/") else { throw refuse("it is not part of a Pleura bundle") }
    let sha = String(path.dropFirst("data/blobs/".count))
    let (listed, unreadable, checkSpace) = lock.withLock { () -> ([String: Int64]?, String?, Bool) in
      defer { spaceChecked = true }
      return (shipped, self.unreadable, !spaceChecked)
    }
    guard let listed else {
      throw refuse(
        unreadable.map { "data/catalog/blob.json, which must list it, cannot be read: \($0)" }
          ?? "it comes before data/catalog/blob.json, which must list it (Pleura writes the catalog files first)"
      )
    }
    guard let expected = listed[sha] else {
      throw refuse("data/catalog/blob.json does not list it as shipped")
    }
    guard expected == size else {
      throw refuse("it declares \(size) bytes; data/catalog/blob.json lists \(expected)")
    }
    if checkSpace, let available = DiskSpace.available(at: staging) {
      let needed = listed.values.reduce(Int64(0), +)
      if needed > available - reserve {
        throw .insufficientSpace(
          entry: path, needed: needed, available: max(0, available - reserve), folder: staging.path)
      }
    }
  }
}
