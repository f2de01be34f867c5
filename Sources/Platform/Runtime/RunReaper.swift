import Foundation
import GRDB

/// Marks runs whose process died (SIGKILL, power loss) as failed. Their outputs were never
/// committed, so only the run row needs to say what happened, and the temporary files they had
/// recorded outside the catalog (an export's partial bundle) are removed.
enum RunReaper {
  static let interrupted = "interrupted: the process ended before the run finished"

  static func markAbandonedRuns(in catalog: Catalog) throws {
    let running = try catalog.database.read { db in
      try Run.filter(Run.Columns.status == Run.Status.running.rawValue).fetchAll(db)
    }
    let abandoned = running.filter { run in run.pid.map { !ProcessLiveness.isAlive($0) } ?? true }
    if !abandoned.isEmpty {
      try catalog.database.write { db in
        for run in abandoned { try markInterrupted(run.id, in: db) }
      }
    }
    try removePartialFiles(in: catalog)
  }

  /// Partial files of runs that are no longer running: their own cleanup did not happen.
  static func removePartialFiles(in catalog: Catalog) throws {
    let left = try catalog.database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT p.run_id, p.path_prefix FROM run_partial_file p JOIN run r ON r.id = p.run_id
          WHERE r.status != 'running'
          """)
    }
    guard !left.isEmpty else { return }
    for row in left { PartialFiles.remove(prefix: row["path_prefix"]) }
    try catalog.database.write { db in
      for row in left {
        try db.execute(
          sql: "DELETE FROM run_partial_file WHERE run_id = ? AND path_prefix = ?",
          arguments: [row["run_id"] as String, row["path_prefix"] as String])
      }
    }
  }

  static func markInterrupted(_ runID: String, in db: Database) throws {
    try db.execute(
      sql: "UPDATE run SET status = 'failed', ended_at = ?, error = ? WHERE id = ? AND status = 'running'",
      arguments: [Timestamp.now(), interrupted, runID])
  }
}
