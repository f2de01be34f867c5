import Curation
import Media
import Platform
import Tiling
import Training

/// Every plugin that ships with Pleura. The executable is where the parts are put together, so
/// it is the one place that names every plugin family: a new plugin is registered here.
enum BuiltinPlugins {
  static func registry() throws -> PluginRegistry {
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
    // What external plugins' dataset and conversion outputs are checked with (Platform knows no
    // shards or videos).
    ExternalOutputHandlers.register(ExternalDatasetOutput())
    ExternalOutputHandlers.register(ExternalConversionOutput())
    return registry
  }
}
