import Foundation

/// What a job asks Slurm for. Every field is optional: what is not given is Slurm's default (the
/// site's). Commands start from the plugin's declared resources (``DeclaresJobResources``) and
/// let `--partition`, `--gres`, `--time`, `--account` override them.
public struct JobResources: Codable, Sendable, Equatable {
  public var partition: String?
  /// Generic resources, as sbatch spells them: `gpu:1`.
  public var gres: String?
  /// A time limit, as sbatch spells it: `30`, `2:00:00`, `1-00:00:00`.
  public var time: String?
  public var account: String?
  public var cpusPerTask: Int?
  /// Memory per node, as sbatch spells it: `4G`.
  public var memory: String?

  public init(
    partition: String? = nil, gres: String? = nil, time: String? = nil, account: String? = nil,
    cpusPerTask: Int? = nil, memory: String? = nil
  ) {
    self.partition = partition
    self.gres = gres
    self.time = time
    self.account = account
    self.cpusPerTask = cpusPerTask
    self.memory = memory
  }

  /// These resources with every field `other` gives put in place of this one's.
  public func overridden(by other: JobResources) -> JobResources {
    JobResources(
      partition: other.partition ?? partition, gres: other.gres ?? gres, time: other.time ?? time,
      account: other.account ?? account, cpusPerTask: other.cpusPerTask ?? cpusPerTask,
      memory: other.memory ?? memory)
  }

  /// The largest of each request, for a job array whose tasks all get one allocation shape.
  public func merged(with other: JobResources) -> JobResources {
    JobResources(
      partition: partition ?? other.partition, gres: gres ?? other.gres, time: time ?? other.time,
      account: account ?? other.account,
      cpusPerTask: [cpusPerTask, other.cpusPerTask].compactMap { $0 }.max(),
      memory: memory ?? other.memory)
  }

  /// `#SBATCH` lines. Values are refused when they hold anything but what sbatch's options
  /// use, so a value can never add a line or an option to the script.
  func sbatchLines() throws -> [String] {
    var lines: [String] = []
    let pairs: [(String, String?)] = [
      ("partition", partition), ("gres", gres), ("time", time), ("account", account),
      ("cpus-per-task", cpusPerTask.map(String.init)), ("mem", memory),
    ]
    for (option, value) in pairs {
      guard let value else { continue }
      guard Self.isPlain(value) else { throw JobError.invalidResource(option: option, value: value) }
      lines.append("#SBATCH --\(option)=\(value)")
    }
    return lines
  }

  static func isPlain(_ value: String) -> Bool {
    !value.isEmpty && value.count <= 200
      && value.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || ":_-.,=+/".unicodeScalars.contains($0)
      }
  }
}

/// A plugin that says what one of its runs needs on a cluster node (its threads, say), so that
/// `--executor slurm` asks for that unless told otherwise.
public protocol DeclaresJobResources: Plugin {
  static func resources(for parameters: Parameters) -> JobResources
}
