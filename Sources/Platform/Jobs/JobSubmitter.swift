import Foundation
import GRDB

/// Sends runs to Slurm as one job array: a submission folder `CATALOG/jobs/SUBMISSION/` with a
/// snapshot of the catalog, `submission.json` and the batch script, then `sbatch`, then one
/// `job` row per task. Nothing else in the catalog changes: the runs land when they are
/// collected (``JobCollector``).
public enum JobSubmitter {
  /// Submits `requests` as one array; `overrides` (the command's --partition, --gres, --time,
  /// --account) replace what the plugins declared.
  public static func submit(
    _ requests: [JobRequest], overrides: JobResources, catalog: Catalog, executable: URL? = nil
  ) async throws -> [Job] {
    guard !requests.isEmpty else { return [] }
    let resources = requests.map(\.resources).reduce(JobResources()) { $0.merged(with: $1) }
      .overridden(by: overrides)
    let scriptLines = try resources.sbatchLines()
    let submission = "sub_" + String(Job.newID().dropFirst(4))
    let jobsFolder = catalog.root.appendingPathComponent(JobSubmissionSpec.jobsFolderName)
    let folder = jobsFolder.appendingPathComponent(submission)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let intended: [Job]
    let slurmID: String
    do {
      let snapshot = folder.appendingPathComponent(JobSubmissionSpec.snapshotName)
      let watermarks = try await makeSnapshot(of: catalog, at: snapshot)
      let jobIDs = requests.map { _ in Job.newID() }
      let spec = JobSubmissionSpec(
        submission: submission,
        tasks: zip(jobIDs, requests).map { id, request in
          .init(
            jobID: id, plugin: request.plugin, parametersJSON: request.parametersJSON, inputs: request.inputs,
            external: request.external)
        },
        watermarks: watermarks)
      let specURL = folder.appendingPathComponent(JobSubmissionSpec.fileName)
      try JSONEncoder().encode(spec).write(to: specURL)
      let script = folder.appendingPathComponent(JobSubmissionSpec.scriptName)
      try batchScript(
        submission: submission, tasks: requests.count, folder: folder, spec: specURL, lines: scriptLines,
        executable: executable ?? currentExecutable()
      ).write(to: script, atomically: true, encoding: .utf8)
      let now = Timestamp.now()
      let resourcesJSON = try CanonicalJSON.encode(resources)
      intended = try zip(jobIDs, requests).enumerated().map { index, pair in
        Job(
          id: pair.0, submission: submission, task: index, slurmJobId: "", plugin: pair.1.plugin,
          parametersJson: pair.1.parametersJSON,
          inputsJson: String(decoding: try JSONEncoder().encode(pair.1.inputs), as: UTF8.self),
          cacheKey: pair.1.cacheKey, resourcesJson: resourcesJSON, status: .submitted, submittedAt: now,
          finishedAt: nil, runId: nil, node: nil, slurmState: "PENDING", reason: nil, resubmittedAs: nil,
          pluginFolder: pair.1.external?.folder, pluginManifestSha256: pair.1.external?.manifestSHA256,
          pluginCommandSha256: pair.1.external?.commandSHA256)
      }
      // Recorded before sbatch: a coordinator killed once Slurm has the jobs and before their
      // rows are written leaves the intent, which the next collection turns into rows.
      try JobIntent(jobs: intended).write(into: folder)
      slurmID = try Slurm.submit(script: script)
    } catch {
      // Slurm did not take the submission (sbatch refused it) or it was never sent.
      try? FileManager.default.removeItem(at: folder)
      throw error
    }
    return try await record(intended, slurmJobID: slurmID, folder: folder, catalog: catalog)
  }

  /// Writes the rows of a submission Slurm has taken. A failure here leaves the folder and its
  /// intent: Slurm runs the jobs, and `pleura jobs collect` records them.
  static func record(_ intended: [Job], slurmJobID: String, folder: URL, catalog: Catalog) async throws
    -> [Job]
  {
    let jobs = intended.map { job in
      var job = job
      job.slurmJobId = slurmJobID
      return job
    }
    try await catalog.database.write { db in for job in jobs { try job.insert(db) } }
    try? FileManager.default.removeItem(at: JobIntent.url(in: folder))
    return jobs
  }

  /// Copies the catalog into `url` (SQLite's `VACUUM INTO`: a consistent copy, read while others
  /// write) and returns the largest rowid of each table in the copy.
  static func makeSnapshot(of catalog: Catalog, at url: URL) async throws -> [String: Int64] {
    try await catalog.database.writeWithoutTransaction { db in
      try db.execute(sql: "VACUUM INTO ?", arguments: [url.path])
    }
    let queue = try DatabaseQueue(path: url.path)
    defer { try? queue.close() }
    let watermarks = try await queue.read { db -> [String: Int64] in
      var marks: [String: Int64] = [:]
      for table in try JobLanding.tables(in: db, schema: "main") {
        marks[table] =
          try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM \(table.quotedDatabaseIdentifier)")
          ?? 0
      }
      return marks
    }
    chmod(url.path, 0o444)
    return watermarks
  }

  /// The batch script: one array task per run, each `pleura job run SPEC --task N`, its output
  /// in the submission folder.
  static func batchScript(
    submission: String, tasks: Int, folder: URL, spec: URL, lines: [String], executable: URL
  ) -> String {
    ([
      "#!/bin/sh",
      "#SBATCH --job-name=\(jobName(of: submission))",
      "#SBATCH --array=0-\(tasks - 1)",
      "#SBATCH --output=\(folder.path)/slurm-%a.out",
      "#SBATCH --ntasks=1",
    ] + lines + [
      "exec \(shellQuoted(executable.path)) job run \(shellQuoted(spec.path)) --task \"$SLURM_ARRAY_TASK_ID\"",
      "",
    ]).joined(separator: "\n")
  }

  /// The Slurm job name of a submission: unique, so that a submission whose coordinator died
  /// before recording it is found again (``JobReconciler``).
  static func jobName(of submission: String) -> String { "pleura-\(submission)" }

  static func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// The `pleura` binary to run on the nodes: `PLEURA_JOB_EXECUTABLE` when set (a cluster whose
  /// nodes see the binary elsewhere), else this very binary, which the shared file system shows
  /// the nodes at the same path.
  static func currentExecutable() -> URL {
    if let path = ProcessInfo.processInfo.environment["PLEURA_JOB_EXECUTABLE"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
  }
}
