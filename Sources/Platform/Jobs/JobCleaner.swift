import Foundation
import GRDB

/// Removes job folders under `CATALOG/jobs/` once nothing needs them. A failed or cancelled job's
/// folder (its task folder with the run's copy of the catalog, Slurm's `slurm-N.out`) is kept for
/// diagnosis while the job can be resubmitted; it goes when the job is resubmitted, or with
/// `pleura jobs clean`. A folder of a job still pending, running or not yet collected, or of a
/// submission not yet recorded (being submitted, or left by a killed coordinator), is never
/// removed.
public enum JobCleaner {
  /// What a clean removed (or would remove): folders relative to the catalog.
  public struct Report: Sendable, Codable, Equatable {
    public var removed: [String] = []
    public var bytes: Int64 = 0
  }

  /// `pleura jobs clean`: the folders of every collected job (landed, failed, cancelled).
  public static func clean(catalog: Catalog, dryRun: Bool = false) async throws -> Report {
    var report = Report()
    for folder in JobReconciler.submissionFolders(of: catalog) {
      guard JobIntent.read(from: folder) == nil else { continue }
      let jobs = try await jobs(of: folder.lastPathComponent, catalog: catalog)
      guard !jobs.isEmpty else { continue }
      if jobs.allSatisfy({ $0.status != .submitted }) {
        remove(folder, catalog: catalog, dryRun: dryRun, into: &report)
        continue
      }
      for job in jobs where job.status == .failed || job.status == .cancelled {
        remove(
          JobSubmissionSpec.taskFolder(job.task, in: folder), catalog: catalog, dryRun: dryRun, into: &report)
      }
    }
    return report
  }

  /// After a job was resubmitted or landed: its old task folder goes, and the submission's folder
  /// (snapshot, spec, script, Slurm's output) once every job of it has landed or been resubmitted.
  static func tidy(submission: String, resubmittedTask: Int? = nil, catalog: Catalog) async throws {
    let folder = catalog.root.appendingPathComponent(JobSubmissionSpec.jobsFolderName)
      .appendingPathComponent(submission)
    var report = Report()
    if let task = resubmittedTask {
      remove(JobSubmissionSpec.taskFolder(task, in: folder), catalog: catalog, dryRun: false, into: &report)
    }
    let jobs = try await jobs(of: submission, catalog: catalog)
    guard !jobs.isEmpty, JobIntent.read(from: folder) == nil,
      jobs.allSatisfy({ $0.status == .landed || $0.resubmittedAs != nil })
    else { return }
    remove(folder, catalog: catalog, dryRun: false, into: &report)
  }

  static func jobs(of submission: String, catalog: Catalog) async throws -> [Job] {
    try await catalog.database.read { db in
      try Job.filter(Job.Columns.submission == submission).fetchAll(db)
    }
  }

  private static func remove(_ folder: URL, catalog: Catalog, dryRun: Bool, into report: inout Report) {
    guard FileManager.default.fileExists(atPath: folder.path) else { return }
    let size = bytes(in: folder)
    if !dryRun {
      guard (try? FileManager.default.removeItem(at: folder)) != nil else { return }
    }
    report.removed.append(String(folder.path.dropFirst(catalog.root.path.count + 1)))
    report.bytes += size
  }

  private static func bytes(in folder: URL) -> Int64 {
    let keys: Set<URLResourceKey> = [.fileSizeKey, .isRegularFileKey]
    let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: Array(keys))
    var total: Int64 = 0
    while let file = files?.nextObject() as? URL {
      guard let values = try? file.resourceValues(forKeys: keys), values.isRegularFile == true else {
        continue
      }
      total += Int64(values.fileSize ?? 0)
    }
    return total
  }
}
