import Curation
import Media
import Platform
import Tiling
import Training

/// Every plugin that ships with Pleura; the CLI registers these at start-up.
public enum BuiltinPlugins {
  public static func registry() throws -> PluginRegistry {
    var registry = PluginRegistry()
    try registry.register(IngestPlugin.self)
    try registry.register(TranscodePlugin.self)
    try registry.register(RoiPlugin.self)
    try registry.register(LabelPlugin.self)
    try registry.register(SynthesizePlugin.self)
    try registry.register(TilePlugin.self)
    try registry.register(SplitPlugin.self)
    try registry.register(TrainPlugin.self)
    try registry.register(EvaluatePlugin.self)
    try registry.register(ExplainPlugin.self)
    return registry
  }
}
