import Foundation
import GRDB

extension Runner {
  /// Step 6 of a run (ARCHITECTURE.md, "How a run lands"): in one transaction, the plugin's rows,
  /// the output edges and the `succeeded` mark. Built-in and external plugins land the same way.
  func land(_ output: PluginOutput, of run: Run) async throws -> RunOutcome {
    try await DebugHooks.pauseBeforeCommit()
    let persist = PersistContext(runID: run.id, siteID: catalog.localSite.id, now: Timestamp.now())
    let (returned, summary) = try await catalog.database.write { db in
      let returned = try output.persist(db, persist)
      let summary = ([output.summary] + persist.notes).filter { !$0.isEmpty }.joined(separator: "\n")
      for ref in returned where !persist.remade.contains(ref) {
        try RunEdge(runId: run.id, direction: .output, entity: ref).insert(db)
      }
      try db.execute(
        sql: "UPDATE run SET status = 'succeeded', ended_at = ?, summary = ? WHERE id = ?",
        arguments: [Timestamp.now(), summary, run.id])
      return (returned, summary)
    }
    return RunOutcome(
      runID: run.id, plugin: run.plugin, outputs: returned.filter { !persist.remade.contains($0) },
      reused: false,
      summary: summary, remade: returned.filter { persist.remade.contains($0) })
  }

  /// Marks `run` failed with the reason, and returns the error to throw: no output row exists.
  func markFailed(_ run: Run, _ error: Error) async -> RunError {
    let reason =
      switch error {
      case is CancellationError: "cancelled"
      // GRDB's decoding errors quote the row, which may hold a patient code: never store it.
      case is RowDecodingError: CatalogError.unreadableRow.description
      default: catalog.describe(error)
      }
    try? await catalog.database.write { db in
      try db.execute(
        sql: "UPDATE run SET status = 'failed', ended_at = ?, error = ? WHERE id = ?",
        arguments: [Timestamp.now(), reason, run.id])
    }
    return RunError.failed(plugin: run.plugin, runID: run.id, reason: reason)
  }
}
