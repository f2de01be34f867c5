import Foundation
import Hummingbird
import HummingbirdTesting
import Media
import Platform
import Testing

/// The workbench marks a low-confidence automatic ROI wherever it shows or lists one: the collection
/// page and its API, the video's detail (current ROI and history, which the video page renders) and
/// the suggestion the video page draws.
@Suite struct LowConfidenceRoiTests {
  @Test func aLowConfidenceROIIsMarkedOnEveryPageThatShowsIt() async throws {
    let fixture = try await ServerFixture()
    defer { fixture.cleanUp() }
    let (weak, sure) = (fixture.videos[0], fixture.videos[1])
    // As `roi suggest --apply --min-confidence 0` records suggestions.
    let entries = [(weak, 0.2), (sure, 0.9)].map { video, confidence in
      RoiEntry(
        video: video.id, rect: PixelRect(x: 10, y: 20, width: 100, height: 80), author: "roi-suggest",
        confidence: confidence)
    }
    _ = try await Runner(catalog: fixture.catalog).run(RoiPlugin.self, parameters: .init(entries: entries))

    try await fixture.test { client in
      var browser = Browser(client)
      try await browser.logIn("alice")

      let collection = try await browser.get("/").text
      let rows = collection.components(separatedBy: "<tr")
      let weakRow = try #require(rows.first { $0.contains("/videos/\(weak.id)\"") })
      let sureRow = try #require(rows.first { $0.contains("/videos/\(sure.id)\"") })
      #expect(
        weakRow.contains("class=\"low-confidence\"") && weakRow.contains("low confidence (0.20)"),
        "\(weakRow)")
      #expect(!sureRow.contains("low-confidence") && sureRow.contains("confidence 0.90"), "\(sureRow)")

      let listed = try await browser.get("/api/videos?sort=file")
      let listedRows = try #require(listed.object["rows"] as? [[String: Any]])
      #expect(listedRows.first { $0["id"] as? String == weak.id }?["roiConfidence"] as? Double == 0.2)

      for (video, confidence, low) in [(weak, 0.2, true), (sure, 0.9, false)] {
        let detail = try await browser.get("/api/videos/\(video.id)").object
        let current = try #require(detail["currentRoi"] as? [String: Any])
        #expect(current["confidence"] as? Double == confidence)
        #expect(current["lowConfidence"] as? Bool == low)
        let history = try #require(detail["rois"] as? [[String: Any]])
        #expect(history.last?["lowConfidence"] as? Bool == low)
        // The synthesizer's own ROI was drawn from truth: no confidence, never marked.
        #expect(history.first?["confidence"] == nil && history.first?["lowConfidence"] as? Bool == false)
      }

      // The video page draws the suggestion from this reply and marks it from `lowConfidence`.
      let suggestion = try await browser.get("/api/videos/\(weak.id)/suggestion")
      if suggestion.status == .ok {
        let confidence = try #require(suggestion.object["confidence"] as? Double)
        #expect(suggestion.object["lowConfidence"] as? Bool == RoiConfidence.isLow(confidence))
        #expect((suggestion.object["reasons"] as? [String])?.isEmpty == false)
      } else {
        #expect(suggestion.error.contains("no ROI suggestion"), "\(suggestion.text)")
      }
      let script = try await browser.get("/assets/video.js").text
      #expect(script.contains("LOW CONFIDENCE") && script.contains("lowConfidence"))
    }
  }
}
