import Foundation
import GRDB

/// `pleura verify`: re-hashes every blob, checks that every referenced blob exists, that every
/// provenance edge points at a real entity, and SQLite's own integrity and foreign keys; reports
/// blobs no row references that no recorded run explains (see `OrphanBlobs`).
public struct CatalogVerifier {
  public struct Report: Codable, Sendable {
    public var blobsChecked: Int
    /// Blobs known only by hash (their bytes stayed at the site that exported them).
    public var blobsHeldElsewhere: Int
    public var edgesChecked: Int
    /// Unreferenced blobs left by failed or interrupted runs (not a problem: `gc` removes them).
    public var leftoverBlobs: Int
    public var problems: [String]
    public var ok: Bool { problems.isEmpty }
  }

  /// Where each blob column lives, to say whose blob is damaged.
  static let blobColumns: [(table: String, column: String)] = [
    ("source_video", "blob_sha256"), ("conversion", "blob_sha256"), ("cube", "shard_sha256"),
    ("model", "weights_sha256"), ("evaluation", "scores_sha256"),
  ]

  public static func run(_ catalog: Catalog, progress: ProgressSink = .silent) throws -> Report {
    var problems: [String] = []
    let (blobs, edges, integrity, foreignKeys) = try catalog.database.read { db in
      (
        try BlobRecord.fetchAll(db),
        try RunEdge.fetchAll(db),
        try String.fetchAll(db, sql: "PRAGMA integrity_check"),
        try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
      )
    }
    if integrity != ["ok"] { problems += integrity.map { "database: \($0)" } }
    for row in foreignKeys {
      let table: String = row["table"]
      let parent: String = row["parent"]
      problems.append("database: a row of \(table) points at a missing \(parent)")
    }
    let stored = blobs.filter(\.stored)
    for (index, blob) in stored.enumerated() {
      if let problem = catalog.blobs.check(blob.sha256, expectedSize: blob.size) {
        problems.append(problem + (try owners(of: blob.sha256, in: catalog)))
      }
      progress("verify", index + 1, stored.count, unit: "blobs")
    }
    try catalog.database.read { db in
      for edge in edges where !(try EntityLookup.exists(edge.entity, in: db)) {
        problems.append(
          "run \(edge.runId): its \(edge.direction.rawValue) edge points at \(edge.entityKind.displayName) "
            + "\(edge.entityId), which does not exist")
      }
      for (table, column) in blobColumns {
        let missing = try String.fetchAll(
          db,
          sql:
            "SELECT \(column) FROM \(table) WHERE \(column) IS NOT NULL AND \(column) NOT IN (SELECT sha256 FROM blob)"
        )
        problems += missing.map { "\(table): references blob \($0), which the catalog does not know" }
      }
    }
    let unreferenced = try OrphanBlobs.find(in: catalog)
    for (sha256, written) in unreferenced.orphans {
      problems.append(
        "orphan blob \(sha256) (written \(Timestamp.format(written))): no row references it and no run "
          + "recorded in the catalog was running then, so it may be the output of a run whose committed "
          + "rows were lost (was catalog.sqlite-wal or -shm deleted while a command ran?); it is kept, "
          + "`pleura gc` would remove it")
    }
    let held = blobs.filter { !$0.stored }.count
    return Report(
      blobsChecked: blobs.count - held, blobsHeldElsewhere: held, edgesChecked: edges.count,
      leftoverBlobs: unreferenced.leftovers, problems: problems)
  }

  static func owners(of sha256: String, in catalog: Catalog) throws -> String {
    let names = try catalog.database.read { db in
      var names: [String] = []
      for (table, column) in blobColumns {
        let ids = try String.fetchAll(
          db, sql: "SELECT id FROM \(table) WHERE \(column) = ? LIMIT 3", arguments: [sha256])
        names += ids
      }
      if let file = try String.fetchOne(
        db, sql: "SELECT file_name FROM source_video WHERE blob_sha256 = ? LIMIT 1", arguments: [sha256])
      {
        names.append(file)
      }
      return names
    }
    return names.isEmpty ? "" : " (used by \(names.joined(separator: ", ")))"
  }
}
