import Foundation
import GRDB

/// One run sent to Slurm: a task of a submission (an sbatch job array), what it runs, and how it
/// ended. The coordinator writes these rows; nodes never do (see Platform/Jobs).
public struct Job: CatalogRecord, Equatable {
  public static let databaseTableName = "job"
  public enum Columns {
    public static let id = Column("id")
    public static let status = Column("status")
    public static let submittedAt = Column("submitted_at")
    public static let submission = Column("submission")
  }

  public enum Status: String, Codable, Sendable {
    /// Handed to Slurm; pending, running, or finished and not yet collected.
    case submitted
    /// Its run is in the catalog.
    case landed
    /// It ended without a run to land (failed, timed out, lost); it may be resubmitted.
    case failed
    /// Cancelled (scancel) before it finished; it may be resubmitted.
    case cancelled
  }

  public var id: String
  public var submission: String
  public var task: Int
  public var slurmJobId: String
  public var plugin: String
  public var parametersJson: String
  public var inputsJson: String
  public var cacheKey: String
  public var resourcesJson: String
  public var status: Status
  public var submittedAt: String
  public var finishedAt: String?
  public var runId: String?
  public var node: String?
  public var slurmState: String?
  public var reason: String?
  public var resubmittedAs: String?
  /// An external plugin's folder, and the SHA-256 of its manifest and program at submission;
  /// nil for a built-in plugin.
  public var pluginFolder: String? = nil
  public var pluginManifestSha256: String? = nil
  public var pluginCommandSha256: String? = nil

  /// Slurm's name for this task: `ARRAYJOB_TASK` (`-` for a job that never reached Slurm).
  public var slurmTaskID: String { slurmJobId.isEmpty ? "-" : "\(slurmJobId)_\(task)" }

  /// The external plugin the job runs, or nil for a built-in one.
  public var externalPlugin: ExternalJobPlugin? {
    guard let pluginFolder, let pluginManifestSha256, let pluginCommandSha256 else { return nil }
    return ExternalJobPlugin(
      folder: pluginFolder, manifestSHA256: pluginManifestSha256, commandSHA256: pluginCommandSha256)
  }

  public var inputs: [EntityRef] {
    (try? JSONDecoder().decode([EntityRef].self, from: Data(inputsJson.utf8))) ?? []
  }

  public static func newID() -> String {
    "job_" + (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
  }
}
