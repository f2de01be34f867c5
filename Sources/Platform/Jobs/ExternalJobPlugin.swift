import Foundation

/// The external plugin a job runs: its folder (on the cluster's shared file system: the catalog's
/// `plugins/NAME`, or where `PLEURA_PLUGIN_PATH` found it) and the SHA-256 of its manifest and
/// program when it was submitted. The node runs it only if its files still hash to these, so a
/// job never runs, nor records, a plugin other than the one submitted.
public struct ExternalJobPlugin: Codable, Sendable, Equatable {
  public var folder: String
  public var manifestSHA256: String
  public var commandSHA256: String

  public init(folder: String, manifestSHA256: String, commandSHA256: String) {
    self.folder = folder
    self.manifestSHA256 = manifestSHA256
    self.commandSHA256 = commandSHA256
  }

  init(_ plugin: ExternalPlugin) {
    self.init(
      folder: plugin.folder.path, manifestSHA256: plugin.manifestSHA256, commandSHA256: plugin.commandSHA256)
  }

  /// The plugin as the node finds it, refused when its folder no longer holds the files that
  /// were submitted.
  func load(name: String) throws -> ExternalPlugin {
    let plugin: ExternalPlugin
    do {
      plugin = try ExternalPlugin.load(folder: URL(fileURLWithPath: folder), origin: "job")
    } catch {
      throw JobError.pluginChanged(name: name, folder: folder, reason: "it cannot be loaded here: \(error)")
    }
    guard plugin.manifest.name == name else {
      throw JobError.pluginChanged(
        name: name, folder: folder, reason: "its manifest now names \(plugin.manifest.name)")
    }
    guard plugin.manifestSHA256 == manifestSHA256, plugin.commandSHA256 == commandSHA256 else {
      throw JobError.pluginChanged(
        name: name, folder: folder,
        reason: "its plugin.json or program is not the one submitted (SHA-256 differs)")
    }
    return plugin
  }
}

extension PluginManifest.Resources {
  /// What sbatch is asked for by default: `cpus` per task, `memoryMB`, `gpus` as `--gres gpu:N`,
  /// and `timeSeconds` as a `D-HH:MM:SS` limit.
  var jobResources: JobResources {
    let seconds = max(timeSeconds, 1)
    let time = String(
      format: "%d-%02d:%02d:%02d", seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60,
      seconds % 60)
    return JobResources(
      gres: gpus > 0 ? "gpu:\(gpus)" : nil, time: time, cpusPerTask: max(cpus, 1),
      memory: memoryMB > 0 ? "\(memoryMB)M" : nil)
  }
}
