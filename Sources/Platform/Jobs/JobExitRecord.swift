import Foundation

/// What `pleura job run` leaves in its task folder when it ends: whether the run succeeded, its
/// id in the job's own copy of the catalog, the node, and the reason of a failure. A task killed
/// by Slurm (scancel, time limit) leaves none; the coordinator then asks Slurm.
public struct JobExitRecord: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable { case succeeded, failed }

  public var status: Status
  public var runID: String?
  public var node: String
  public var reason: String?
  public var endedAt: String
  /// Slurm's id of the array the task ran in (`SLURM_ARRAY_JOB_ID`): how a collection finds the
  /// job of a submission whose coordinator died before recording it, once Slurm has forgotten it.
  public var slurmJobID: String?

  public init(
    status: Status, runID: String?, node: String, reason: String?, endedAt: String, slurmJobID: String? = nil
  ) {
    self.status = status
    self.runID = runID
    self.node = node
    self.reason = reason
    self.endedAt = endedAt
    self.slurmJobID = slurmJobID
  }

  static let fileName = "exit.json"

  /// Written to a temporary name and renamed, so a reader never sees half a record.
  func write(into folder: URL) throws {
    let data = try JSONEncoder().encode(self)
    let temporary = folder.appendingPathComponent(".\(Self.fileName).tmp")
    try data.write(to: temporary)
    guard rename(temporary.path, folder.appendingPathComponent(Self.fileName).path) == 0 else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
    }
  }

  static func read(from folder: URL) -> JobExitRecord? {
    guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
    return try? JSONDecoder().decode(JobExitRecord.self, from: data)
  }
}
