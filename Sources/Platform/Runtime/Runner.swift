import Foundation
import GRDB
import Logging

/// What a run produced, or the earlier run that stood in for it.
public struct RunOutcome: Sendable, Codable {
  public var runID: String
  public var plugin: String
  public var outputs: [EntityRef]
  /// True when an earlier successful run with the same identity was reused.
  public var reused: Bool
  public var summary: String
  /// Entities already in the catalog that the run made again identically (see
  /// ``PersistContext/remade(_:)``); not among `outputs`.
  public var remade: [EntityRef] = []
}

public enum RunError: Error, CustomStringConvertible {
  case inputNotFound(String)
  case inputNotAccepted(EntityRef, plugin: String, accepted: [EntityKind])
  case failed(plugin: String, runID: String, reason: String)

  public var description: String {
    switch self {
    case .inputNotFound(let id): "input \(id) is not in this catalog"
    case .inputNotAccepted(let ref, let plugin, let accepted):
      "plugin \(plugin) does not take a \(ref.kind.displayName) (\(ref.id)); it takes "
        + (accepted.isEmpty ? "no inputs" : accepted.map(\.displayName).joined(separator: ", "))
    case .failed(let plugin, let runID, let reason): "\(reason) (\(plugin) run \(runID) failed)"
    }
  }
}

/// Runs plugins against a catalog with provenance and a run cache.
///
/// A run is recorded (`running`) before the plugin starts. The plugin's rows, the edges to its
/// inputs and outputs and the `succeeded` mark are then written in one transaction; on error the
/// run is marked `failed` and no output row exists. A process killed mid-run leaves a `running`
/// row that the next open marks failed (``RunReaper``).
public struct Runner: Sendable {
  public let catalog: Catalog
  public let logger: Logger
  public let progress: ProgressSink

  public init(catalog: Catalog, logger: Logger = Logger(label: "pleura"), progress: ProgressSink = .silent) {
    self.catalog = catalog
    self.logger = logger
    self.progress = progress
  }

  public func run<P: Plugin>(
    _ plugin: P.Type, parameters: P.Parameters, inputs: [EntityRef] = [], force: Bool = false
  ) async throws -> RunOutcome {
    let recordedJSON = try CanonicalJSON.encode(P.recorded(parameters))
    let cacheKey = try await catalog.database.read { db in
      try validate(inputs, for: P.self, in: db)
      return try RunIdentity.cacheKey(
        plugin: P.name, version: P.version, parametersJSON: recordedJSON, inputs: inputs, in: db)
    }
    let cached = P.usesRunCache && !force
    if cached, let earlier = try await reusableRun(cacheKey: cacheKey, inputs: inputs) {
      return earlier
    }
    try await P.check(parameters, inputs: inputs, catalog: catalog)

    let lock = try catalog.runLock()
    defer { withExtendedLifetime(lock) {} }
    let run = Run(
      id: EntityKind.run.newID(), siteId: catalog.localSite.id, plugin: P.name,
      pluginVersion: P.version.description, parametersJson: recordedJSON,
      seed: RunIdentity.seed(in: recordedJSON), cacheKey: cacheKey, status: .running,
      startedAt: Timestamp.now(), endedAt: nil, error: nil, platformVersion: PlatformVersion.current,
      pid: getpid(), summary: nil)
    if let earlier = try await claim(run, inputs: inputs, cached: cached) { return earlier }
    logger.debug("run \(run.id): \(P.name) \(P.version)")

    let context = PluginContext(catalog: catalog, logger: logger, progress: progress, runID: run.id)
    do {
      let output = try await P().run(parameters, inputs: inputs, context: context)
      return try await land(output, of: run)
    } catch {
      throw await markFailed(run, error)
    }
  }

  /// Records `run` as running, unless the run cache can answer: an identical run that succeeded
  /// meanwhile is reused, and one still running (in this process or another) is waited for, so
  /// that identical runs started at once make their outputs once. Checking and recording happen in
  /// one write transaction (SQLite's IMMEDIATE: one writer at a time across processes), so two
  /// identical runs can never both find nothing and both start.
  func claim(_ run: Run, inputs: [EntityRef], cached: Bool) async throws -> RunOutcome? {
    var announced = false
    while true {
      let decision = try await catalog.database.write { db -> RunClaim.Decision in
        if cached {
          if let earlier = try reusableRun(cacheKey: run.cacheKey, inputs: inputs, in: db) {
            return .reuse(earlier)
          }
          if let holder = try RunClaim.inProgress(cacheKey: run.cacheKey, inputs: inputs, in: db) {
            return .wait(holder)
          }
        }
        try run.insert(db)
        for input in inputs { try RunEdge(runId: run.id, direction: .input, entity: input).insert(db) }
        return .start
      }
      switch decision {
      case .start: return nil
      case .reuse(let earlier): return earlier
      case .wait(let holder):
        if !announced {
          logger.warning(
            "run \(holder.id) (\(holder.plugin), process \(holder.pid.map(String.init) ?? "?")) is making the same outputs from the same inputs; waiting to reuse them"
          )
          announced = true
        }
        try await Task.sleep(for: RunClaim.pollInterval)
      }
    }
  }

  private func validate<P: Plugin>(_ inputs: [EntityRef], for plugin: P.Type, in db: Database) throws {
    for input in inputs {
      guard P.takes.contains(input.kind) else {
        throw RunError.inputNotAccepted(input, plugin: P.name, accepted: P.takes)
      }
      guard try EntityLookup.exists(input, in: db) else { throw RunError.inputNotFound(input.id) }
    }
  }

  /// The newest successful run with this identity that may stand in for this one (``RunCache``).
  private func reusableRun(cacheKey: String, inputs: [EntityRef]) async throws -> RunOutcome? {
    try await catalog.database.read { db in try reusableRun(cacheKey: cacheKey, inputs: inputs, in: db) }
  }

  func reusableRun(cacheKey: String, inputs: [EntityRef], in db: Database) throws -> RunOutcome? {
    guard let run = try RunCache.reusable(cacheKey: cacheKey, inputs: inputs, blobs: catalog.blobs, in: db)
    else { return nil }
    return RunOutcome(
      runID: run.run.id, plugin: run.run.plugin, outputs: run.outputs, reused: true,
      summary: run.run.summary ?? "")
  }
}
