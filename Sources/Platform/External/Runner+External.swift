import Foundation
import GRDB

extension Runner {
  /// Runs an external plugin the way ``run(_:parameters:inputs:force:)`` runs a built-in one:
  /// the same identity (with the manifest's and program's SHA-256 in it), run cache, run row,
  /// provenance edges and one-transaction landing. The work is the plugin's process
  /// (``ExternalProcess``) on a request (``ExternalPluginRequest``); its result
  /// (``ExternalPluginResult``) is checked before anything is stored.
  public func run(
    external plugin: ExternalPlugin, parameters given: [String: AnyJSON], inputs: [EntityRef] = [],
    force: Bool = false
  ) async throws -> RunOutcome {
    let manifest = plugin.manifest
    let parameters = try ExternalParameters.complete(given, for: manifest)
    let recordedJSON = try CanonicalJSON.encode(parameters)
    let cacheKey = try await catalog.database.read { db in
      try ExternalParameters.validate(inputs, for: manifest, in: db)
      return try plugin.cacheKey(parametersJSON: recordedJSON, inputs: inputs, in: db)
    }
    let seed = parameters["seed"]?.intValue ?? ExternalParameters.seed(fromCacheKey: cacheKey)
    if !force,
      let earlier = try await catalog.database.read({ db in
        try reusableRun(cacheKey: cacheKey, inputs: inputs, in: db)
      })
    {
      return earlier
    }
    guard plugin.unchangedOnDisk() else {
      throw ExternalPluginError.changedOnDisk(plugin: manifest.name, folder: plugin.folder.path)
    }
    // Described before the run is recorded: an input whose bytes are not here is refused with
    // the catalog unchanged.
    let described = try await catalog.database.read { db in
      try ExternalInputs.describe(inputs, blobs: catalog.blobs, in: db)
    }

    let lock = try catalog.runLock()
    defer { withExtendedLifetime(lock) {} }
    let run = Run(
      id: EntityKind.run.newID(), siteId: catalog.localSite.id, plugin: manifest.name,
      pluginVersion: manifest.version.description, parametersJson: recordedJSON, seed: seed,
      cacheKey: cacheKey,
      status: .running, startedAt: Timestamp.now(), endedAt: nil, error: nil,
      platformVersion: PlatformVersion.current, pid: getpid(), summary: nil,
      pluginManifestSha256: plugin.manifestSHA256, pluginCommandSha256: plugin.commandSHA256)
    if let earlier = try await claim(run, inputs: inputs, cached: !force) { return earlier }
    logger.debug("run \(run.id): external \(manifest.name) \(manifest.version) from \(plugin.folder.path)")

    do {
      let scratch = try catalog.scratchFolder()
      defer { try? FileManager.default.removeItem(at: scratch) }
      let request = ExternalPluginRequest(
        plugin: manifest.name, version: manifest.version.description, runId: run.id, parameters: parameters,
        seed: seed, inputs: described, outputFolder: scratch.appendingPathComponent("output").path,
        threads: manifest.resources.cpus)
      let (result, stderr) = try await ExternalExecution(plugin: plugin, logger: logger, progress: progress)
        .execute(request, in: scratch)
      let output = try await ExternalLanding.output(
        for: result, stderr: stderr, plugin: plugin, request: request, inputs: inputs, catalog: catalog)
      return try await land(output, of: run)
    } catch {
      throw await markFailed(run, error)
    }
  }
}
