import Foundation
import Platform

/// The plugins a command can reach: the built-in ones and the external ones found for the
/// catalog in use (its `plugins/` folder, then `PLEURA_PLUGIN_PATH`; docs/PLUGINS.md).
enum AllPlugins {
  /// The registry; each external plugin that could not be used is reported on stderr, one line
  /// each, and left out.
  static func registry(catalog: URL?) throws -> PluginRegistry {
    var registry = try BuiltinPlugins.registry()
    let problems = registry.registerExternal(ExternalPluginFinder.find(catalogRoot: catalog))
    for problem in problems { Terminal.warn("warning: external plugin ignored: " + problem) }
    return registry
  }
}
