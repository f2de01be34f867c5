import Foundation
import GRDB
import Platform
import Sharing
import Testing

/// An export never ships bytes that do not match their checksum in the catalog.
@Suite(.serialized) struct ExportIntegrityTests {
  @Test func aDamagedShardInTheStoreStopsTheExportAndWritesNoFile() async throws {
    // Site B owns its store, so its copy of A's dataset can be damaged without harming A.
    let a = try await SiteA.shared.catalog()
    let b = try SiteB()
    defer { b.cleanUp() }
    let bundle = b.file("a.tar.zst")
    _ = try BundleExporter(catalog: a).export("demo@1", to: bundle, options: .init())
    let dataset = try BundleImporter(catalog: b.catalog).importBundle(bundle).dataset
    let shard = try await b.catalog.database.read { db in
      try String.fetchOne(db, sql: "SELECT shard_sha256 FROM cube ORDER BY id LIMIT 1")!
    }
    let path = try b.catalog.blobs.url(for: shard).path
    chmod(path, 0o644)
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    try handle.seek(toOffset: 200)
    try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
    try handle.close()

    let again = b.file("again.tar.zst")
    #expect {
      _ = try BundleExporter(catalog: b.catalog).export(dataset, to: again, options: .init())
    } throws: { error in
      String(describing: error).contains("\(shard) in this catalog's store no longer matches its checksum")
    }
    #expect(!FileManager.default.fileExists(atPath: again.path))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: b.folder.path)
    #expect(leftovers.allSatisfy { !$0.contains(".partial-") }, "\(leftovers)")
  }
}
