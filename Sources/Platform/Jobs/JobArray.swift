import Foundation
import GRDB

/// Several runs sent to Slurm as one job array, waited for and collected: what a coordinator
/// such as `pleura experiment --executor slurm` does. Runs the cache already holds are not
/// submitted, and a run already submitted and not yet collected (an earlier coordinator's, killed
/// while it waited) is waited for rather than submitted twice.
public enum JobArray {
  public static func run(
    _ plans: [@Sendable () async throws -> JobRequest.Plan], overrides: JobResources, catalog: Catalog,
    pollInterval: Duration = .seconds(2), log: @Sendable (String) -> Void = { _ in }
  ) async throws -> [RunOutcome] {
    var outcomes: [RunOutcome?] = []
    var toSubmit: [(index: Int, request: JobRequest)] = []
    var waitingFor: [Int: String] = [:]
    for plan in plans {
      switch try await plan() {
      case .reused(let outcome): outcomes.append(outcome)
      case .submit(let request):
        outcomes.append(nil)
        if let open = try await openJob(for: request, catalog: catalog) {
          waitingFor[outcomes.count - 1] = open.id
          log("job \(open.id) (Slurm \(open.slurmTaskID)) already runs \(request.plugin); waiting for it")
        } else {
          toSubmit.append((outcomes.count - 1, request))
        }
      }
    }
    if !toSubmit.isEmpty {
      let jobs = try await JobSubmitter.submit(
        toSubmit.map(\.request), overrides: overrides, catalog: catalog)
      for (item, job) in zip(toSubmit, jobs) { waitingFor[item.index] = job.id }
      if let first = jobs.first {
        log("submitted \(jobs.count) \(first.plugin) job(s) as Slurm array \(first.slurmJobId)")
      }
    }
    var open = Set(waitingFor.values)
    while !open.isEmpty {
      let collection = try await JobCollector.collect(catalog: catalog, only: open)
      for job in collection.landed {
        log("job \(job.id) landed run \(job.runId ?? "?") (\(job.node ?? "?"))")
      }
      if let failed = collection.failed.first {
        throw JobError.invalidOutput(
          job: failed.id, reason: "it ended \(failed.status.rawValue): \(failed.reason ?? "")")
      }
      open.subtract(collection.landed.map(\.id))
      if !open.isEmpty { try await Task.sleep(for: pollInterval) }
    }
    for (index, jobID) in waitingFor { outcomes[index] = try await outcome(ofJob: jobID, catalog: catalog) }
    return try outcomes.map { outcome in
      guard let outcome else { throw JobError.unknownJob("?") }
      return outcome
    }
  }

  /// A job for the same run (identity and inputs) that is submitted and not yet collected.
  static func openJob(for request: JobRequest, catalog: Catalog) async throws -> Job? {
    let candidates = try await catalog.database.read { db in
      try Job.filter(
        Job.Columns.status == Job.Status.submitted.rawValue && Column("cache_key") == request.cacheKey
      )
      .fetchAll(db)
    }
    return candidates.first { $0.inputs.map(\.id).sorted() == request.inputs.map(\.id).sorted() }
  }

  /// The landed run of a job, as the runner would have returned it.
  public static func outcome(ofJob id: String, catalog: Catalog) async throws -> RunOutcome {
    try await catalog.database.read { db in
      guard let job = try Job.fetchOne(db, key: id), let runID = job.runId,
        let run = try Run.fetchOne(db, key: runID)
      else { throw JobError.unknownJob(id) }
      let outputs = try RunEdge.all().edges(.output, ofRun: runID).fetchAll(db).map(\.entity)
      return RunOutcome(
        runID: runID, plugin: run.plugin, outputs: outputs, reused: false, summary: run.summary ?? "")
    }
  }
}
