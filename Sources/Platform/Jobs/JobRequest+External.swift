import Foundation
import GRDB

extension JobRequest {
  /// ``plan(external:parameters:inputs:catalog:force:)`` with parameters given as `key=value`
  /// assignments, as `pleura run NAME --param key=value` gives them.
  public static func plan(
    external plugin: ExternalPlugin, assignments: [String], inputs: [EntityRef], catalog: Catalog,
    force: Bool = false
  ) async throws -> Plan {
    try await plan(
      external: plugin, parameters: ExternalParameters.parse(assignments, for: plugin.manifest),
      inputs: inputs,
      catalog: catalog, force: force)
  }

  /// An external plugin's run, checked as ``Runner/run(external:parameters:inputs:force:)``
  /// checks it before anything is written: parameters completed and in range, inputs of the
  /// kinds and counts the manifest takes, the same identity (with the manifest's and program's
  /// SHA-256 in it) and the run cache asked first. The job asks Slurm for the manifest's
  /// `resources` unless the command overrides them.
  public static func plan(
    external plugin: ExternalPlugin, parameters given: [String: AnyJSON], inputs: [EntityRef],
    catalog: Catalog, force: Bool = false
  ) async throws -> Plan {
    let manifest = plugin.manifest
    let parameters = try ExternalParameters.complete(given, for: manifest)
    let recordedJSON = try CanonicalJSON.encode(parameters)
    let runner = Runner(catalog: catalog)
    let (cacheKey, earlier) = try await catalog.database.read { db -> (String, RunOutcome?) in
      try ExternalParameters.validate(inputs, for: manifest, in: db)
      // The identity the runner gives an external run: the job's run must have this very key
      // when it lands (``JobLanding``), so a difference here is refused there, never landed.
      let key = try plugin.cacheKey(parametersJSON: recordedJSON, inputs: inputs, in: db)
      return (key, force ? nil : try runner.reusableRun(cacheKey: key, inputs: inputs, in: db))
    }
    if let earlier { return .reused(earlier) }
    guard plugin.unchangedOnDisk() else {
      throw ExternalPluginError.changedOnDisk(plugin: manifest.name, folder: plugin.folder.path)
    }
    // Every input's bytes must be in the store, as for a local run.
    _ = try await catalog.database.read { db in
      try ExternalInputs.describe(inputs, blobs: catalog.blobs, in: db)
    }
    return .submit(
      JobRequest(
        plugin: manifest.name, parametersJSON: recordedJSON, inputs: inputs, cacheKey: cacheKey,
        resources: manifest.resources.jobResources, external: ExternalJobPlugin(plugin)))
  }
}
