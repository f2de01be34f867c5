import Foundation
import Primitives

public enum JobError: Error, CustomStringConvertible {
  case invalidResource(option: String, value: String)
  case slurmUnavailable(command: String, reason: String)
  case slurmRefused(command: String, message: String)
  case unknownJob(String)
  case notResubmittable(String, status: String)
  case invalidSpec(path: String, reason: String)
  case invalidOutput(job: String, reason: String)
  case unknownExecutor(String)
  case pluginChanged(name: String, folder: String, reason: String)
  case builtinThroughRun(String)
  case alreadyResubmitted(String, as: String)

  public var description: String {
    switch self {
    case .invalidResource(let option, let value):
      "--\(option) '\(value.escapedForMessage)' is not a value sbatch takes (letters, digits and :_-.,=+/ only)"
    case .slurmUnavailable(let command, let reason):
      "cannot run \(command): \(reason) (is Slurm installed, and SLURM_CONF set on this machine?)"
    case .slurmRefused(let command, let message): "\(command) refused: \(message.escapedForMessage)"
    case .unknownJob(let id): "no job \(id.escapedForMessage) in this catalog (see pleura jobs)"
    case .notResubmittable(let id, let status):
      "job \(id) is \(status); only failed or cancelled jobs can be resubmitted"
    case .invalidSpec(let path, let reason): "\(path.escapedForMessage): \(reason)"
    case .invalidOutput(let job, let reason): "job \(job) did not land: \(reason)"
    case .unknownExecutor(let name): "unknown executor '\(name.escapedForMessage)' (local or slurm)"
    case .pluginChanged(let name, let folder, let reason):
      "external plugin \(name) in \(folder.escapedForMessage) is refused on this node: \(reason)"
    case .alreadyResubmitted(let id, let again): "job \(id) was already resubmitted as \(again)"
    case .builtinThroughRun(let name):
      "`pleura run \(name.escapedForMessage) --executor slurm` is for external plugins; send a built-in plugin's run with its own command (train, evaluate, explain, dataset build, experiment)"
    }
  }
}

extension JobError: UsageClassified {
  /// A bad option value (a resource sbatch would not take, an unknown executor, a built-in plugin
  /// sent to Slurm through `pleura run`) is the user's input, refused before anything is written.
  public var isUsageError: Bool {
    switch self {
    case .invalidResource, .unknownExecutor, .builtinThroughRun: true
    default: false
    }
  }
}
