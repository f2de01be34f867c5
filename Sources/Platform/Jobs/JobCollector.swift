import Foundation
import GRDB

/// The coordinator's side: how each job stands (the catalog's row, Slurm's squeue and scontrol,
/// the task folder's exit record), and collecting, which lands every finished run and records
/// every job that ended without one. Collecting again changes nothing; a coordinator killed
/// part-way loses nothing, since a job's folder stays until its run has landed.
public enum JobCollector {
  /// One job as it stands now.
  public struct Report: Sendable, Codable, Equatable {
    public var job: Job
    /// `submitting` (not recorded yet), `pending`, `running`, `finished` (waiting to be collected),
    /// `landed`, `failed`, `cancelled`.
    public var state: String
    /// Slurm's state and reason, or why the job failed.
    public var detail: String?
  }

  /// Every job of the catalog (newest first), with Slurm asked about those not yet collected.
  public static func list(catalog: Catalog) async throws -> [Report] {
    let jobs = try await catalog.database.read { db in
      try Job.order(Job.Columns.submittedAt.desc, Job.Columns.submission, Column("task")).fetchAll(db)
    }
    let open = jobs.filter { $0.status == .submitted }
    let states = try Slurm.states(ofArrays: Array(Set(open.map(\.slurmJobId))).sorted())
    // Submissions whose rows are not written yet: being submitted, or left by a killed coordinator.
    let recorded = Set(jobs.map(\.submission))
    let unrecorded = JobReconciler.submissionFolders(of: catalog).compactMap(JobIntent.read(from:))
      .flatMap(\.jobs).filter { !recorded.contains($0.submission) }
      .map {
        Report(
          job: $0, state: "submitting",
          detail: "not recorded yet; `pleura jobs collect` records it once its coordinator has stopped")
      }
    return unrecorded
      + jobs.map { job in
        guard job.status == .submitted else {
          return Report(job: job, state: job.status.rawValue, detail: job.reason ?? job.slurmState)
        }
        let slurm = states[job.slurmTaskID]
        let exit = JobExitRecord.read(from: taskFolder(of: job, in: catalog))
        if let slurm, slurm.isActive {
          let state = slurm.state == "PENDING" ? "pending" : "running"
          return Report(
            job: job, state: state,
            detail: [slurm.state, slurm.reason].compactMap { $0 }.joined(separator: ": "))
        }
        return Report(job: job, state: "finished", detail: exit.map { $0.status.rawValue } ?? slurm?.state)
      }
  }

  /// What one collection did.
  public struct Collection: Sendable, Codable {
    public var landed: [Job] = []
    public var failed: [Job] = []
    /// Jobs still pending or running.
    public var waiting: [Job] = []
    /// Jobs a killed coordinator left unrecorded that Slurm has, recorded now.
    public var recovered: [Job] = []
  }

  /// Lands every finished job's run and records every job that ended without one. `only`
  /// restricts it to some jobs (an experiment's own).
  public static func collect(catalog: Catalog, only: Set<String>? = nil) async throws -> Collection {
    let reconciled = try await JobReconciler.reconcile(catalog: catalog)
    var collection = Collection(
      failed: reconciled.neverSubmitted.filter { only?.contains($0.id) ?? true },
      recovered: reconciled.recovered)
    let jobs = try await catalog.database.read { db in
      try Job.filter(Job.Columns.status == Job.Status.submitted.rawValue).order(Job.Columns.submittedAt)
        .fetchAll(db)
    }.filter { only?.contains($0.id) ?? true }
    let states = try Slurm.states(ofArrays: Array(Set(jobs.map(\.slurmJobId))).sorted())
    for job in jobs {
      var slurm = states[job.slurmTaskID] ?? Slurm.detail(ofTask: job.slurmTaskID)
      if slurm?.isActive == true {
        collection.waiting.append(job)
        continue
      }
      let folder = taskFolder(of: job, in: catalog)
      let exit = JobExitRecord.read(from: folder)
      var ended = job
      ended.finishedAt = exit?.endedAt ?? Timestamp.now()
      ended.node = exit?.node ?? slurm?.node
      ended.slurmState = slurm?.state
      if let exit, exit.status == .succeeded {
        if slurm == nil { slurm = Slurm.TaskState(state: "COMPLETED", reason: nil, node: exit.node) }
        do {
          let spec = try JobSubmissionSpec.read(from: specURL(of: job, in: catalog))
          let runID = try await JobLanding.land(
            job, exit: exit, slurm: slurm, spec: spec, taskFolder: folder, catalog: catalog)
          ended.status = .landed
          ended.runId = runID
          collection.landed.append(ended)
          try await JobCleaner.tidy(submission: job.submission, catalog: catalog)
          continue
        } catch {
          ended.status = .failed
          ended.reason = catalog.describe(error)
        }
      } else if let exit {
        ended.status = .failed
        ended.reason = exit.reason ?? "the run failed"
      } else if let slurm {
        ended.status = slurm.state.hasPrefix("CANCELLED") ? .cancelled : .failed
        ended.reason =
          "Slurm: \(slurm.state)" + (slurm.reason.map { " (\($0))" } ?? "") + "; the job left no exit record"
      } else {
        ended.status = .failed
        ended.reason = "Slurm no longer knows job \(job.slurmTaskID) and it left no exit record"
      }
      let record = ended
      let written = try await catalog.database.write { db -> Bool in
        // Another coordinator may have collected it meanwhile.
        guard
          try Job.filter(Job.Columns.id == record.id && Job.Columns.status == Job.Status.submitted.rawValue)
            .fetchCount(db) == 1
        else { return false }
        try record.update(db)
        return true
      }
      if written { collection.failed.append(record) }
    }
    return collection
  }

  /// Cancels a job that has not ended (scancel); the next collection records it cancelled.
  public static func cancel(_ id: String, catalog: Catalog) async throws -> Job {
    let job = try await find(id, catalog: catalog)
    try Slurm.cancel(job.slurmTaskID)
    return job
  }

  /// Submits a failed or cancelled job again, as a new job; the old one names it.
  public static func resubmit(_ id: String, overrides: JobResources, catalog: Catalog) async throws -> Job {
    let job = try await find(id, catalog: catalog)
    guard job.status == .failed || job.status == .cancelled else {
      throw JobError.notResubmittable(job.id, status: job.status.rawValue)
    }
    if let again = job.resubmittedAs { throw JobError.alreadyResubmitted(job.id, as: again) }
    let declared =
      (try? JSONDecoder().decode(JobResources.self, from: Data(job.resourcesJson.utf8))) ?? JobResources()
    let request = JobRequest(
      plugin: job.plugin, parametersJSON: job.parametersJson, inputs: job.inputs, cacheKey: job.cacheKey,
      resources: declared, external: job.externalPlugin)
    guard let again = try await JobSubmitter.submit([request], overrides: overrides, catalog: catalog).first
    else {
      throw JobError.unknownJob(id)
    }
    try await catalog.database.write { db in
      try db.execute(sql: "UPDATE job SET resubmitted_as = ? WHERE id = ?", arguments: [again.id, job.id])
    }
    // Nothing is left to diagnose: the old task's folder goes (and its submission's, once done).
    try await JobCleaner.tidy(submission: job.submission, resubmittedTask: job.task, catalog: catalog)
    return again
  }

  static func find(_ id: String, catalog: Catalog) async throws -> Job {
    guard let job = try await catalog.database.read({ db in try Job.fetchOne(db, key: id) }) else {
      throw JobError.unknownJob(id)
    }
    return job
  }

  static func submissionFolder(of job: Job, in catalog: Catalog) -> URL {
    catalog.root.appendingPathComponent(JobSubmissionSpec.jobsFolderName).appendingPathComponent(
      job.submission)
  }

  static func specURL(of job: Job, in catalog: Catalog) -> URL {
    submissionFolder(of: job, in: catalog).appendingPathComponent(JobSubmissionSpec.fileName)
  }

  static func taskFolder(of job: Job, in catalog: Catalog) -> URL {
    JobSubmissionSpec.taskFolder(job.task, in: submissionFolder(of: job, in: catalog))
  }
}
