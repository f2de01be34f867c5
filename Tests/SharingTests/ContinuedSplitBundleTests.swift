import Foundation
import GRDB
import Media
import Platform
import Sharing
import TestSupport
import Testing
import Tiling

/// A dataset version whose split continues the split of an earlier version (`pleura retrain`)
/// exports and imports: the split run's edge to the earlier split, whose rows stay at the
/// exporting site, is left out rather than shipped dangling.
@Suite(.serialized, .tags(.slow)) struct ContinuedSplitBundleTests {
  @Test func aContinuedSplitTravelsWithoutTheEarlierOne() async throws {
    let site = try await PipelineFixture(patients: 4, seed: 31, seconds: 2.05...2.2, siteName: "Hospital A")
    defer { site.cleanUp() }
    let first = try site.dataset(try await site.build(try DatasetRecipe.load("demo")))
    let earlier = try await site.split(first)
    let known = Set(try site.videos().map(\.id))
    var synthesize = SynthesizePlugin.Parameters()
    (synthesize.patients, synthesize.seed, synthesize.minSeconds, synthesize.maxSeconds) = (2, 32, 2.05, 2.2)
    _ = try await site.runner.run(SynthesizePlugin.self, parameters: synthesize)
    var transcode = TranscodePlugin.Parameters()
    transcode.preset = "ultrafast"
    for video in try site.videos() where !known.contains(video.id) {
      _ = try await site.runner.run(
        TranscodePlugin.self, parameters: transcode, inputs: [EntityRef(.sourceVideo, video.id)])
    }
    let second = try site.dataset(try await site.build(try DatasetRecipe.load("demo")))
    let continued = try await site.runner.run(
      SplitPlugin.self, parameters: .init(),
      inputs: [EntityRef(.dataset, second.id), EntityRef(.split, earlier)])

    let b = try SiteB()
    defer { b.cleanUp() }
    let bundle = b.file("demo-2.tar.zst")
    _ = try BundleExporter(catalog: site.catalog).export(second.reference, to: bundle, options: .init())
    _ = try BundleImporter(catalog: b.catalog).importBundle(bundle)
    let (parts, edges) = try await b.catalog.database.read { db in
      (
        try SplitPlugin.parts(ofSplit: continued.outputs[0].id, in: db),
        try RunEdge.all().edges(.input, ofRun: continued.runID).fetchAll(db).map(\.entity)
      )
    }
    let expected = try await site.catalog.database.read { db in
      try SplitPlugin.parts(ofSplit: continued.outputs[0].id, in: db)
    }
    #expect(parts == expected && !parts.isEmpty)
    #expect(edges == [EntityRef(.dataset, second.id)])
    #expect(try CatalogVerifier.run(b.catalog).ok)
  }
}
