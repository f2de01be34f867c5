import Foundation

/// What Pleura writes to an external plugin's standard input: one JSON object (docs/PLUGINS.md).
/// Plain `Codable` so that any executor (local, or a cluster job on another node) can write and
/// read it.
public struct ExternalPluginRequest: Codable, Sendable, Equatable {
  /// The protocol's version; a plugin refuses one it does not know.
  public var protocolVersion: Int
  public var plugin: String
  public var version: String
  public var runId: String
  /// Every declared parameter, defaults filled in.
  public var parameters: [String: AnyJSON]
  /// The `seed` parameter when the plugin declares one, else derived from the run's identity, so
  /// that the same run always gets the same seed.
  public var seed: Int64
  public var inputs: [ExternalInput]
  /// An empty folder the plugin writes its output files into, and nothing else.
  public var outputFolder: String
  /// CPU threads the plugin may use (the manifest's `resources.cpus`).
  public var threads: Int

  public static let currentProtocolVersion = 1

  public init(
    protocolVersion: Int = Self.currentProtocolVersion, plugin: String, version: String, runId: String,
    parameters: [String: AnyJSON], seed: Int64, inputs: [ExternalInput], outputFolder: String, threads: Int
  ) {
    self.protocolVersion = protocolVersion
    self.plugin = plugin
    self.version = version
    self.runId = runId
    self.parameters = parameters
    self.seed = seed
    self.inputs = inputs
    self.outputFolder = outputFolder
    self.threads = threads
  }
}

/// One input entity: its row as JSON (the record's fields), and read-only paths of its bytes.
public struct ExternalInput: Codable, Sendable, Equatable {
  public var kind: EntityKind
  public var id: String
  public var record: AnyJSON
  /// Blob paths by role ("weights", "scores", "video").
  public var files: [String: String]
  /// A dataset's cubes, each with the shard that holds it.
  public var cubes: [ExternalCube]?
  /// A split's patient assignments.
  public var assignments: [ExternalAssignment]?

  public init(
    kind: EntityKind, id: String, record: AnyJSON, files: [String: String] = [:],
    cubes: [ExternalCube]? = nil,
    assignments: [ExternalAssignment]? = nil
  ) {
    self.kind = kind
    self.id = id
    self.record = record
    self.files = files
    self.cubes = cubes
    self.assignments = assignments
  }
}

/// A cube of a dataset: `numpy.load(shard, mmap_mode="r")[index]` is its `frames x size x size`
/// uint8 array.
public struct ExternalCube: Codable, Sendable, Equatable {
  public var id: String
  public var patient: String
  public var conversion: String
  public var clip: Int
  /// "present" or "absent".
  public var label: String
  public var frames: Int
  public var size: Int
  public var shard: String
  public var index: Int
}

public struct ExternalAssignment: Codable, Sendable, Equatable {
  public var patient: String
  /// "train", "validation" or "test".
  public var part: String
}

/// One line of an external plugin's standard output: a progress report, a log line, or the
/// result (exactly once, last).
public struct ExternalMessage: Codable, Sendable, Equatable {
  public var progress: ExternalProgress?
  public var log: String?
  public var result: ExternalPluginResult?

  public init(progress: ExternalProgress? = nil, log: String? = nil, result: ExternalPluginResult? = nil) {
    self.progress = progress
    self.log = log
    self.result = result
  }
}

/// A progress report, shown like Pleura's own (``ProgressUpdate``).
public struct ExternalProgress: Codable, Sendable, Equatable {
  public var label: String
  public var done: Int
  public var total: Int?
  public var unit: String?
  public var detail: String?
}

/// What an external plugin made: its outputs, each a kind, files in the output folder and the
/// metadata that kind's row needs.
public struct ExternalPluginResult: Codable, Sendable, Equatable {
  public var outputs: [ExternalOutput]
  /// One line for the run's summary.
  public var summary: String?

  public init(outputs: [ExternalOutput], summary: String? = nil) {
    self.outputs = outputs
    self.summary = summary
  }
}

/// One output entity. `key` names it within the result, so that an evaluation can say which of
/// the run's own models it scores.
public struct ExternalOutput: Codable, Sendable, Equatable {
  public var key: String
  public var kind: ExternalOutputKind
  /// Files by role, as paths relative to the output folder: a model's "weights" (safetensors),
  /// an evaluation's "scores" (CSV), a dataset's "shard-N"/"sidecar-N", a conversion's "video",
  /// a picture's own name ("strip.png").
  public var files: [String: String]
  public var metadata: [String: AnyJSON]

  public init(key: String, kind: ExternalOutputKind, files: [String: String], metadata: [String: AnyJSON]) {
    self.key = key
    self.kind = kind
    self.files = files
    self.metadata = metadata
  }
}
