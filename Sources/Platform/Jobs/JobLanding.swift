import Foundation
import GRDB

/// Lands a finished task's run in the catalog: the rows its run wrote into the task's copy of
/// the catalog (every row above the snapshot's watermarks) and the blobs it wrote into the task's
/// store, after checking that they are the run that was asked for and that every blob's bytes
/// match its name. The rows go in one transaction, with the job row marked landed, so a run
/// lands whole or not at all, and a job lands once however many coordinators collect it.
enum JobLanding {
  /// Tables a run may write rows into. Bookkeeping that stays with the process that made it
  /// (GRDB's migrations, files a run keeps outside the catalog) and the jobs' own tables are not
  /// landed.
  static func tables(in db: Database, schema: String) throws -> [String] {
    let skipped: Set<String> = ["grdb_migrations", "run_partial_file", "job", "setting"]
    return try String.fetchAll(
      db,
      sql: """
        SELECT name FROM \(schema).sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
        """
    ).filter { !skipped.contains($0) }
  }

  /// Lands the run `exit` names; returns its id.
  static func land(
    _ job: Job, exit: JobExitRecord, slurm: Slurm.TaskState?, spec: JobSubmissionSpec, taskFolder: URL,
    catalog: Catalog
  ) async throws -> String {
    let database = taskFolder.appendingPathComponent(Catalog.databaseFileName)
    guard let runID = exit.runID else {
      throw JobError.invalidOutput(job: job.id, reason: "the exit record names no run")
    }
    let marks = spec.watermarks
    // What the task's copy holds, read on its own before anything is written.
    let copy = try DatabaseQueue(path: database.path)
    let newBlobs = try await copy.read { db -> [StoredBlob] in
      try check(job, runID: runID, marks: marks, in: db)
      return try Row.fetchAll(
        db, sql: "SELECT sha256, size FROM blob WHERE rowid > ?", arguments: [marks["blob"] ?? 0]
      ).map { StoredBlob(sha256: $0["sha256"], size: $0["size"]) }
    }
    try copy.close()

    // Blobs first, under the run lock (gc never removes what is about to be referenced): each
    // one's bytes are hashed against its name as they are moved in.
    let lock = try catalog.runLock()
    defer { withExtendedLifetime(lock) {} }
    let taskStore = BlobStore(root: taskFolder.appendingPathComponent(Catalog.objectsFolderName))
    var movedBlobs: [String] = []
    for blob in newBlobs {
      let file = try taskStore.ownURL(for: blob.sha256)
      if FileManager.default.fileExists(atPath: file.path) {
        let (sha256, size) = try SHA256Hex.digest(fileAt: file)
        guard sha256 == blob.sha256, size == blob.size else {
          throw JobError.invalidOutput(
            job: job.id, reason: "blob \(blob.sha256) does not hold the bytes its name says")
        }
        _ = try catalog.blobs.store(movingVerifiedFileAt: file, sha256: sha256, size: size)
        movedBlobs.append(sha256)
      } else if !catalog.blobs.contains(blob.sha256) {
        throw JobError.invalidOutput(
          job: job.id, reason: "blob \(blob.sha256) is missing from the job's outputs")
      }
    }

    let moved = movedBlobs
    let where_ = [exit.node, slurm?.state].compactMap { $0 }
    let note =
      "ran on Slurm: job \(job.slurmTaskID)" + (where_.isEmpty ? "" : " (\(where_.joined(separator: ", ")))")
    let landed = try await catalog.database.writeWithoutTransaction { db -> Bool in
      try db.execute(sql: "ATTACH DATABASE ? AS task", arguments: [database.path])
      defer { try? db.execute(sql: "DETACH DATABASE task") }
      var landed = false
      try db.inTransaction(.immediate) {
        let status = try String.fetchOne(
          db, sql: "SELECT status FROM main.job WHERE id = ?", arguments: [job.id])
        guard status == Job.Status.submitted.rawValue else { return .commit }
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        for table in try tables(in: db, schema: "task") {
          guard let mark = marks[table] else { continue }
          let columns = try Row.fetchAll(db, sql: "PRAGMA main.table_info(\(table.quotedDatabaseIdentifier))")
            .map { ($0["name"] as String).quotedDatabaseIdentifier }.joined(separator: ", ")
          let verb = table == "blob" ? "INSERT OR IGNORE" : "INSERT"
          try db.execute(
            sql: """
              \(verb) INTO main.\(table.quotedDatabaseIdentifier) (\(columns))
              SELECT \(columns) FROM task.\(table.quotedDatabaseIdentifier) WHERE rowid > ?
              """, arguments: [mark])
        }
        for sha256 in moved {
          try db.execute(sql: "UPDATE main.blob SET stored = 1 WHERE sha256 = ?", arguments: [sha256])
        }
        try db.execute(
          sql:
            "UPDATE main.run SET summary = trim(coalesce(summary, '') || char(10) || ?, char(10)) WHERE id = ?",
          arguments: [note, runID])
        try db.execute(
          sql: """
            UPDATE main.job SET status = 'landed', finished_at = ?, run_id = ?, node = ?, slurm_state = ?,
            reason = NULL WHERE id = ?
            """,
          arguments: [exit.endedAt, runID, exit.node, slurm?.state ?? "COMPLETED", job.id])
        landed = true
        return .commit
      }
      return landed
    }
    if landed { try? FileManager.default.removeItem(at: taskFolder) }
    return runID
  }

  /// The task's copy holds exactly one new run, the one asked for: the same plugin and identity
  /// (plugin version, parameters, input content), the very inputs, and it succeeded.
  private static func check(_ job: Job, runID: String, marks: [String: Int64], in db: Database) throws {
    let runs = try Run.fetchAll(db, sql: "SELECT * FROM run WHERE rowid > ?", arguments: [marks["run"] ?? 0])
    guard runs.count == 1, let run = runs.first, run.id == runID else {
      throw JobError.invalidOutput(
        job: job.id, reason: "its folder holds \(runs.count) new runs, not its one run")
    }
    guard run.status == .succeeded else {
      throw JobError.invalidOutput(job: job.id, reason: "its run \(run.id) did not succeed")
    }
    guard run.plugin == job.plugin, run.cacheKey == job.cacheKey else {
      throw JobError.invalidOutput(job: job.id, reason: "its run \(run.id) is not the run that was submitted")
    }
    // An external plugin's run records the digests of the files that ran: those submitted.
    if let external = job.externalPlugin {
      guard run.pluginManifestSha256 == external.manifestSHA256,
        run.pluginCommandSha256 == external.commandSHA256
      else {
        throw JobError.invalidOutput(
          job: job.id, reason: "its run \(run.id) ran other plugin files than were submitted")
      }
    }
    let inputs = try RunEdge.all().edges(.input, ofRun: run.id).fetchAll(db).map(\.entity.id).sorted()
    guard inputs == job.inputs.map(\.id).sorted() else {
      throw JobError.invalidOutput(
        job: job.id, reason: "its run \(run.id) read other inputs than were submitted")
    }
  }
}
