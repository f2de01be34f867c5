import Foundation

/// `intent.json` in a submission's folder: the job rows a coordinator is about to record,
/// written before `sbatch` and removed once the rows are in the catalog. A coordinator killed
/// between the two leaves it behind, and the next `pleura jobs collect` records the jobs from it
/// (``JobReconciler``), so that no job Slurm runs is orphaned and no run that never reached Slurm
/// is forgotten.
struct JobIntent: Codable, Sendable {
  /// The rows, with no Slurm job id yet.
  var jobs: [Job]
  /// The coordinator, so that a collection does not take over a submission still under way.
  var host: String
  var pid: Int32
  /// The coordinator's start time (`/proc/PID/stat`, clock ticks since boot): tells a live
  /// coordinator from a later process that got its pid.
  var processStart: String?
  var writtenAt: String

  static let fileName = "intent.json"

  init(jobs: [Job]) {
    self.jobs = jobs
    host = ProcessInfo.processInfo.hostName
    pid = getpid()
    processStart = Self.startTime(of: getpid())
    writtenAt = Timestamp.now()
  }

  static func url(in submissionFolder: URL) -> URL {
    submissionFolder.appendingPathComponent(fileName)
  }

  /// Written to a temporary name and renamed, so a reader never sees half an intent.
  func write(into submissionFolder: URL) throws {
    let temporary = submissionFolder.appendingPathComponent(".\(Self.fileName).tmp")
    try JSONEncoder().encode(self).write(to: temporary)
    guard rename(temporary.path, Self.url(in: submissionFolder).path) == 0 else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
    }
  }

  static func read(from submissionFolder: URL) -> JobIntent? {
    guard let data = try? Data(contentsOf: url(in: submissionFolder)) else { return nil }
    return try? JSONDecoder().decode(JobIntent.self, from: data)
  }

  /// Whether the coordinator that wrote it may still be submitting. One on another machine is
  /// given an hour (its pid means nothing here); one here is alive if its pid is the same process.
  var coordinatorMayBeAlive: Bool {
    guard host == ProcessInfo.processInfo.hostName else {
      guard
        let written = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(
          writtenAt)
      else { return false }
      return Date().timeIntervalSince(written) < 3600
    }
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    return processStart == nil || Self.startTime(of: pid) == processStart
  }

  /// Field 22 of `/proc/PID/stat` (after the parenthesised command name, which may hold spaces).
  static func startTime(of pid: Int32) -> String? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (state); the start time is field 22.
    return fields.count > 19 ? String(fields[19]) : nil
  }
}
