import Foundation

/// The Slurm commands Pleura uses: sbatch to submit, squeue and scontrol to see how a job
/// stands, scancel to stop one. No accounting database is assumed (no sacct): what Slurm has
/// forgotten, the job folder's exit record tells (``JobExitRecord``).
public enum Slurm {
  /// How Slurm sees one task of a job array.
  public struct TaskState: Sendable, Equatable {
    /// `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, `TIMEOUT`, `FAILED`, ...
    public var state: String
    /// Why it waits or how it ended (`Priority`, `Resources`, `None`, ...).
    public var reason: String?
    public var node: String?

    /// States in which the task may still write its folder.
    public var isActive: Bool {
      [
        "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD",
        "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD",
      ].contains(state)
    }
  }

  /// Submits a batch script; returns Slurm's job id.
  static func submit(script: URL) throws -> String {
    let output = try run("sbatch", ["--parsable", script.path])
    let id =
      output.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
      throw JobError.slurmRefused(command: "sbatch", message: "unexpected answer '\(output)'")
    }
    return id
  }

  /// The states Slurm still knows of the tasks of these array jobs, by `JOBID_TASK`
  /// (squeue, which lists finished tasks for as long as the controller keeps them: MinJobAge).
  static func states(ofArrays ids: [String]) throws -> [String: TaskState] {
    guard !ids.isEmpty else { return [:] }
    let output: String
    do {
      output = try run(
        "squeue", ["-h", "-r", "-t", "all", "-j", ids.joined(separator: ","), "-o", "%i|%T|%r|%N"])
    } catch JobError.slurmRefused(_, let message) where message.contains("Invalid job id") {
      return [:]
    }
    var states: [String: TaskState] = [:]
    for line in output.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 4 else { continue }
      states[fields[0]] = TaskState(
        state: fields[1], reason: fields[2].isEmpty || fields[2] == "None" ? nil : fields[2],
        node: fields[3].isEmpty ? nil : fields[3])
    }
    return states
  }

  /// `scontrol show job` of one task: its state, reason and node, or nil once Slurm has
  /// forgotten it.
  static func detail(ofTask id: String) -> TaskState? {
    guard let output = try? run("scontrol", ["show", "job", "-o", id]) else { return nil }
    var fields: [String: String] = [:]
    for word in output.split(whereSeparator: \.isWhitespace) {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2, fields[parts[0]] == nil { fields[parts[0]] = parts[1] }
    }
    guard let state = fields["JobState"] else { return nil }
    let reason = fields["Reason"].flatMap { $0 == "None" ? nil : $0 }
    let node = fields["NodeList"].flatMap { $0 == "(null)" ? nil : $0 }
    return TaskState(state: state, reason: reason, node: node)
  }

  /// The id of the job array named `name` (sbatch's `--job-name`), while Slurm still knows it.
  static func arrayJobID(named name: String) throws -> String? {
    let output = try run("squeue", ["-h", "-t", "all", "--name", name, "-o", "%F"])
    return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .first { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
  }

  /// Cancels one task (`JOBID_TASK`) or a whole job.
  static func cancel(_ id: String) throws { _ = try run("scancel", [id]) }

  /// Runs a Slurm command and returns its standard output; a non-zero exit throws its first
  /// line of standard error.
  static func run(_ command: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw JobError.slurmUnavailable(command: command, reason: "\(error)")
    }
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errorText = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    if process.terminationStatus == 127 {
      throw JobError.slurmUnavailable(command: command, reason: "not found on PATH")
    }
    guard process.terminationStatus == 0 else {
      let line =
        errorText.split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
      throw JobError.slurmRefused(command: command, message: line)
    }
    return String(decoding: output, as: UTF8.self)
  }
}
