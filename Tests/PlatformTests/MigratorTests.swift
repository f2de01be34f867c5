import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

@Suite struct MigratorTests {
  /// The SQL compiled into the binary is exactly what `migrations/` holds.
  @Test func embeddedMigrationsMatchTheMigrationsFolder() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("migrations")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
      $0.hasSuffix(".sql")
    }.sorted()
    #expect(EmbeddedResources.migrations.map(\.name) == files)
    for migration in EmbeddedResources.migrations {
      let text = try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)
      let normalized = text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let embedded = migration.text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        .trimmingCharacters(in: .whitespacesAndNewlines)
      #expect(normalized == embedded, "\(migration.name) differs from its embedded copy")
    }
  }

  @Test func migrationsAreNumberedInOrder() {
    let names = EmbeddedResources.migrations.map(\.name)
    #expect(names == names.sorted())
    // Numbers are handed out to work in progress, so one may land before a lower one: each is
    // four digits and greater than the one before.
    let numbers = names.map { Int($0.prefix(4)) ?? -1 }
    #expect(names.allSatisfy { $0.count > 5 && $0.dropFirst(4).first == "_" })
    #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 } && numbers.first == 1)
  }

  @Test func everyEntityKindHasATableAfterMigration() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    let applied = try test.catalog.database.read { db in try CatalogMigrator.migrator.appliedIdentifiers(db) }
    #expect(applied == Set(CatalogMigrator.knownIdentifiers))
    let tables = try test.catalog.database.read { db in
      Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
    }
    for kind in EntityKind.allCases { #expect(tables.contains(kind.table), "no table for \(kind)") }
    #expect(tables.isSuperset(of: ["run_edge", "split_assignment", "blob"]))
  }
}
