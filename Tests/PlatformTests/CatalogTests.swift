import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

@Suite struct CatalogTests {
  @Test func createMakesDatabaseObjectsAndOwnSite() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let root = test.catalog.root
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("catalog.sqlite").path))
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("objects").path))
    #expect(test.catalog.localSite.name == "test-site")
    #expect(test.catalog.localSite.isLocal)
    let (journal, foreignKeys) = try test.catalog.database.read { db in
      (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
    }
    #expect(journal == "wal")
    #expect(foreignKeys == 1)
  }

  @Test func createRefusesAnExistingCatalog() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    #expect(throws: CatalogError.alreadyExists(path: test.catalog.root.path)) {
      try Catalog.create(at: test.catalog.root)
    }
  }

  @Test func openFindsTheSameSite() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let reopened = try Catalog.open(at: test.catalog.root)
    #expect(reopened.localSite == test.catalog.localSite)
  }

  @Test func openRefusesMissingAndForeignFolders() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pleura-none-\(UUID())")
    #expect(throws: CatalogError.notFound(path: folder.path)) { try Catalog.open(at: folder) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(throws: CatalogError.notACatalog(path: folder.path)) { try Catalog.open(at: folder) }
  }

  @Test func openRefusesACatalogFromANewerPleura() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    try test.catalog.database.write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
    }
    #expect(
      throws: CatalogError.newerSchema(
        path: test.catalog.root.path, unknownMigrations: ["9999_from_the_future"])
    ) {
      try Catalog.open(at: test.catalog.root)
    }
  }

  @Test func idsCarryTheirKindAndResolveByPrefix() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let id = EntityKind.sourceVideo.newID()
    #expect(id.hasPrefix("vid_") && id.count == 20)
    #expect(EntityKind.of(id: id) == .sourceVideo)
    let patient = try test.catalog.database.write { db in
      try Patient.findOrCreate(code: "P9", siteID: test.catalog.localSite.id, in: db).0
    }
    let resolved = try test.catalog.database.read { db in
      try EntityLookup.resolve(String(patient.id.prefix(10)), in: db)
    }
    #expect(resolved == EntityRef(.patient, patient.id))
    #expect(throws: CatalogError.unknownID("pat_ffffffffffffffff")) {
      try test.catalog.database.read { db in try EntityLookup.resolve("pat_ffffffffffffffff", in: db) }
    }
  }

  @Test func patientCodesMustBePseudonyms() throws {
    try PatientCode.validate("P-001_a.b")
    #expect(throws: PatientCodeError.self) { try PatientCode.validate("John Smith") }
    #expect(throws: PatientCodeError.self) { try PatientCode.validate("") }
    #expect(throws: PatientCodeError.self) { try PatientCode.validate(String(repeating: "a", count: 65)) }
  }
}
