import Foundation
import GRDB

/// Marks runs whose process died (SIGKILL, power loss) as failed. Their outputs were never
/// committed, so only the run row needs to say what happened.
enum RunReaper {
  static func markAbandonedRuns(in catalog: Catalog) throws {
    let running = try catalog.database.read { db in
      try Run.filter(Run.Columns.status == Run.Status.running.rawValue).fetchAll(db)
    }
    let abandoned = running.filter { run in run.pid.map { !ProcessLiveness.isAlive($0) } ?? true }
    guard !abandoned.isEmpty else { return }
    try catalog.database.write { db in
      for run in abandoned {
        try db.execute(
          sql: """
            UPDATE run SET status = 'failed', ended_at = ?, error = ?
            WHERE id = ? AND status = 'running'
            """,
          arguments: [Timestamp.now(), "interrupted: the process ended before the run finished", run.id])
      }
    }
  }
}
