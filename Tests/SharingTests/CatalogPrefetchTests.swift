import Foundation
import Platform
import Testing

@testable import Sharing

/// The import decodes catalog files early, but uses what it decoded only for exactly the files
/// the verified bag holds.
@Suite struct CatalogPrefetchTests {
  /// A staged bag folder with the catalog files of an empty bundle plus one dataset row file.
  static func stage(_ folder: URL, datasets: String) throws -> [String: URL] {
    var files: [String: URL] = [:]
    for table in BundleContent.tables {
      let url = folder.appendingPathComponent(table.fileName)
      try Data((table.fileName == "dataset.json" ? datasets : "[]").utf8).write(to: url)
      files["data/catalog/\(table.fileName)"] = url
    }
    return files
  }

  static func sizes(_ files: [String: URL]) throws -> [String: Int64] {
    try files.mapValues { Int64(try Data(contentsOf: $0).count) }
  }

  @Test func decodedRowsAreUsedOnlyForTheVerifiedFiles() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "prefetch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let files = try Self.stage(folder, datasets: "[]")
    let prefetch = CatalogPrefetch()
    for (path, url) in files.sorted(by: { $0.key < $1.key }) { prefetch.fileExtracted(path, at: url) }
    // Nothing starts until the first file after the catalog.
    prefetch.fileExtracted("data/blobs/ab", at: folder.appendingPathComponent("ab"))
    let verified = try Self.sizes(files)
    let result = try #require(prefetch.result(for: verified))
    #expect(try result.get().datasets.isEmpty)

    var other = verified
    other["data/catalog/dataset.json"] = 99
    #expect(prefetch.result(for: other) == nil, "another size: the import decodes itself")
    other = verified
    other["data/catalog/extra.json"] = 2
    #expect(prefetch.result(for: other) == nil, "another file list: the import decodes itself")
  }

  @Test func aDecodingErrorIsKeptAsTheImportWouldReportIt() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "prefetch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let files = try Self.stage(folder, datasets: "[{\"id\": 1}]")
    let prefetch = CatalogPrefetch()
    for (path, url) in files { prefetch.fileExtracted(path, at: url) }
    prefetch.fileExtracted("data/ro-crate-metadata.json", at: folder.appendingPathComponent("x"))
    let result = try #require(prefetch.result(for: try Self.sizes(files)))
    let direct = Result {
      try BundleImporter.decodeTables(sizes: try Self.sizes(files)) { try Data(contentsOf: files[$0]!) }
    }
    #expect(throws: ImportError.self) { try result.get() }
    func message(_ result: Result<BundleContent, Error>) -> String {
      if case .failure(let error) = result { return String(describing: error) }
      return "decoded"
    }
    #expect(message(result) == message(direct) && message(direct).contains("dataset.json"))
  }

  @Test func withoutAFileAfterTheCatalogNothingIsDecodedEarly() throws {
    let prefetch = CatalogPrefetch()
    prefetch.fileExtracted("data/catalog/site.json", at: URL(fileURLWithPath: "/nonexistent"))
    #expect(prefetch.result(for: ["data/catalog/site.json": 2]) == nil)
  }
}
