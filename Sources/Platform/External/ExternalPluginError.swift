import Foundation
import Primitives

/// Why an external plugin's run was refused or failed; one line each, naming the plugin, the
/// value and what is wrong.
public enum ExternalPluginError: Error, CustomStringConvertible, Equatable {
  case cannotStart(String, reason: String)
  case changedOnDisk(plugin: String, folder: String)
  case inputCount(plugin: String, kind: EntityKind, given: Int, min: Int, max: Int)
  case parameter(plugin: String, name: String, reason: String)
  case exited(plugin: String, status: Int32, stderr: [String])
  case killed(plugin: String, signal: Int32, stderr: [String])
  case timedOut(plugin: String, seconds: Int, stderr: [String])
  case invalidResult(plugin: String, reason: String, stderr: [String])

  public var description: String {
    switch self {
    case .cannotStart(let program, let reason): "cannot start \(program.escapedForMessage): \(reason)"
    case .changedOnDisk(let plugin, let folder):
      "plugin \(plugin) in \(folder) changed on disk since it was loaded; run the command again"
    case .inputCount(let plugin, let kind, let given, let min, let max):
      "plugin \(plugin) takes " + (min == max ? "\(min)" : "\(min) to \(max)")
        + " \(kind.rawValue) input(s); "
        + "\(given) given"
    case .parameter(let plugin, let name, let reason): "plugin \(plugin): parameter \(name) \(reason)"
    case .exited(let plugin, let status, let stderr):
      "plugin \(plugin) exited with status \(status)" + Self.shown(stderr)
    case .killed(let plugin, let signal, let stderr):
      "plugin \(plugin) was killed by signal \(signal)" + Self.shown(stderr)
    case .timedOut(let plugin, let seconds, let stderr):
      "plugin \(plugin) ran past its time limit of \(seconds) s (resources.timeSeconds) and was stopped"
        + Self.shown(stderr)
    case .invalidResult(let plugin, let reason, let stderr):
      "plugin \(plugin) gave an invalid result: \(reason)" + Self.shown(stderr)
    }
  }

  /// The plugin's last standard-error lines, escaped, after the message.
  static func shown(_ stderr: [String]) -> String {
    let lines = stderr.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(10)
    guard !lines.isEmpty else { return "" }
    return "; its last standard-error lines:\n"
      + lines.map { "  " + $0.escaped(limit: 300) }.joined(separator: "\n")
  }
}
