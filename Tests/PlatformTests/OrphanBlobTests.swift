import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

/// Issue 12, item 12: `verify` reports blobs no row references when no recorded run explains
/// them (the rows that named them may have been lost), and not the leftovers of failed runs.
@Suite struct OrphanBlobTests {
  /// A blob with no row, written at `written`.
  func unreferencedBlob(in test: TestCatalog, written: Date) throws -> String {
    let blob = try test.catalog.blobs.store(data: Data("output of a lost run".utf8))
    try FileManager.default.setAttributes(
      [.modificationDate: written], ofItemAtPath: try test.catalog.blobs.url(for: blob.sha256).path)
    return blob.sha256
  }

  func insertRun(_ test: TestCatalog, status: String, from start: Date, to end: Date?) throws {
    try test.catalog.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO run (id, site_id, plugin, plugin_version, parameters_json, cache_key, status,
            started_at, ended_at, platform_version)
          VALUES (?, ?, 'transcode', '1.0.0', '{}', 'key', ?, ?, ?, '0')
          """,
        arguments: [
          EntityKind.run.newID(), test.catalog.localSite.id, status, Timestamp.format(start),
          end.map(Timestamp.format),
        ])
    }
  }

  @Test func aBlobNoRowAndNoRunExplainsIsReportedAsAnOrphan() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let written = Date(timeIntervalSince1970: 1_600_000_000)
    let sha = try unreferencedBlob(in: test, written: written)
    try insertRun(
      test, status: "succeeded", from: written.addingTimeInterval(-60), to: written.addingTimeInterval(-30))
    let report = try CatalogVerifier.run(test.catalog)
    #expect(!report.ok)
    #expect(report.problems.count == 1)
    #expect(report.problems[0].hasPrefix("orphan blob \(sha)"), "\(report.problems)")
    #expect(report.problems[0].contains("catalog.sqlite-wal"))
    #expect(test.catalog.blobs.contains(sha), "verify never removes anything")
  }

  @Test(arguments: ["failed", "running", "succeeded"])
  func aBlobWrittenWhileARecordedRunWasActiveIsALeftoverNotAProblem(_ status: String) throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let written = Date(timeIntervalSince1970: 1_600_000_000)
    _ = try unreferencedBlob(in: test, written: written)
    let end: Date? = status == "running" ? nil : written.addingTimeInterval(1)
    try insertRun(test, status: status, from: written.addingTimeInterval(-5), to: end)
    let report = try CatalogVerifier.run(test.catalog)
    #expect(report.ok, "\(report.problems)")
    #expect(report.leftoverBlobs == 1)
  }
}
