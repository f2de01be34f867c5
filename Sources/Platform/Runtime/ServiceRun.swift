import Foundation
import GRDB

/// The run of a platform service that is not a runner plugin (export, import), recorded the way
/// the runner records plugin runs: `running`, with the process id, before the work starts, so a
/// process killed part-way leaves a row that the next open marks interrupted (``RunReaper``), and
/// finished in the same transaction as the rows it writes. No run cache ever looks it up.
///
/// ```swift
/// let run = try ServiceRun.begin(catalog, plugin: "export", version: v, parametersJSON: json)
/// let prefix = try run.recordPartialFile(beside: destination)   // removed if the run dies
/// ... write the file ...
/// try run.succeed(summary: "exported ...")
/// ```
public struct ServiceRun: Sendable {
  public let id: String
  let catalog: Catalog

  /// Records the run as running, with edges to its inputs.
  public static func begin(
    _ catalog: Catalog, plugin: String, version: SemanticVersion, parametersJSON: String,
    inputs: [EntityRef] = []
  ) throws -> ServiceRun {
    let id = EntityKind.run.newID()
    let run = Run(
      id: id, siteId: catalog.localSite.id, plugin: plugin, pluginVersion: version.description,
      parametersJson: parametersJSON, seed: nil, cacheKey: SHA256Hex.digest("service\n\(plugin)\n\(id)"),
      status: .running, startedAt: Timestamp.now(), endedAt: nil, error: nil,
      platformVersion: PlatformVersion.current, pid: getpid(), summary: nil)
    try catalog.database.write { db in
      try run.insert(db)
      for input in inputs { try RunEdge(runId: id, direction: .input, entity: input).insert(db) }
    }
    return ServiceRun(id: id, catalog: catalog)
  }

  /// The hidden name prefix for a temporary file beside `destination`, recorded first so that it
  /// is removed even if this process is killed: `.NAME.partial-RUNID-`.
  public func recordPartialFile(beside destination: URL) throws -> String {
    let prefix = PartialFiles.prefix(for: destination, runID: id)
    try catalog.database.write { db in
      try db.execute(
        sql: "INSERT OR IGNORE INTO run_partial_file (run_id, path_prefix) VALUES (?, ?)",
        arguments: [id, prefix])
    }
    return prefix
  }

  /// Marks the run succeeded in the caller's transaction; `parametersJSON`, when given, replaces
  /// the parameters recorded at the start (an import learns its dataset and site on the way).
  public func succeed(summary: String, parametersJSON: String? = nil, in db: Database) throws {
    try db.execute(
      sql: """
        UPDATE run SET status = 'succeeded', ended_at = ?, summary = ?,
          parameters_json = coalesce(?, parameters_json)
        WHERE id = ?
        """,
      arguments: [Timestamp.now(), summary, parametersJSON, id])
    try db.execute(sql: "DELETE FROM run_partial_file WHERE run_id = ?", arguments: [id])
  }

  public func succeed(summary: String, parametersJSON: String? = nil) throws {
    try catalog.database.write { db in try succeed(summary: summary, parametersJSON: parametersJSON, in: db) }
  }

  /// Marks the run failed. Best effort: the failure being reported may be that the catalog
  /// cannot be written, and then the next open marks the run interrupted instead.
  public func fail(_ reason: String) {
    try? catalog.database.write { db in
      try db.execute(
        sql: "UPDATE run SET status = 'failed', ended_at = ?, error = ? WHERE id = ? AND status = 'running'",
        arguments: [Timestamp.now(), reason, id])
      try db.execute(sql: "DELETE FROM run_partial_file WHERE run_id = ?", arguments: [id])
    }
  }

  /// Removes the run's row, for input refused or a run that turned out to change nothing: the
  /// catalog is then exactly as before. Best effort, as `fail`.
  public func withdraw(in db: Database) throws {
    try RunEdge.all().edges(ofRun: id).deleteAll(db)
    try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
  }

  public func withdraw() {
    try? catalog.database.write { db in try withdraw(in: db) }
  }
}

/// Hidden temporary files beside a destination, named `.NAME.partial-RUNID-XXXXXX`.
public enum PartialFiles {
  static func prefix(for destination: URL, runID: String) -> String {
    destination.deletingLastPathComponent().appendingPathComponent(
      ".\(destination.lastPathComponent).partial-\(runID)-"
    ).path
  }

  /// Removes every file whose path starts with `prefix` (a recorded prefix of a run that is no
  /// longer running). Only names of the partial-file form are touched.
  static func remove(prefix: String) {
    let url = URL(fileURLWithPath: prefix)
    let folder = url.deletingLastPathComponent()
    let start = url.lastPathComponent
    guard start.hasPrefix("."), start.contains(".partial-run_"),
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
    else { return }
    for name in names where name.hasPrefix(start) {
      unlink(folder.appendingPathComponent(name).path)
    }
  }
}
