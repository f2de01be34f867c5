import ArgumentParser
import Builtin
import Foundation
import GRDB
import Platform

extension Pleura {
  struct Rerun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Re-execute a run from its provenance record and report whether the outputs are identical.",
      discussion: """
        The run's plugin must still be at the recorded version. Its recorded parameters and input \
        entities are used as they are; the new run bypasses the run cache. Outputs are compared by \
        content: every column except ids, times and versions, and for blobs their SHA-256. \
        Exit code 1 when they differ.
        """)
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Run id.") var run: String

    struct Comparison: Codable {
      var run: String
      var rerun: String
      var plugin: String
      var identical: Bool
      var pairs: [Pair]
      struct Pair: Codable {
        var original: String
        var rerun: String
        var identical: Bool
        var differences: [String]
      }
    }

    func run() async throws {
      let catalog = try catalogOptions.open()
      let (record, inputs, outputs) = try await catalog.database.read { db in
        let ref = try EntityLookup.resolve(run, in: db)
        guard ref.kind == .run, let record = try Run.fetchOne(db, key: ref.id) else {
          throw ValidationError("\(run) is not a run")
        }
        let edges = try RunEdge.filter(RunEdge.Columns.runId == record.id).fetchAll(db)
        return (
          record, edges.filter { $0.direction == .input }.map(\.entity),
          edges.filter { $0.direction == .output }.map(\.entity)
        )
      }
      let plugin = try BuiltinPlugins.registry().plugin(named: record.plugin)
      guard plugin.version.description == record.pluginVersion else {
        throw ValidationError(
          "run \(record.id) used \(record.plugin) \(record.pluginVersion); this Pleura has \(plugin.version)")
      }
      guard record.status == .succeeded else {
        throw ValidationError(
          "run \(record.id) did not succeed (\(record.status.rawValue)); nothing to compare")
      }
      let outcome = try await plugin.runWithJSON(
        catalogOptions.runner(catalog), record.parametersJson, inputs, true)
      let comparison = try await catalog.database.read { db in
        var pairs: [Comparison.Pair] = []
        if outputs.isEmpty && outcome.outputs.isEmpty {
          // Nothing but blobs named in the summary (for example `explain`): compare those lines.
          let original = Self.blobLines(record.summary ?? "")
          let again = Self.blobLines(outcome.summary)
          pairs.append(
            Comparison.Pair(
              original: record.id, rerun: outcome.runID, identical: original == again,
              differences: original == again ? [] : ["summary blobs"]))
        }
        for (index, ref) in outputs.enumerated() {
          guard index < outcome.outputs.count, outcome.outputs[index].kind == ref.kind else {
            pairs.append(
              Comparison.Pair(original: ref.id, rerun: "-", identical: false, differences: ["missing"]))
            continue
          }
          let new = outcome.outputs[index]
          let a = try Self.content(ref, in: db)
          let b = try Self.content(new, in: db)
          let differences = Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
          pairs.append(
            Comparison.Pair(
              original: ref.id, rerun: new.id, identical: differences.isEmpty, differences: differences))
        }
        if outcome.outputs.count > outputs.count {
          pairs.append(
            Comparison.Pair(original: "-", rerun: "extra outputs", identical: false, differences: ["count"]))
        }
        return Comparison(
          run: record.id, rerun: outcome.runID, plugin: record.plugin,
          identical: pairs.allSatisfy(\.identical), pairs: pairs)
      }
      if output.json {
        try output.printJSON(comparison)
      } else {
        print("\(record.plugin) \(record.pluginVersion): run \(record.id) re-executed as \(outcome.runID)")
        Terminal.table(
          ["ORIGINAL", "RERUN", "IDENTICAL", "DIFFERENCES"],
          comparison.pairs.map {
            [$0.original, $0.rerun, $0.identical ? "yes" : "no", $0.differences.joined(separator: ", ")]
          })
        print(comparison.identical ? "outputs are identical" : "outputs differ")
      }
      if !comparison.identical { throw ExitCode(1) }
    }

    /// An entity's row without what differs between two runs by design (id, times, version).
    static func content(_ ref: EntityRef, in db: Database) throws -> [String: String] {
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT * FROM \(ref.kind.table) WHERE id = ?", arguments: [ref.id])
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
}
