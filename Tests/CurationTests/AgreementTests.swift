import Curation
import Foundation
import GRDB
import Media
import Platform
import Testing

@Suite struct AgreementTests {
  @Test func kappaOfAKnownTable() throws {
    // 20 videos: both present 9, both absent 6, a present/b absent 3, a absent/b present 2.
    // observed 0.75; chance 0.6*0.55 + 0.4*0.45 = 0.51; kappa = 0.24 / 0.49.
    let pairs: [(SlidingLabel, SlidingLabel)] =
      Array(repeating: (.present, .present), count: 9) + Array(repeating: (.absent, .absent), count: 6)
      + Array(repeating: (.present, .absent), count: 3) + Array(repeating: (.absent, .present), count: 2)
    let kappa = try #require(Agreement.cohenKappa(pairs))
    #expect(abs(kappa - 0.24 / 0.49) < 1e-12)
    #expect(Agreement.cohenKappa([]) == nil)
    #expect(Agreement.cohenKappa([(.present, .present), (.present, .present)]) == nil)
    #expect(Agreement.cohenKappa([(.present, .absent), (.absent, .present)]) == -1)
  }

  func record(
    _ test: CurationCatalog, labels: [(Int, SlidingLabel, String)], rois: [(Int, PixelRect, String)]
  )
    async throws
  {
    if !labels.isEmpty {
      _ = try await test.runner.run(
        LabelPlugin.self,
        parameters: .init(
          entries: labels.map { LabelEntry(video: test.videos[$0.0].id, label: $0.1, author: $0.2) }))
    }
    if !rois.isEmpty {
      _ = try await test.runner.run(
        RoiPlugin.self,
        parameters: .init(
          entries: rois.map { RoiEntry(video: test.videos[$0.0].id, rect: $0.1, author: $0.2) }))
    }
  }

  @Test func pairsCountTheVideosBothAnnotatedWithKappaAndMeanIoU() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let labels: [(Int, SlidingLabel, String)] = [
      (0, .present, "alice"), (1, .absent, "alice"), (0, .present, "bob"), (1, .present, "bob"),
    ]
    let square = PixelRect(x: 0, y: 0, width: 100, height: 100)
    let shifted = PixelRect(x: 50, y: 0, width: 100, height: 100)
    let small = PixelRect(x: 10, y: 10, width: 50, height: 50)
    let rois: [(Int, PixelRect, String)] = [
      (0, square, "alice"), (0, shifted, "bob"), (1, small, "alice"), (1, small, "bob"),
    ]
    try await record(test, labels: labels, rois: rois)
    let pairs = try await test.catalog.database.read { db in try Agreement.pairs(in: db) }
    let pair = try #require(pairs.first { $0.annotatorA == "alice" && $0.annotatorB == "bob" })
    #expect(pair.labelVideos == 2 && pair.labelsAgreeing == 1)
    // alice: present, absent; bob: present, present -> observed 0.5, chance 0.5*1 = 0.5 -> 0.
    #expect(pair.kappa == 0)
    #expect(pair.roiVideos == 2)
    let meanIoU = try #require(pair.meanIoU)
    let expected: Double = (1.0 / 3.0 + 1.0) / 2
    #expect(abs(meanIoU - expected) < 1e-12)
    // Everyone's labels are compared with the label given at ingest too.
    #expect(pairs.contains { $0.annotatorA == "alice" && $0.annotatorB == "ingest" && $0.labelVideos == 2 })
  }

  @Test func disagreementsAreFoundAndSettledByAnAdjudication() async throws {
    let test = try CurationCatalog()
    defer { test.cleanUp() }
    let (a, b) = (test.videos[0], test.videos[1])
    let square = PixelRect(x: 0, y: 0, width: 100, height: 100)
    let far = PixelRect(x: 90, y: 0, width: 100, height: 100)
    let lower = PixelRect(x: 0, y: 0, width: 100, height: 90)
    let rois: [(Int, PixelRect, String)] = [
      (1, square, "alice"), (1, far, "bob"), (2, square, "roi-suggest"), (2, lower, "alice"),
    ]
    try await record(test, labels: [(0, SlidingLabel.absent, "alice")], rois: rois)
    var found = try await test.catalog.database.read { db in try Disagreements.find(in: db) }
    #expect(found.map(\.video).sorted() == [a.id, b.id].sorted())
    let first = try #require(found.first { $0.video == a.id })
    #expect(first.labelDisagrees && first.labels.map(\.author) == ["ingest", "alice"])
    let second = try #require(found.first { $0.video == b.id })
    #expect(second.roiDisagrees && !second.labelDisagrees)
    // A reviewer decides both.
    _ = try await test.runner.run(
      LabelPlugin.self,
      parameters: .init(entries: [LabelEntry(video: a.id, label: .absent, author: "rita", adjudicated: true)])
    )
    _ = try await test.runner.run(
      RoiPlugin.self,
      parameters: .init(entries: [
        RoiEntry(
          video: b.id, rect: PixelRect(x: 40, y: 0, width: 100, height: 100), author: "rita",
          adjudicated: true)
      ]))
    found = try await test.catalog.database.read { db in try Disagreements.find(in: db) }
    #expect(found.isEmpty)
    // A later curator who disagrees with the decision reopens it.
    try await record(test, labels: [(0, .present, "bob")], rois: [])
    found = try await test.catalog.database.read { db in try Disagreements.find(in: db) }
    #expect(found.map(\.video) == [a.id])
  }
}
