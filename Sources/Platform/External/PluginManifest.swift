import Foundation

/// What an external plugin's `plugin.json` declares (docs/PLUGINS.md). Values of this type have
/// passed ``ManifestReader``'s checks: names are words, the command stays in the plugin's folder,
/// defaults fit their types and ranges, sizes are bounded.
public struct PluginManifest: Codable, Sendable, Equatable {
  public var name: String
  public var version: SemanticVersion
  public var summary: String
  /// The program and its arguments; the program is a file in the plugin's folder.
  public var command: [String]
  /// Parameters by name, in name order.
  public var parameters: [ParameterSpec]
  public var inputs: [InputSpec]
  public var outputs: [ExternalOutputKind]
  public var resources: Resources
  /// Whether the same request gives byte-identical outputs: then `pleura rerun` checks its runs.
  public var deterministic: Bool

  public struct ParameterSpec: Codable, Sendable, Equatable {
    public var name: String
    public var type: ParameterType
    public var defaultValue: AnyJSON
    /// Inclusive bounds of an `int` or `float`.
    public var minimum: Double?
    public var maximum: Double?
    /// The choices of an `enum`.
    public var values: [String]
    public var help: String
  }

  public enum ParameterType: String, Codable, Sendable, CaseIterable {
    case string, int, float, bool, `enum`
  }

  /// An input kind and how many entities of it a run takes.
  public struct InputSpec: Codable, Sendable, Equatable {
    public var kind: EntityKind
    public var min: Int
    public var max: Int
  }

  /// What a run needs; the local executor enforces `timeSeconds`, a cluster executor asks for all.
  public struct Resources: Codable, Sendable, Equatable {
    public var cpus: Int
    public var memoryMB: Int
    public var gpus: Int
    public var timeSeconds: Int
  }

  /// The kinds an external plugin may take as inputs: those whose metadata and bytes a request
  /// can describe.
  public static let acceptedInputs: [EntityKind] = [
    .dataset, .split, .model, .conversion, .evaluation, .sourceVideo, .roi, .label,
  ]
  /// The kinds an external plugin may make: those whose rows Pleura can check from a result
  /// (weights by their safetensors header, scores against the dataset's cubes, shards against
  /// their sidecars, videos by probing, pictures by their PNG header).
  public static let acceptedOutputs = ExternalOutputKind.allCases
}

/// Bounds on what a manifest may ask for, so that a hostile one cannot make Pleura read, hold or
/// wait for absurd amounts.
public enum ManifestLimits {
  public static let fileBytes = 64 * 1024
  public static let commandArguments = 32
  public static let argumentLength = 1024
  public static let parameters = 64
  public static let enumValues = 64
  public static let stringLength = 1024
  public static let summaryLength = 200
  public static let inputs = 8
  public static let inputsPerKind = 64
  public static let cpus = 1024
  public static let memoryMB = 16 * 1024 * 1024
  public static let gpus = 64
  public static let timeSeconds = 14 * 24 * 3600
}
