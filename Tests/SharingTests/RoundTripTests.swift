import Bag
import Foundation
import GRDB
import Media
import Platform
import Sharing
import TestSupport
import Testing
import Tiling
import Training

@Suite(.serialized, .tags(.slow)) struct RoundTripTests {
  @Test func siteBImportsPseudonymisedSeesLineageAndReadsTheSameCubes() async throws {
    let a = try await SiteA.shared.catalog()
    let b = try SiteB()
    defer { b.cleanUp() }
    let key = b.file("site-a.key")
    try Pseudonymizer.createKeyFile(at: key)
    var options = BundleExporter.Options()
    options.pseudonymizer = try Pseudonymizer(keyFile: key)
    let bundle = b.file("demo.tar.zst")
    let summary = try BundleExporter(catalog: a).export("demo@1", to: bundle, options: options)
    #expect(summary.pseudonymized && summary.blobsIncluded > 0)

    let outcome = try BundleImporter(catalog: b.catalog).importBundle(bundle)
    // The site's name travels as its keyed pseudonym too.
    let site = try Pseudonymizer(keyFile: key).pseudonym("Hospital A", kind: .site)
    #expect(!outcome.alreadyImported && outcome.site == site)
    let listed = try DatasetViews.list(b.catalog)
    #expect(listed.map(\.reference) == ["\(site)/demo@1"])

    // The cubes B reads are byte-identical to A's.
    let (aCubes, bCubes) = try await (
      a.database.read { db in try Cube.order(Column("id")).fetchAll(db) }.filter {
        $0.datasetId == listed[0].id
      },
      b.catalog.database.read { db in try Cube.order(Column("id")).fetchAll(db) }
    )
    #expect(aCubes == bCubes)
    for shard in Set(bCubes.map(\.shardSha256)) {
      #expect(try b.catalog.blobs.read(shard, of: "a test") == a.blobs.read(shard, of: "a test"))
    }

    // Lineage of an imported cube reaches A's runs, back to the synthesize run.
    let lineage = try LineageNode.build(for: EntityRef(.cube, bCubes[0].id), in: b.catalog)
    let rendered = lineage.rendered()
    #expect(
      rendered.contains("[\(site)]") && rendered.contains("synthesize \(SynthesizePlugin.version)")
        && rendered.contains("transcode"))

    // B can work on it: a split of A's dataset at B, and a model trained on it there. (Site A
    // has two patients of each label: half of each to validation, none to test.)
    var splitting = SplitPlugin.Parameters()
    splitting.test = 0
    splitting.validation = 0.5
    let split = try await Runner(catalog: b.catalog).run(
      SplitPlugin.self, parameters: splitting, inputs: [EntityRef(.dataset, listed[0].id)])
    #expect(split.outputs.count == 1)
    let trained = try await Runner(catalog: b.catalog).run(
      TrainPlugin.self, parameters: TrainedSiteA.tinyTraining,
      inputs: [EntityRef(.dataset, listed[0].id), split.outputs[0]])
    let model = try await b.catalog.database.read { db in try Model.fetchOne(db, key: trained.outputs[0].id) }
    #expect(model?.siteId == b.catalog.localSite.id && model?.datasetId == listed[0].id)

    // A second import changes nothing and says so.
    let before = try b.snapshot()
    #expect(try BundleImporter(catalog: b.catalog).importBundle(bundle).alreadyImported)
    #expect(try b.snapshot() == before)
    #expect(try CatalogVerifier.run(b.catalog).ok)
  }

  @Test func pseudonymisedBundlesCarryNoPatientCodeAndMapCodesStably() async throws {
    let a = try await SiteA.shared.catalog()
    let b = try SiteB()
    defer { b.cleanUp() }
    let key = b.file("k.key")
    try Pseudonymizer.createKeyFile(at: key)
    var options = BundleExporter.Options()
    options.pseudonymizer = try Pseudonymizer(keyFile: key)
    options.withSources = true
    let first = b.file("one.tar.gz")
    options.gzip = true
    _ = try BundleExporter(catalog: a).export("demo@1", to: first, options: options)
    let second = b.file("two.tar.zst")
    options.gzip = false
    _ = try BundleExporter(catalog: a).export("demo@1", to: second, options: options)

    let codes = try await a.database.read { db in try String.fetchAll(db, sql: "SELECT code FROM patient") }
    let staging = b.file("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    var pseudonyms: [[String]] = []
    for bundle in [first, second] {
      let bag = try BagReader(stagingParent: staging).extract(archive: bundle)
      defer { try? bag.remove() }
      // Every file, blobs included: the shards' sidecar CSVs name patients too.
      for file in bag.payload {
        let text = String(decoding: try Data(contentsOf: bag.url(of: file.path)), as: UTF8.self).lowercased()
        for code in codes { #expect(!text.contains(code.lowercased()), "\(code) in \(file.path)") }
      }
      let sidecars = bag.payload.filter {
        String(decoding: (try? Data(contentsOf: bag.url(of: $0.path))) ?? Data(), as: UTF8.self)
          .hasPrefix("index,clip,")
      }
      #expect(!sidecars.isEmpty, "the bundle ships the shards' sidecars")
      let patients = try JSONDecoder().decode(
        [Patient].self, from: Data(contentsOf: bag.url(of: "data/catalog/patient.json")))
      pseudonyms.append(patients.map(\.code).sorted())
    }
    #expect(pseudonyms[0] == pseudonyms[1], "the same key maps the same patient to the same code")
    let other = Pseudonymizer(key: .init(size: .bits256))
    #expect(other.pseudonym(for: codes[0]) != (try Pseudonymizer(keyFile: key)).pseudonym(for: codes[0]))
  }
}
