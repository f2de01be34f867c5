import Foundation
import GRDB

/// `pleura rerun`: re-executes a run from its provenance record (plugin version, recorded
/// parameters, input entities) past the run cache, and compares the outputs by content.
public enum RunReplay {
  public struct Comparison: Codable, Sendable {
    public var run: String
    public var rerun: String
    public var plugin: String
    public var identical: Bool
    public var pairs: [Pair]

    public struct Pair: Codable, Sendable {
      public var original: String
      public var rerun: String
      public var identical: Bool
      /// Columns whose values differ (blob columns compare the SHA-256, so the bytes).
      public var differences: [String]
    }
  }

  public enum ReplayError: Error, CustomStringConvertible {
    case notARun(String)
    case versionChanged(run: String, plugin: String, recorded: String, current: String)
    case notSucceeded(run: String, status: String)
    case notReproducible(run: String, plugin: String)
    case pluginChanged(run: String, plugin: String)

    public var description: String {
      switch self {
      case .notARun(let text): "\(text) is not a run"
      case .versionChanged(let run, let plugin, let recorded, let current):
        "run \(run) used \(plugin) \(recorded); this Pleura has \(current), so it cannot be re-executed as it was"
      case .notSucceeded(let run, let status):
        "run \(run) did not succeed (\(status)); it has no outputs to compare"
      case .notReproducible(let run, let plugin):
        "run \(run) is a \(plugin) run, and \(plugin) is not reproducible (it reads files, records a "
          + "person's edit or encodes not byte for byte the same): running it again would check nothing"
      case .pluginChanged(let run, let plugin):
        "run \(run) used external plugin \(plugin) with other files (the SHA-256 of its plugin.json or "
          + "program differs), so it cannot be re-executed as it was"
      }
    }
  }

  public static func rerun(_ text: String, registry: PluginRegistry, runner: Runner) async throws
    -> Comparison
  {
    let (record, inputs, outputs) = try await runner.catalog.database.read { db in
      let ref = try EntityLookup.resolve(text, as: [.run], in: db)
      guard let record = try Run.fetchOne(db, key: ref.id) else {
        throw ReplayError.notARun(text)
      }
      let edges = try RunEdge.all().edges(ofRun: record.id).fetchAll(db)
      return (
        record, edges.filter { $0.direction == .input }.map(\.entity),
        edges.filter { $0.direction == .output }.map(\.entity)
      )
    }
    let plugin = try registry.plugin(named: record.plugin)
    guard plugin.version.description == record.pluginVersion else {
      throw ReplayError.versionChanged(
        run: record.id, plugin: record.plugin, recorded: record.pluginVersion,
        current: plugin.version.description)
    }
    if let external = plugin.external,
      record.pluginManifestSha256 != external.manifestSHA256
        || record.pluginCommandSha256 != external.commandSHA256
    {
      throw ReplayError.pluginChanged(run: record.id, plugin: record.plugin)
    }
    guard record.status == .succeeded else {
      throw ReplayError.notSucceeded(run: record.id, status: record.status.rawValue)
    }
    guard plugin.reproducible else { throw ReplayError.notReproducible(run: record.id, plugin: plugin.name) }
    let outcome = try await plugin.runWithJSON(runner, record.parametersJson, inputs, true)
    return try await runner.catalog.database.read { db in
      var pairs: [Comparison.Pair] = []
      if outputs.isEmpty && outcome.outputs.isEmpty && outcome.remade.isEmpty {
        // Only blobs named in the summary (for example `explain`): compare those lines.
        let same = blobLines(record.summary ?? "") == blobLines(outcome.summary)
        pairs.append(
          Comparison.Pair(
            original: record.id, rerun: outcome.runID, identical: same, differences: same ? [] : ["blobs"]))
      }
      // An original output the rerun made again identically (the same bytes, already stored) is
      // matched by itself; the others are paired with the rerun's new outputs of their kind, in order.
      var made = outcome.outputs
      var matched: [(original: EntityRef, rerun: EntityRef)] = []
      for ref in outputs {
        if outcome.remade.contains(ref) {
          pairs.append(Comparison.Pair(original: ref.id, rerun: ref.id, identical: true, differences: []))
          continue
        }
        guard let index = made.firstIndex(where: { $0.kind == ref.kind }) else {
          pairs.append(
            Comparison.Pair(original: ref.id, rerun: "-", identical: false, differences: ["not made again"]))
          continue
        }
        matched.append((ref, made.remove(at: index)))
      }
      // An output that refers to another output of its own run (an evaluation of the model made
      // beside it) refers to its counterpart in the rerun: that is the same, not a difference.
      let counterpart = Dictionary(
        matched.map { ($0.rerun.id, $0.original.id) }, uniquingKeysWith: { a, _ in a })
      for (ref, new) in matched {
        let a = try content(ref, in: db)
        let b = try content(new, in: db).mapValues { counterpart[$0] ?? $0 }
        let differences = Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
        pairs.append(
          Comparison.Pair(
            original: ref.id, rerun: new.id, identical: differences.isEmpty, differences: differences))
      }
      for extra in made {
        pairs.append(
          Comparison.Pair(original: "-", rerun: extra.id, identical: false, differences: ["extra"]))
      }
      return Comparison(
        run: record.id, rerun: outcome.runID, plugin: record.plugin, identical: pairs.allSatisfy(\.identical),
        pairs: pairs)
    }
  }

  /// An entity's row without what differs between two runs by design (id, time, version).
  static func content(_ ref: EntityRef, in db: Database) throws -> [String: String] {
    guard
      let row = try Row.fetchOne(db, sql: "SELECT * FROM \(ref.kind.table) WHERE id = ?", arguments: [ref.id])
    else { return [:] }
    var result: [String: String] = [:]
    for column in row.columnNames where !["id", "created_at", "version"].contains(column) {
      result[column] = row[column].map { "\($0)" } ?? "NULL"
    }
    return result
  }

  static func blobLines(_ summary: String) -> [String] {
    summary.split(separator: "\n").map(String.init).filter {
      let parts = $0.split(separator: " ")
      return parts.count == 2 && parts[1].count == 64
    }
  }
}
