import Foundation
import GRDB
import TestSupport
import Testing

@testable import Platform

/// Cubes map to their columns by hand (for speed); these tests hold that mapping to the one the
/// synthesized `Codable` gives every other record, column by column.
@Suite struct CubeRowTests {
  /// Distinct values in every field, so a swapped column cannot go unnoticed.
  static func cube(_ n: Int) -> Cube {
    Cube(
      id: "cube_\(n)", datasetId: "ds_\(n)", conversionId: "conv_\(n)", roiId: "roi_\(n)",
      patientId: "pat_\(n)", label: .absent, clipIndex: 1 + n, firstFrame: 20 + n, frames: 30 + n,
      tileRow: 2 + n, tileCol: 3 + n, x: 140 + n, y: 250 + n, size: 31 + n,
      shardSha256: String(repeating: "a", count: 63) + "\(n)", shardIndex: 7 + n)
  }

  /// The cube as the Codable bridge would store it: camelCase keys in snake_case.
  static func expectedColumns(_ cube: Cube) throws -> [String: String] {
    let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(cube)) as! [String: Any]
    var columns: [String: String] = [:]
    for (key, value) in object {
      let snake = key.reduce(into: "") { name, character in
        if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
      }
      columns[snake] = "\(value)"
    }
    return columns
  }

  @Test func bothInsertPathsWriteEveryColumnAndFetchingReadsItBack() throws {
    let test = try TestCatalog()
    defer { test.cleanUp() }
    try test.catalog.database.writeWithoutTransaction { db in
      try db.inTransaction {
        // The parents do not exist; checking foreign keys at commit lets the rows stand alone,
        // and the transaction is rolled back.
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        try Cube.insert([Self.cube(1), Self.cube(2)], in: db)
        try Self.cube(3).insert(db)
        for n in 1...3 {
          let row = try #require(
            try Row.fetchOne(db, sql: "SELECT * FROM cube WHERE id = ?", arguments: ["cube_\(n)"]))
          var stored: [String: String] = [:]
          for column in row.columnNames {
            stored[column] = "\(row[column] as DatabaseValue)".replacingOccurrences(of: "\"", with: "")
          }
          #expect(stored == (try Self.expectedColumns(Self.cube(n))))
          #expect(try Cube.fetchOne(db, key: "cube_\(n)") == Self.cube(n))
        }
        return .rollback
      }
    }
  }

  @Test func aLabelTheSchemaForbidsIsAClearError() throws {
    let row: Row = [
      "id": "c", "dataset_id": "d", "conversion_id": "v", "roi_id": "r", "patient_id": "p", "label": "maybe",
      "clip_index": 0, "first_frame": 0, "frames": 1, "tile_row": 0, "tile_col": 0, "x": 0, "y": 0, "size": 1,
      "shard_sha256": "s", "shard_index": 0,
    ]
    #expect(throws: CubeRowError.self) { try Cube(row: row) }
  }
}
