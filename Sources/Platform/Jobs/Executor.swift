import Foundation
import GRDB

/// Where a command's runs execute: in this process, or as Slurm jobs. A catalog's default is its
/// `executor` setting (`pleura jobs executor slurm`), else local.
public enum Executor: String, Codable, Sendable, CaseIterable {
  case local, slurm

  static let settingKey = "executor"

  public static func parse(_ text: String) throws -> Executor {
    guard let executor = Executor(rawValue: text) else { throw JobError.unknownExecutor(text) }
    return executor
  }

  /// The catalog's default executor.
  public static func `default`(of catalog: Catalog) async throws -> Executor {
    let value = try await catalog.database.read { db in
      try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [settingKey])
    }
    return value.flatMap(Executor.init(rawValue:)) ?? .local
  }

  /// Makes `executor` the catalog's default.
  public static func setDefault(_ executor: Executor, of catalog: Catalog) async throws {
    try await catalog.database.write { db in
      try db.execute(
        sql:
          "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        arguments: [settingKey, executor.rawValue])
    }
  }
}
