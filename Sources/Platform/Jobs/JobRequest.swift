import Foundation
import GRDB

/// One run to send to Slurm, checked as the local runner would check it before anything is
/// written: inputs exist and are of kinds the plugin takes, its `check` passes, and the run
/// cache has no earlier run to stand in for it.
public struct JobRequest: Sendable {
  public var plugin: String
  public var parametersJSON: String
  public var inputs: [EntityRef]
  public var cacheKey: String
  public var resources: JobResources
  /// The external plugin's folder and digests, or nil for a built-in plugin.
  public var external: ExternalJobPlugin? = nil

  /// What sending a run to Slurm comes to: a request to submit, or an earlier identical run.
  public enum Plan: Sendable {
    case submit(JobRequest)
    case reused(RunOutcome)
  }

  public static func plan<P: Plugin>(
    _ plugin: P.Type, parameters: P.Parameters, inputs: [EntityRef], catalog: Catalog, force: Bool = false
  ) async throws -> Plan {
    let recordedJSON = try CanonicalJSON.encode(P.recorded(parameters))
    let runner = Runner(catalog: catalog)
    let (cacheKey, earlier) = try await catalog.database.read { db -> (String, RunOutcome?) in
      for input in inputs {
        guard P.takes.contains(input.kind) else {
          throw RunError.inputNotAccepted(input, plugin: P.name, accepted: P.takes)
        }
        guard try EntityLookup.exists(input, in: db) else { throw RunError.inputNotFound(input.id) }
      }
      let key = try RunIdentity.cacheKey(
        plugin: P.name, version: P.version, parametersJSON: recordedJSON, inputs: inputs, in: db)
      let earlier =
        P.usesRunCache && !force ? try runner.reusableRun(cacheKey: key, inputs: inputs, in: db) : nil
      return (key, earlier)
    }
    if let earlier { return .reused(earlier) }
    try await P.check(parameters, inputs: inputs, catalog: catalog)
    let declared = (P.self as? any DeclaresJobResources.Type).map { resources(of: $0, parameters) }
    return .submit(
      JobRequest(
        plugin: P.name, parametersJSON: try CanonicalJSON.encode(parameters), inputs: inputs,
        cacheKey: cacheKey, resources: declared ?? JobResources()))
  }

  private static func resources<D: DeclaresJobResources>(of plugin: D.Type, _ parameters: Any) -> JobResources
  {
    guard let parameters = parameters as? D.Parameters else { return JobResources() }
    return D.resources(for: parameters)
  }
}
