import Foundation
import Logging

/// `pleura job run SPEC --task N` on a cluster node: runs one task of a submission in its own
/// folder and never touches the catalog's database. The task folder is a catalog of its own: a
/// copy of the submission's snapshot and an object store that reads the catalog's blobs (read
/// only) and keeps the blobs the run writes. The run goes through the ordinary ``Runner``, so
/// it is recorded, checked and persisted exactly as a local run is, only into the copy; the
/// coordinator lands it from there (``JobLanding``).
public enum JobWorker {
  /// Runs the plugin's parameters (JSON) on its inputs with a runner: the registry's
  /// `runWithJSON`, passed in because Platform names no plugin.
  public typealias RunPlugin =
    @Sendable (_ plugin: String, _ runner: Runner, _ json: String, _ inputs: [EntityRef]) async throws ->
    RunOutcome

  /// Runs the task and writes its exit record; returns the record.
  public static func run(
    spec specURL: URL, task index: Int, logger: Logger, progress: ProgressSink, runPlugin: RunPlugin
  ) async throws -> JobExitRecord {
    let spec = try JobSubmissionSpec.read(from: specURL)
    guard spec.tasks.indices.contains(index) else {
      throw JobError.invalidSpec(
        path: specURL.path, reason: "has no task \(index) (it has \(spec.tasks.count))")
    }
    let task = spec.tasks[index]
    let submissionFolder = specURL.deletingLastPathComponent()
    let catalogRoot = submissionFolder.deletingLastPathComponent().deletingLastPathComponent()
    let folder = JobSubmissionSpec.taskFolder(index, in: submissionFolder)
    let fileManager = FileManager.default
    // A task started again by Slurm (requeued) begins afresh.
    try? fileManager.removeItem(at: folder)
    try fileManager.createDirectory(
      at: folder.appendingPathComponent(Catalog.objectsFolderName).appendingPathComponent("staging"),
      withIntermediateDirectories: true)
    let database = folder.appendingPathComponent(Catalog.databaseFileName)
    try fileManager.copyItem(
      at: submissionFolder.appendingPathComponent(JobSubmissionSpec.snapshotName), to: database)
    chmod(database.path, 0o644)

    let environment = ProcessInfo.processInfo.environment
    let node = environment["SLURMD_NODENAME"] ?? ProcessInfo.processInfo.hostName
    let slurmJobID = environment["SLURM_ARRAY_JOB_ID"] ?? environment["SLURM_JOB_ID"]
    let record: JobExitRecord
    do {
      let catalog = try Catalog.openWorkspace(
        at: folder, blobsReadFrom: catalogRoot.appendingPathComponent(Catalog.objectsFolderName))
      let runner = Runner(catalog: catalog, logger: logger, progress: progress)
      let outcome: RunOutcome
      if let external = task.external {
        outcome = try await runExternal(external, task: task, runner: runner)
      } else {
        outcome = try await runPlugin(task.plugin, runner, task.parametersJSON, task.inputs)
      }
      record = JobExitRecord(
        status: .succeeded, runID: outcome.runID, node: node, reason: nil, endedAt: Timestamp.now(),
        slurmJobID: slurmJobID)
    } catch {
      record = JobExitRecord(
        status: .failed, runID: nil, node: node, reason: "\(error)", endedAt: Timestamp.now(),
        slurmJobID: slurmJobID)
    }
    try record.write(into: folder)
    return record
  }

  /// An external plugin's task: the plugin is loaded from the folder the submission names and
  /// run only if its manifest and program hash to what was submitted; the runner then records
  /// and lands it exactly as a local external run (``Runner/run(external:parameters:inputs:force:)``).
  static func runExternal(_ external: ExternalJobPlugin, task: JobSubmissionSpec.Task, runner: Runner)
    async throws -> RunOutcome
  {
    let plugin = try external.load(name: task.plugin)
    guard
      let parameters = try? JSONDecoder().decode(AnyJSON.self, from: Data(task.parametersJSON.utf8))
        .objectValue
    else {
      throw ParameterError.invalid(
        plugin: task.plugin, reason: "the submitted parameters are not a JSON object")
    }
    return try await runner.run(external: plugin, parameters: parameters, inputs: task.inputs, force: true)
  }
}
