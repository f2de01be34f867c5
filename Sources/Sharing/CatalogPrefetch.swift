import Bag
import Dispatch
import Foundation
import Platform

/// Decodes a bundle's catalog files on a background thread while its blobs are still being
/// extracted, so an import does not decode JSON after the last byte is verified (Pleura writes
/// the catalog files first; their decoding took about a tenth of an import).
///
/// Nothing decoded here is trusted by itself: `BundleImporter.read` takes the result only after
/// the bag has been verified, and only when the files decoded are exactly the verified catalog
/// files with the same sizes. A staged file never changes once complete (the staging folder is
/// private and each name is created once), so the same files give the same rows or error.
final class CatalogPrefetch: @unchecked Sendable {
  /// What was decoded: the files with their sizes, and the rows or the error they gave.
  private struct Outcome {
    var sizes: [String: Int64]
    var result: Result<BundleContent, Error>
  }

  private let lock = NSLock()
  private let group = DispatchGroup()
  private var catalogFiles: [String: URL] = [:]
  private var started = false
  private var outcome: Outcome?

  /// For `BagReader.onFileExtracted`: collects catalog files, and starts decoding them when the
  /// first file after them is complete.
  func fileExtracted(_ path: String, at url: URL) {
    let files: [String: URL]? = lock.withLock {
      if path.hasPrefix(BundleImporter.catalogFolder) {
        if !started { catalogFiles[path] = url }
        return nil
      }
      guard !started, !catalogFiles.isEmpty else { return nil }
      started = true
      return catalogFiles
    }
    guard let files else { return }
    group.enter()
    DispatchQueue.global(qos: .userInitiated).async {
      defer { self.group.leave() }
      var sizes: [String: Int64] = [:]
      for (path, url) in files {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        sizes[path] = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
      }
      let result = Result {
        try BundleImporter.decodeTables(sizes: sizes) { path in
          guard let file = files[path] else { throw CocoaError(.fileNoSuchFile) }
          return try Data(contentsOf: file)
        }
      }
      self.lock.withLock { self.outcome = Outcome(sizes: sizes, result: result) }
    }
  }

  /// The decoded rows (or the decoding error) when they came from exactly `verified`, the
  /// catalog files of the verified bag with their sizes; nil when the import must decode itself.
  func result(for verified: [String: Int64]) -> Result<BundleContent, Error>? {
    wait()
    return lock.withLock { outcome?.sizes == verified ? outcome?.result : nil }
  }

  /// Waits for a decoding in progress (before the staging folder goes away).
  func wait() { group.wait() }
}
