import Foundation

extension RegisteredPlugin {
  /// An external plugin behind the same face as a built-in one, so that `pleura run`, `rerun`
  /// and `plugins` reach both alike.
  public init(external plugin: ExternalPlugin) {
    let manifest = plugin.manifest
    name = manifest.name
    version = manifest.version
    summary = manifest.summary
    takes = manifest.inputs.map(\.kind)
    makes = manifest.outputs.compactMap(\.entityKind)
    reproducible = manifest.deterministic
    parameters = manifest.parameters.map {
      ParameterInfo(
        name: $0.name,
        type: $0.type == .enum ? "enum: " + $0.values.joined(separator: "|") : $0.type.rawValue,
        defaultValue: ($0.defaultValue.stringValue ?? (try? $0.defaultValue.canonicalText())) ?? "",
        help: $0.help)
    }
    runWithAssignments = { runner, assignments, inputs, force in
      let given = try ExternalParameters.parse(assignments, for: manifest)
      return try await runner.run(external: plugin, parameters: given, inputs: inputs, force: force)
    }
    runWithJSON = { runner, json, inputs, force in
      guard let object = try? JSONDecoder().decode(AnyJSON.self, from: Data(json.utf8)).objectValue else {
        throw ParameterError.invalid(
          plugin: manifest.name, reason: "the recorded parameters are not a JSON object")
      }
      return try await runner.run(external: plugin, parameters: object, inputs: inputs, force: force)
    }
    origin = plugin.origin + " (" + plugin.folder.path + ")"
    external = plugin
  }
}

extension PluginRegistry {
  /// Adds the external plugins found for a catalog (``ExternalPluginFinder``); one whose name a
  /// built-in plugin has is not added and is reported with the other problems, one line each.
  public mutating func registerExternal(_ found: ExternalPluginFinder.Found) -> [String] {
    var problems = found.problems
    for plugin in found.plugins {
      do {
        try register(RegisteredPlugin(external: plugin))
      } catch {
        problems.append(
          "\(plugin.folder.path)/plugin.json: name: \(plugin.manifest.name) is a built-in plugin's name; this plugin is ignored"
        )
      }
    }
    return problems
  }
}
