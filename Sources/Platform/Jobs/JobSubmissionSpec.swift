import Foundation

/// `submission.json`, the SPEC of `pleura job run SPEC`: what each task of a submission runs.
/// It lives in the submission's folder, `CATALOG/jobs/SUBMISSION/`, beside `snapshot.sqlite` (the
/// catalog as it was at submission, which each task copies into its own folder and runs
/// against) and the batch script. Paths are not stored: the catalog is two folders up, wherever
/// the cluster's shared file system mounts it.
public struct JobSubmissionSpec: Codable, Sendable {
  public struct Task: Codable, Sendable {
    public var jobID: String
    public var plugin: String
    /// The plugin's parameters as canonical JSON (``ParameterSchema/decode(json:as:)`` reads them).
    public var parametersJSON: String
    public var inputs: [EntityRef]
    /// The external plugin to run (its files checked on the node), or nil for a built-in one.
    public var external: ExternalJobPlugin?
  }

  public var submission: String
  public var tasks: [Task]
  /// The largest rowid of each table in the snapshot: rows above it are the ones the task's run
  /// wrote, which the coordinator lands (``JobLanding``).
  public var watermarks: [String: Int64]

  static let fileName = "submission.json"
  static let snapshotName = "snapshot.sqlite"
  static let scriptName = "job.sh"
  /// Where submissions live inside a catalog folder: the jobs' staging area.
  public static let jobsFolderName = "jobs"

  /// The task folder of task `index` inside a submission folder.
  static func taskFolder(_ index: Int, in submissionFolder: URL) -> URL {
    submissionFolder.appendingPathComponent("task-\(index)")
  }

  static func read(from url: URL) throws -> JobSubmissionSpec {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw JobError.invalidSpec(path: url.path, reason: "cannot be read")
    }
    do { return try JSONDecoder().decode(JobSubmissionSpec.self, from: data) } catch {
      throw JobError.invalidSpec(path: url.path, reason: "is not a Pleura job specification")
    }
  }
}
