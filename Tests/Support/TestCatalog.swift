import Foundation
import GRDB
import Platform

/// A catalog in a fresh temporary folder, removed by `cleanUp()`.
public struct TestCatalog: Sendable {
  public let folder: URL
  public let catalog: Catalog
  public let runner: Runner

  public init(siteName: String = "test-site", prefix: String = "pleura-test") throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    catalog = try Catalog.create(at: folder.appendingPathComponent("catalog"), siteName: siteName)
    runner = Runner(catalog: catalog)
  }

  public func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  /// A path in the test's folder (beside the catalog).
  public func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

  /// Every row of every table, as text: two snapshots are equal when no row changed.
  public func snapshot() throws -> [String] {
    try catalog.database.read { db in try CatalogSnapshot.rows(db) }
  }

  /// The number of rows in `table`.
  public func count(_ table: String) async throws -> Int {
    try await catalog.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
  }
}
