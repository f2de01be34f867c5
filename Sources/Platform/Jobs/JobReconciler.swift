import Foundation
import GRDB

/// Turns the intents that killed coordinators left (``JobIntent``) into job rows, before a
/// collection looks at the jobs. A submission Slurm has (found by its unique job name, or by the
/// array id its tasks wrote into their exit records once Slurm has forgotten it) gets its rows as
/// submitted, to be collected like any other; one Slurm never received gets its rows as failed,
/// "never submitted", so that `pleura jobs resubmit` can send it.
enum JobReconciler {
  /// What was recorded: submissions found at Slurm, and submissions that never reached it.
  struct Outcome: Sendable {
    var recovered: [Job] = []
    var neverSubmitted: [Job] = []
  }

  static func reconcile(catalog: Catalog) async throws -> Outcome {
    var outcome = Outcome()
    for folder in submissionFolders(of: catalog) {
      // An intent is only taken for the submission whose folder holds it.
      guard let intent = JobIntent.read(from: folder), let first = intent.jobs.first,
        intent.jobs.allSatisfy({ $0.submission == folder.lastPathComponent })
      else { continue }
      let recorded = try await catalog.database.read { db in
        try Job.filter(Job.Columns.submission == first.submission).fetchCount(db)
      }
      if recorded > 0 {
        // The coordinator wrote the rows and stopped before removing its intent.
        try? FileManager.default.removeItem(at: JobIntent.url(in: folder))
        continue
      }
      if intent.coordinatorMayBeAlive { continue }
      let slurmID =
        try Slurm.arrayJobID(named: JobSubmitter.jobName(of: first.submission))
        ?? intent.jobs.indices.lazy.compactMap {
          JobExitRecord.read(from: JobSubmissionSpec.taskFolder($0, in: folder))?.slurmJobID
        }.first
      let jobs = intent.jobs.map { job in
        var job = job
        if let slurmID {
          job.slurmJobId = slurmID
        } else {
          job.status = .failed
          job.slurmState = nil
          job.finishedAt = Timestamp.now()
          job.reason =
            "never submitted: its coordinator stopped before Slurm took it (`pleura jobs resubmit` sends it)"
        }
        return job
      }
      let written = try await catalog.database.write { db -> Bool in
        guard try Job.filter(Job.Columns.submission == first.submission).fetchCount(db) == 0 else {
          return false
        }
        for job in jobs { try job.insert(db) }
        return true
      }
      try? FileManager.default.removeItem(at: JobIntent.url(in: folder))
      if written {
        if slurmID == nil { outcome.neverSubmitted += jobs } else { outcome.recovered += jobs }
      }
    }
    return outcome
  }

  /// The submission folders under `CATALOG/jobs/`, in name order.
  static func submissionFolders(of catalog: Catalog) -> [URL] {
    let jobs = catalog.root.appendingPathComponent(JobSubmissionSpec.jobsFolderName)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: jobs.path)) ?? []
    return names.filter { $0.hasPrefix("sub_") }.sorted().map { jobs.appendingPathComponent($0) }
  }
}
