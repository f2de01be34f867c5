import Foundation
import GRDB
import Platform
import Sharing
import Testing

/// Runs are records of what happened: a later bundle may bring a run's outputs we had not seen,
/// but may not change a run already here or hang entities already here on it.
@Suite(.serialized) struct ImportRunConflictTests {
  /// Imports site A's dataset into a fresh site B, then `next` (its next version, edited by
  /// `edit`); returns the outcome of the second import, after checking B is unchanged on refusal.
  static func importNextVersion(
    _ edit: @escaping (inout [String: Any]) -> Void
  ) async throws -> Result<BundleImporter.Outcome, Error> {
    let b = try SiteB()
    defer { b.cleanUp() }
    let first = try await HostileBundleTests.exported(b)
    _ = try BundleImporter(catalog: b.catalog).importBundle(first)
    let next = b.file("next.tar.zst")
    try Rebundle.make(from: first, to: next) { tables in
      ImportRefusalTests.makeNextVersion(&tables)
      edit(&tables)
    }
    let before = try b.snapshot()
    let result = Result { try BundleImporter(catalog: b.catalog).importBundle(next) }
    if case .failure = result { #expect(try b.snapshot() == before, "refused, but the catalog changed") }
    return result
  }

  static func runID(_ tables: [String: Any], plugin: String) -> String {
    (tables["run.json"] as! [[String: Any]]).first { $0["plugin"] as? String == plugin }!["id"] as! String
  }

  @Test func theNextVersionAddsItsOutputsToRunsAlreadyHere() async throws {
    // The tile run keeps its id here while its outputs are new: new edges to new entities.
    let outcome = try await Self.importNextVersion { _ in }.get()
    #expect(!outcome.alreadyImported && outcome.dataset == "demo@2")
  }

  @Test func aRunAlreadyHereWithOtherContentIsRefused() async throws {
    let result = try await Self.importNextVersion { tables in
      let run = Self.runID(tables, plugin: "synthesize")
      var runs = tables["run.json"] as! [[String: Any]]
      let index = runs.firstIndex { $0["id"] as? String == run }!
      runs[index]["startedAt"] = "2001-01-01T00:00:00.000Z"
      tables["run.json"] = runs
    }
    #expect(throws: ImportError.self) { try result.get() }
    if case .failure(let error) = result {
      #expect(String(describing: error).contains("is already here with other content"), "\(error)")
    }
  }

  @Test func anEdgeHangingAnEntityAlreadyHereOnAnotherRunIsRefused() async throws {
    let result = try await Self.importNextVersion { tables in
      // Claims that the synthesize run also made a conversion that B has from the first import.
      let run = Self.runID(tables, plugin: "synthesize")
      let conversion = (tables["conversion.json"] as! [[String: Any]])[0]["id"] as! String
      var edges = tables["run_edge.json"] as! [[String: Any]]
      edges.append([
        "runId": run, "direction": "output", "entityKind": "conversion", "entityId": conversion, "role": "",
      ])
      tables["run_edge.json"] = edges
    }
    #expect(throws: ImportError.self) { try result.get() }
    if case .failure(let error) = result {
      #expect(String(describing: error).contains("already here, an output of run"), "\(error)")
    }
  }
}
