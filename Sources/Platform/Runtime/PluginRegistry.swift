import Foundation

public enum RegistryError: Error, CustomStringConvertible, Equatable {
  case duplicate(String)
  case unknown(String, known: [String], suggestion: String?)
  case invalidName(String)

  public var description: String {
    switch self {
    case .duplicate(let name): "a plugin named \(name) is already registered"
    case .unknown(let name, let known, let suggestion):
      "no plugin named '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        + " (known: \(known.joined(separator: ", ")))"
    case .invalidName(let name): "plugin name '\(name)' must be lowercase letters, digits and '-'"
    }
  }
}

/// A registered plugin with its type erased, so that `pleura run NAME` can reach any of them.
public struct RegisteredPlugin: Sendable {
  public let name: String
  public let version: SemanticVersion
  public let summary: String
  public let takes: [EntityKind]
  public let makes: [EntityKind]
  /// Whether `pleura rerun` may check its runs (``Plugin/reproducible``).
  public let reproducible: Bool
  public let parameters: [ParameterInfo]
  /// Where the plugin comes from: "built-in", or where an external one was found.
  public var origin = "built-in"
  /// An external plugin's folder and the SHA-256 of its manifest and program (its runs record them).
  public var external: ExternalPlugin?
  /// Runs the plugin with its defaults overridden by `key=value` assignments.
  public let runWithAssignments:
    @Sendable (_ runner: Runner, _ assignments: [String], _ inputs: [EntityRef], _ force: Bool) async throws
      -> RunOutcome
  /// Runs the plugin with parameters decoded from a run's recorded JSON.
  public let runWithJSON:
    @Sendable (_ runner: Runner, _ json: String, _ inputs: [EntityRef], _ force: Bool) async throws
      -> RunOutcome

  init<P: Plugin>(_ plugin: P.Type) {
    name = P.name
    version = P.version
    summary = P.summary
    takes = P.takes
    makes = P.makes
    reproducible = P.reproducible
    parameters = ParameterSchema.describe(P.self)
    runWithAssignments = { runner, assignments, inputs, force in
      let parameters = try ParameterSchema.apply(assignments, to: P.self)
      return try await runner.run(P.self, parameters: parameters, inputs: inputs, force: force)
    }
    runWithJSON = { runner, json, inputs, force in
      let parameters = try ParameterSchema.decode(json: json, as: P.self)
      return try await runner.run(P.self, parameters: parameters, inputs: inputs, force: force)
    }
  }
}

/// The plugins a process knows, by unique name.
public struct PluginRegistry: Sendable {
  private var plugins: [String: RegisteredPlugin] = [:]

  public init() {}

  /// Registers an already type-erased plugin (an external one); the name must be free.
  public mutating func register(_ plugin: RegisteredPlugin) throws {
    guard plugins[plugin.name] == nil else { throw RegistryError.duplicate(plugin.name) }
    plugins[plugin.name] = plugin
  }

  /// Registers a plugin; a second plugin with the same name is a bug and is refused.
  public mutating func register<P: Plugin>(_ plugin: P.Type) throws {
    let valid =
      !P.name.isEmpty
      && P.name.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
      }
    guard valid else { throw RegistryError.invalidName(P.name) }
    guard plugins[P.name] == nil else { throw RegistryError.duplicate(P.name) }
    plugins[P.name] = RegisteredPlugin(P.self)
  }

  /// The plugin with this name; an unknown name lists the known ones and a close match.
  public func plugin(named name: String) throws -> RegisteredPlugin {
    if let plugin = plugins[name] { return plugin }
    let known = names
    throw RegistryError.unknown(name, known: known, suggestion: NameSuggestion.closest(to: name, in: known))
  }

  public var names: [String] { plugins.keys.sorted() }

  public var all: [RegisteredPlugin] { plugins.sorted { $0.key < $1.key }.map(\.value) }
}
