import Foundation
import TestSupport
import Testing

@testable import Platform

@Suite struct BlobStoreTests {
  @Test func storesByContentReadOnlyAndOnce() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let store = test.catalog.blobs
    let blob = try store.store(data: Data("lung".utf8))
    #expect(blob.sha256 == SHA256Hex.digest("lung"))
    #expect(blob.size == 4)
    let url = try store.url(for: blob.sha256)
    #expect(url.deletingLastPathComponent().lastPathComponent == String(blob.sha256.prefix(2)))
    let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    #expect(permissions == 0o444)
    #expect(try store.store(data: Data("lung".utf8)) == blob)
    #expect(try store.read(blob.sha256, of: "a test") == Data("lung".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: store.stagingFolder.path).isEmpty)
  }

  @Test func registeringBytesCorrectsTheSizeOfABlobKnownOnlyByHash() throws {
    // An imported row may claim any size for a blob whose bytes stayed at the other site; once
    // the bytes are here, their size is the truth, or `verify` would report them as damaged.
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let blob = try test.catalog.blobs.store(data: Data("pleura".utf8))
    try test.catalog.database.write { db in
      try BlobRecord(StoredBlob(sha256: blob.sha256, size: 999), stored: false).insert(db)
      try BlobRecord.register(blob, in: db)
    }
    let row = try test.catalog.database.read { db in try BlobRecord.fetchOne(db, key: blob.sha256) }
    #expect(row?.stored == true && row?.size == 6)
    #expect(try CatalogVerifier.run(test.catalog).ok)
  }

  @Test func refusesNamesThatAreNotHashes() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    for name in [
      "../../etc/passwd", "", String(repeating: "A", count: 64), String(repeating: "a", count: 63),
    ] {
      #expect(throws: BlobStoreError.self) { try test.catalog.blobs.url(for: name) }
    }
  }

  @Test func checkFindsABlobChangedOnDisk() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let blob = try test.catalog.blobs.store(data: Data("original".utf8))
    #expect(test.catalog.blobs.check(blob.sha256, expectedSize: blob.size) == nil)
    let url = try test.catalog.blobs.url(for: blob.sha256)
    chmod(url.path, 0o644)
    try Data("tampered".utf8).write(to: url)
    let problem = try #require(test.catalog.blobs.check(blob.sha256, expectedSize: blob.size))
    #expect(problem.contains(blob.sha256) && problem.contains("changed on disk"))
  }

  @Test func streamingWriteHashesWhatItWrites() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let blob = try test.catalog.blobs.write { sink in
      for chunk in ["a", "b", "c"] { try sink.write(Data(chunk.utf8)) }
    }
    #expect(blob == StoredBlob(sha256: SHA256Hex.digest("abc"), size: 3))
  }

  @Test func failedWriteLeavesNoStagingFile() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    #expect(throws: TestFailure.self) {
      try test.catalog.blobs.write { sink in
        try sink.write(Data("partial".utf8))
        throw TestFailure(message: "stop")
      }
    }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: test.catalog.blobs.stagingFolder.path).isEmpty)
  }
}
