import Bag
import Foundation
import GRDB
import Media
import Platform
import TestSupport
import Testing
import Tiling
import Training

@testable import Sharing

/// `pleura export --with-models`: models, weights, evaluations and their runs travel, arrive
/// under the exporting site, and work at the importing one.
@Suite(.serialized, .tags(.slow)) struct ModelBundleTests {
  @Test func modelsArriveWithIdenticalWeightsLineageAndEvaluateAtSiteB() async throws {
    let (a, model, evaluation) = try await TrainedSiteA.shared.site()
    let b = try SiteB()
    defer { b.cleanUp() }
    let outcome = try BundleImporter(catalog: b.catalog).importBundle(
      try await TrainedSiteA.shared.bundleWithModels())
    #expect(!outcome.alreadyImported && outcome.models == 1 && outcome.evaluations == 1)

    let (bModels, bEvaluations) = try await b.catalog.database.read { db in
      (try Model.fetchAll(db), try Evaluation.fetchAll(db))
    }
    #expect(bModels == [model])
    #expect(bEvaluations == [evaluation])
    #expect(
      try b.catalog.blobs.read(model.weightsSha256, of: "a test")
        == a.blobs.read(model.weightsSha256, of: "a test"))
    let scores = try #require(evaluation.scoresSha256)
    #expect(try b.catalog.blobs.read(scores, of: "a test") == a.blobs.read(scores, of: "a test"))

    // Lineage of the imported model: A's train run, back through A's split and tiling.
    let trainRun = try await a.database.read { db in
      try String.fetchOne(
        db, sql: "SELECT run_id FROM run_edge WHERE entity_id = ? AND direction = 'output'",
        arguments: [model.id])
    }
    let lineage = try LineageNode.build(for: EntityRef(.model, model.id), in: b.catalog)
    #expect(lineage.madeBy?.id == trainRun && lineage.madeBy?.site == "Hospital A")
    let rendered = lineage.rendered()
    #expect(
      rendered.contains("split \(SplitPlugin.version)")
        && rendered.contains("synthesize \(SynthesizePlugin.version)"),
      "\(rendered)")

    let listed = try ModelViews.models(b.catalog)
    #expect(listed.map(\.id) == [model.id])
    #expect(listed.first?.site == "Hospital A" && listed.first?.dataset == "Hospital A/demo@1")
    #expect(listed.first?.evaluations == 1)
    #expect(try ModelViews.evaluations(b.catalog).map(\.site) == ["Hospital A"])

    // The weights arrived whole: B scores the same cubes as A did (forced, so the imported
    // evaluate run is not simply reused).
    let rerun = try await Runner(catalog: b.catalog).run(
      EvaluatePlugin.self, parameters: TrainedSiteA.quickEvaluation,
      inputs: [EntityRef(.model, model.id), EntityRef(.dataset, model.datasetId)], force: true)
    let bEvaluation = try await b.catalog.database.read { db in
      try Evaluation.fetchOne(db, key: rerun.outputs[0].id)!
    }
    #expect(bEvaluation.siteId == b.catalog.localSite.id)
    let (aScores, bScores) = (
      try Self.scores(a.blobs.read(scores, of: "a test")),
      try Self.scores(b.catalog.blobs.read(try #require(bEvaluation.scoresSha256), of: "a test"))
    )
    #expect(aScores.map(\.cube) == bScores.map(\.cube) && !aScores.isEmpty)
    #expect(zip(aScores, bScores).allSatisfy { abs($0.score - $1.score) < 1e-5 })
    #expect(try CatalogVerifier.run(b.catalog).ok)
  }

  @Test func aLaterBundleWithModelsAddsThemToADatasetImportedBeforeAndThenChangesNothing() async throws {
    let (a, model, _) = try await TrainedSiteA.shared.site()
    let b = try SiteB()
    defer { b.cleanUp() }
    let plain = b.file("plain.tar.zst")
    _ = try BundleExporter(catalog: a).export("demo@1", to: plain, options: .init())
    let first = try BundleImporter(catalog: b.catalog).importBundle(plain)
    #expect(!first.alreadyImported && first.models == 0)
    #expect(try BundleImporter(catalog: b.catalog).importBundle(plain).alreadyImported)

    let withModels = try await TrainedSiteA.shared.bundleWithModels()
    let second = try BundleImporter(catalog: b.catalog).importBundle(withModels)
    #expect(!second.alreadyImported && second.models == 1 && second.evaluations == 1)
    #expect(try await b.catalog.database.read { db in try Model.fetchOne(db, key: model.id) } == model)
    let before = try b.snapshot()
    #expect(try BundleImporter(catalog: b.catalog).importBundle(withModels).alreadyImported)
    #expect(try b.snapshot() == before)
    #expect(try CatalogVerifier.run(b.catalog).ok)
  }

  @Test func withoutTheFlagNothingAboutModelsTravels() async throws {
    let (a, model, evaluation) = try await TrainedSiteA.shared.site()
    let b = try SiteB()
    defer { b.cleanUp() }
    let bundle = b.file("plain.tar.zst")
    let summary = try BundleExporter(catalog: a).export("demo@1", to: bundle, options: .init())
    #expect(summary.rows["model.json"] == 0 && summary.rows["evaluation.json"] == 0)
    let (content, _) = try BundleImporter(catalog: b.catalog).verify(bundle)
    #expect(content.models.isEmpty && content.evaluations.isEmpty)
    #expect(!content.runs.contains { ["train", "evaluate"].contains($0.plugin) })
    let blobs = Set(content.blobs.map(\.sha256))
    #expect(!blobs.contains(model.weightsSha256) && !blobs.contains(evaluation.scoresSha256 ?? ""))
  }

  @Test func aPseudonymisedExportWithModelsCarriesNoPatientCode() async throws {
    let (a, _, evaluation) = try await TrainedSiteA.shared.site()
    let b = try SiteB()
    defer { b.cleanUp() }
    let key = b.file("site-a.key")
    try Pseudonymizer.createKeyFile(at: key)
    var options = BundleExporter.Options()
    options.withModels = true
    options.pseudonymizer = try Pseudonymizer(keyFile: key)
    let bundle = b.file("pseudonymised.tar.zst")
    let summary = try BundleExporter(catalog: a).export("demo@1", to: bundle, options: options)
    #expect(summary.pseudonymized && summary.rows["model.json"] == 1)

    let codes = try await a.database.read { db in try String.fetchAll(db, sql: "SELECT code FROM patient") }
    let staging = b.file("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    let bag = try BagReader(stagingParent: staging).extract(archive: bundle)
    defer { try? bag.remove() }
    let scores = "data/blobs/\(try #require(evaluation.scoresSha256))"
    for file in bag.payload where file.path.hasPrefix("data/catalog") || file.path == scores {
      let text = try String(contentsOf: bag.url(of: file.path), encoding: .utf8).lowercased()
      for code in codes { #expect(!text.contains(code.lowercased()), "\(code) in \(file.path)") }
    }
    #expect(try BundleImporter(catalog: b.catalog).importBundle(bundle).models == 1)
  }

  @Test func theROCrateShowsTheTrainAndEvaluateRunsMakingWeightsAndScores() async throws {
    let (_, model, evaluation) = try await TrainedSiteA.shared.site()
    let b = try SiteB()
    defer { b.cleanUp() }
    let staging = b.file("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    let bag = try BagReader(stagingParent: staging).extract(
      archive: try await TrainedSiteA.shared.bundleWithModels())
    defer { try? bag.remove() }
    let crate =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: bag.url(of: "data/\(RoCrate.metadataFileName)"))) as! [String: Any]
    let graph = crate["@graph"] as! [[String: Any]]
    func results(of plugin: String) -> [String] {
      graph.filter { ($0["name"] as? String)?.hasPrefix("\(plugin) run ") == true }
        .flatMap { ($0["result"] as? [[String: String]] ?? []).compactMap { $0["@id"] } }
    }
    let weights = "blobs/\(model.weightsSha256)"
    #expect(results(of: "train") == [weights])
    #expect(results(of: "evaluate") == ["blobs/\(try #require(evaluation.scoresSha256))"])
    let weightsFile = graph.first { $0["@id"] as? String == weights }
    #expect((weightsFile?["name"] as? String)?.hasPrefix("weights of \(model.id)") == true)
    #expect(graph.contains { $0["@id"] as? String == "catalog/model.json" })
  }

  @Test func thePseudonymizationCheckReadsTheScoresItIsGiven() throws {
    let scores = (
      name: "the scores of eval_0000000000000001", data: Data("cube_1,P-017,conv_2,0,present,0.9\n".utf8),
      rows: 0
    )
    func codes(_ code: String) -> SensitiveValues {
      var values = SensitiveValues()
      values.add(code, .patientCode, replacement: "p-0")
      return values
    }
    #expect(throws: ExportError.self) { try Pseudonymization.check([scores], against: codes("P-017")) }
    #expect(throws: Never.self) { try Pseudonymization.check([scores], against: codes("P-018")) }
  }

  @Test func aBundleWrittenBeforeModelsTravelledStillImports() async throws {
    let (a, _, _) = try await TrainedSiteA.shared.site()
    let b = try SiteB()
    defer { b.cleanUp() }
    let plain = b.file("plain.tar.zst")
    _ = try BundleExporter(catalog: a).export("demo@1", to: plain, options: .init())
    let old = b.file("old.tar.zst")
    try Rebundle.make(from: plain, to: old) { tables in
      tables.removeValue(forKey: "model.json")
      tables.removeValue(forKey: "evaluation.json")
    }
    let outcome = try BundleImporter(catalog: b.catalog).importBundle(old)
    #expect(!outcome.alreadyImported && outcome.rows > 0 && outcome.models == 0)
    #expect(try DatasetViews.list(b.catalog).map(\.reference) == ["Hospital A/demo@1"])
  }

  static func scores(_ csv: Data) -> [(cube: String, score: Double)] {
    String(decoding: csv, as: UTF8.self).split(separator: "\n").dropFirst().map { line in
      let fields = line.split(separator: ",")
      return (String(fields[0]), Double(fields[5]) ?? .nan)
    }
  }
}
