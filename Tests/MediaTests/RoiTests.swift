import Foundation
import GRDB
import Media
import Platform
import TestSupport
import Testing

@Suite struct RoiTests {
  static func video(width: Int, height: Int) -> SourceVideo {
    SourceVideo(
      id: "vid_0000000000000001", siteId: "s", patientId: "p", blobSha256: "", fileName: "a.mp4",
      label: .present,
      notes: nil, container: "mp4", codec: "h264", width: width, height: height, fpsNum: 54, fpsDen: 1,
      frameCount: 540,
      durationSeconds: 10, createdAt: "")
  }

  static func conversion(scaling: String) -> Conversion {
    Conversion(
      id: "conv_0000000000000001", siteId: "s", sourceVideoId: "vid_0000000000000001", blobSha256: "",
      parametersJson: #"{"scaling":"\#(scaling)"}"#, container: "mp4", codec: "h264", width: 640, height: 480,
      fpsNum: 30,
      fpsDen: 1, frameCount: 300, durationSeconds: 10, pixelData: "luma", createdAt: "")
  }

  @Test func stretchMapsEdgesByTheScaleAndBackWithinAPixel() {
    let mapping = RoiMapping(
      source: Self.video(width: 854, height: 480), conversion: Self.conversion(scaling: "stretch"))
    let rect = PixelRect(x: 200, y: 150, width: 427, height: 300)
    let mapped = mapping.toConversion(rect)
    #expect(mapped == PixelRect(x: 150, y: 150, width: 320, height: 300))
    let back = mapping.toSource(mapped)
    #expect(
      abs(back.x - rect.x) <= 1 && abs(back.maxX - rect.maxX) <= 1 && back.y == rect.y
        && back.height == rect.height)
    #expect(mapping.frameToConversion(54) == 30 && mapping.frameToSource(30) == 54)
  }

  @Test func letterboxMapsThroughTheBars() {
    let mapping = RoiMapping(
      source: Self.video(width: 854, height: 480), conversion: Self.conversion(scaling: "letterbox"))
    #expect(mapping.placement == PixelRect(x: 0, y: 60, width: 640, height: 360))
    let mapped = mapping.toConversion(PixelRect(x: 0, y: 0, width: 854, height: 480))
    #expect(mapped == PixelRect(x: 0, y: 60, width: 640, height: 360))
    #expect(mapping.toSource(mapped) == PixelRect(x: 0, y: 0, width: 854, height: 480))
  }

  @Test func validationNamesTheFrameSize() async throws {
    let fixture = try await PipelineFixture(patients: 1)
    defer { fixture.cleanUp() }
    let video = try fixture.videos()[0]
    let before = try await fixture.catalog.database.read { db in try RoiAnnotation.fetchCount(db) }
    for rect in [
      PixelRect(x: 0, y: 0, width: 0, height: 10), PixelRect(x: video.width - 5, y: 0, width: 10, height: 10),
    ] {
      await #expect {
        try await fixture.runner.run(
          RoiPlugin.self, parameters: .init(entries: [RoiEntry(video: video.id, rect: rect, author: "t")]))
      } throws: { error in
        String(describing: error).contains("\(video.width)x\(video.height)")
      }
    }
    await #expect(throws: RoiError.self) {
      try await fixture.runner.run(
        RoiPlugin.self,
        parameters: .init(entries: [
          RoiEntry(
            video: video.id, rect: PixelRect(x: 0, y: 0, width: 10, height: 10), frameStart: 5,
            frameEnd: 100_000, author: "t")
        ]))
    }
    let after = try await fixture.catalog.database.read { db in try RoiAnnotation.fetchCount(db) }
    #expect(after == before)
  }

  @Test func editsAddVersionsAndKeepHistory() async throws {
    let fixture = try await PipelineFixture(patients: 1)
    defer { fixture.cleanUp() }
    let video = try fixture.videos()[0]
    for x in [10, 20, 20] {
      _ = try await fixture.runner.run(
        RoiPlugin.self,
        parameters: .init(entries: [
          RoiEntry(video: video.id, rect: PixelRect(x: x, y: 10, width: 100, height: 100), author: "t")
        ]))
    }
    let history = try await fixture.catalog.database.read { db in
      try RoiAnnotation.history(forVideo: video.id, in: db)
    }
    #expect(
      history.map(\.version) == [1, 2, 3], "synthesize's truth, then two edits; the repeat changed nothing")
    #expect(history[0].author == "synthesize")
    #expect(history[2].supersedesId == history[1].id)
  }

  /// The suggestion still finds the classic generator's ROI (synthesize 1.0.0's videos: linear probe,
  /// full frame, a clean chest wall). The realistic generator's figures are in RoiSuggesterTests.
  @Test(.tags(.slow)) func suggestionsMatchTheTrueROIOfClassicVideos() throws {
    var parameters = SynthesizePlugin.Parameters()
    parameters.patients = 6
    parameters.seed = 11
    parameters.minSeconds = 0.5
    parameters.maxSeconds = 0.8
    parameters.style = "classic"
    var ious: [Double] = []
    for plan in SynthesizePlugin.plan(parameters) {
      let video = try SyntheticLungVideo(parameters: plan.parameters)
      let frames = (0..<min(12, video.frameCount)).map { video.frame($0) }
      let suggestion = try RoiSuggester.suggest(frames: frames)
      ious.append(suggestion.rect.iou(video.roi))
    }
    let good = ious.filter { $0 >= 0.7 }.count
    print("ROI suggestion on classic videos: IoU >= 0.7 for \(good) of \(ious.count); IoUs \(ious)")
    #expect(good == ious.count, "IoUs \(ious)")
  }
}
