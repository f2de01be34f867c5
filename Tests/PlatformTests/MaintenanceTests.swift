import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

@Suite struct MaintenanceTests {
  @Test func verifyReportsATamperedBlobByNameAndAMissingEdgeTarget() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    var parameters = MakePatientPlugin.Parameters()
    parameters.blobText = "payload"
    _ = try await Runner(catalog: test.catalog).run(MakePatientPlugin.self, parameters: parameters)
    let blob = try test.catalog.blobs.store(data: Data("referenced".utf8))
    try await test.catalog.database.write { db in try BlobRecord.register(blob, in: db) }
    #expect(try CatalogVerifier.run(test.catalog).ok)

    let url = try test.catalog.blobs.url(for: blob.sha256)
    chmod(url.path, 0o644)
    try Data("Referenced".utf8).write(to: url)
    try await test.catalog.database.write { db in
      try db.execute(
        sql:
          "INSERT INTO run_edge VALUES ((SELECT id FROM run), 'input', 'dataset', 'ds_00000000000000ff', '')")
    }
    let report = try CatalogVerifier.run(test.catalog)
    #expect(report.problems.count == 2)
    #expect(report.problems.contains { $0.contains(blob.sha256) && $0.contains("changed on disk") })
    #expect(report.problems.contains { $0.contains("ds_00000000000000ff") })
  }

  @Test func gcRemovesUnreferencedBlobsAndAbandonedStagingOnly() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let kept = try test.catalog.blobs.store(data: Data("kept".utf8))
    try await test.catalog.database.write { db in try BlobRecord.register(kept, in: db) }
    let orphan = try test.catalog.blobs.store(data: Data("orphan".utf8))
    let staging = test.catalog.blobs.stagingFolder
    let deadStaging = staging.appendingPathComponent("\(Int32.max - 1)-dead.tmp")
    let liveStaging = staging.appendingPathComponent("\(getpid())-live.tmp")
    try Data("x".utf8).write(to: deadStaging)
    try Data("y".utf8).write(to: liveStaging)

    let dry = try GarbageCollector.run(test.catalog, dryRun: true)
    #expect(dry.unreferencedBlobs == [orphan.sha256])
    #expect(test.catalog.blobs.contains(orphan.sha256))

    let report = try GarbageCollector.run(test.catalog, dryRun: false)
    #expect(report.unreferencedBlobs == [orphan.sha256])
    #expect(report.stagingFiles == [deadStaging.lastPathComponent])
    #expect(!test.catalog.blobs.contains(orphan.sha256))
    #expect(test.catalog.blobs.contains(kept.sha256))
    #expect(FileManager.default.fileExists(atPath: liveStaging.path))
    #expect(!FileManager.default.fileExists(atPath: deadStaging.path))
  }

  @Test func gcWaitsForNoRunningRun() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let lock = try test.catalog.runLock()
    #expect(throws: GarbageCollectorError.self) { try GarbageCollector.run(test.catalog, dryRun: true) }
    withExtendedLifetime(lock) {}
  }

  @Test func statusCountsEntities() async throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    _ = try await Runner(catalog: test.catalog).run(MakePatientPlugin.self, parameters: .init())
    let status = try CatalogStatus.read(test.catalog)
    #expect(status.entities["patient"] == 1)
    #expect(status.entities["run"] == 1)
    #expect(status.runsPerStatus == ["succeeded": 1])
    #expect(status.videosPerPatient.map(\.patient) == ["P1"])
  }
}
